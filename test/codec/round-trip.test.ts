/**
 * Encode → decode gives back the same bitmap, for MH, MR (K = 1, 2, 4, 8, 1000) and MMR, on
 * random pages of varied density (runs crossing octet boundaries, all-black and all-white rows,
 * widths that are not a multiple of 8, runs longer than 2560), pure noise, a blank page, an
 * all-black page and a procedurally typed A4 page; and what the coded streams look like.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { blankBitmap } from '../../src/codec/bitmap.js'
import { CodecError } from '../../src/codec/codec-error.js'
import { decodeMr, encodeMh, encodeMr, mrKForResolution } from '../../src/codec/t4.js'
import { encodeMmr } from '../../src/codec/t6.js'
import { assertRoundTrips } from './checks.js'
import { randomPage, samplePages, typedPage } from './pages.js'

describe('round trips', () => {
  for (const { name, bitmap } of samplePages()) {
    it(`gives back the ${name} page (${bitmap.width}×${bitmap.height})`, () => {
      assertRoundTrips(name, bitmap)
    })
  }

  it('gives back 40 more random pages of random sizes and densities', () => {
    for (let seed = 100; seed < 140; seed++) {
      const width = 1 + ((seed * 7919) % 3000)
      const height = 1 + (seed % 37)
      const mean = 1 + (seed % 9) ** 3
      const page = randomPage(seed, width, height, {
        meanWhite: mean,
        meanBlack: 1 + (seed % 5) ** 2,
        similarRows: (seed % 4) / 4,
      })
      assertRoundTrips(`seed ${seed}`, page)
    }
  })

  it('codes a white row as one EOL and the make-up + terminating codes of 1728 (MH)', () => {
    // EOL 000000000001, white 1728 = 010011011 + white 0 = 00110101, then RTC = 6 × EOL.
    const bits = '000000000001' + '010011011' + '00110101' + '000000000001'.repeat(6)
    const bytes = encodeMh(blankBitmap(1728, 1))
    const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0')
    assert.equal([...bytes].map((b) => b.toString(2).padStart(8, '0')).join(''), padded)
  })

  it('codes a blank MMR page as one V0 per row and EOFB, padded to an octet', () => {
    const bytes = encodeMmr(blankBitmap(1728, 13))
    // 13 × V0 "1", EOFB 000000000001 000000000001, zero pad to 40 bits
    const bits = '1'.repeat(13) + '000000000001'.repeat(2) + '000'
    assert.equal([...bytes].map((b) => b.toString(2).padStart(8, '0')).join(''), bits)
  })

  it('makes every K-th MR line 1-D (tag bit 1 after its EOL)', () => {
    const page = typedPage(3, 1728, 200)
    for (const k of [1, 2, 4, 8]) {
      const bits = [...encodeMr(page, { k })].map((b) => b.toString(2).padStart(8, '0')).join('')
      const tags: number[] = []
      for (let at = bits.indexOf('000000000001'); at >= 0;) {
        tags.push(Number(bits[at + 12]))
        at = bits.indexOf('000000000001', at + 13)
      }
      const lineTags = tags.slice(0, 200)
      assert.deepEqual(
        lineTags,
        Array.from({ length: 200 }, (_, y) => (y % k === 0 ? 1 : 0)),
        `K=${k}`,
      )
      assert.deepEqual(tags.slice(200), [1, 1, 1, 1, 1, 1], 'RTC is 6 × (EOL + 1)')
    }
  })

  it('chooses K = 2, 4, 8 for standard, fine and superfine', () => {
    assert.deepEqual([98, 196, 392].map(mrKForResolution), [2, 4, 8])
  })

  it('refuses K < 1 and bitmaps whose layout is wrong', () => {
    const page = randomPage(1, 100, 10, { meanWhite: 5, meanBlack: 5 })
    assert.throws(() => encodeMr(page, { k: 0 }), CodecError)
    assert.throws(() => encodeMmr({ ...page, rowBytes: 12 }), CodecError)
    assert.throws(() => encodeMh({ ...page, data: page.data.subarray(1) }), CodecError)
    assert.throws(() => decodeMr(new Uint8Array(1), { width: 0 }), CodecError)
  })
})
