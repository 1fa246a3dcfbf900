/**
 * The shapes a coded page takes on the line and in files, and what the decoders accept: MH and
 * MR with and without the leading EOL, with fill before EOLs (aligned, a minimum line length,
 * or random amounts), with RTC, without it, cut off anywhere, several pages back to back, a row
 * count to stop at, and damaged lines repaired by copying the line above.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Bitmap, blankBitmap, rowOf } from '../../src/codec/bitmap.js'
import { CodecError } from '../../src/codec/codec-error.js'
import { decodeMh, decodeMr, encodeMh, encodeMr } from '../../src/codec/t4.js'
import { decodeMmr, encodeMmr } from '../../src/codec/t6.js'
import { differenceOf, randomPage, seededRandom, typedPage } from './pages.js'

const EOL = '000000000001'

function toBits(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('')
}

function fromBits(bits: string): Uint8Array {
  const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0')
  const out = new Uint8Array(padded.length / 8)
  for (let i = 0; i < out.length; i++) {
    out[i] = Number.parseInt(padded.slice(i * 8, i * 8 + 8), 2)
  }
  return out
}

/** Bit positions just after each EOL (data never holds 11 zeros in a row). */
function eolEnds(bits: string): number[] {
  const ends: number[] = []
  for (let at = bits.indexOf(EOL); at >= 0; at = bits.indexOf(EOL, at + 12)) {
    ends.push(at + 12)
  }
  return ends
}

/** The first `rows` rows of a bitmap. */
function topRows(bitmap: Bitmap, rows: number): Bitmap {
  return { ...bitmap, height: rows, data: bitmap.data.subarray(0, rows * bitmap.rowBytes) }
}

const page = typedPage(11, 1728, 240)
const mixed = randomPage(12, 1731, 120, { meanWhite: 40, meanBlack: 6, similarRows: 0.7 })

describe('T.4 streams', () => {
  it('decode without the leading EOL (MH, and MR whose first line is then 1-D)', () => {
    const mh = toBits(encodeMh(page))
    assert.equal(mh.slice(0, 12), EOL)
    assert.equal(differenceOf(decodeMh(fromBits(mh.slice(12)), { width: 1728 }).bitmap, page), '')
    const mr = toBits(encodeMr(page, { k: 4 }))
    assert.equal(mr.slice(0, 13), EOL + '1')
    assert.equal(differenceOf(decodeMr(fromBits(mr.slice(13)), { width: 1728 }).bitmap, page), '')
  })

  it('end every EOL on an octet boundary with alignEol (TIFF T4Options fill bits)', () => {
    for (const [name, data] of [
      ['MH', encodeMh(mixed, { alignEol: true })],
      ['MR', encodeMr(mixed, { alignEol: true, k: 2 })],
    ] as const) {
      const ends = eolEnds(toBits(data)).slice(0, mixed.height + 1) // the lines and RTC's first
      assert.equal(ends.length, mixed.height + 1)
      assert.ok(
        ends.every((end) => end % 8 === 0),
        `${name}: EOLs end at ${ends.slice(0, 5).join(', ')}…`,
      )
      const decode = name === 'MH' ? decodeMh : decodeMr
      assert.equal(differenceOf(decode(data, { width: mixed.width }).bitmap, mixed), '', name)
    }
  })

  it('make every coded line at least minBitsPerLine bits, EOL included', () => {
    const sparse = blankBitmap(1728, 50)
    for (const minBits of [96, 400, 1000]) {
      for (const [name, data] of [
        ['MH', encodeMh(sparse, { minBitsPerLine: minBits })],
        ['MR', encodeMr(mixed, { minBitsPerLine: minBits, k: 4 })],
        ['MH aligned', encodeMh(mixed, { minBitsPerLine: minBits, alignEol: true })],
      ] as const) {
        const ends = eolEnds(toBits(data))
        const height = name === 'MH' ? sparse.height : mixed.height
        const lengths = ends.slice(1, height + 1).map((end, i) => end - (ends[i] ?? 0))
        assert.equal(lengths.length, height)
        const shortest = Math.min(...lengths)
        assert.ok(shortest >= minBits, `${name}: shortest line ${shortest} < ${minBits} bits`)
        if (name === 'MH') {
          // a white line is EOL + 17 bits; fill makes up the rest exactly
          assert.equal(shortest, minBits)
        }
        const decode = name === 'MR' ? decodeMr : decodeMh
        const expected = name === 'MH' ? sparse : mixed
        const result = decode(data, { width: expected.width })
        assert.equal(differenceOf(result.bitmap, expected), '', name)
      }
    }
  })

  it('decode with random fill before every EOL', () => {
    const rand = seededRandom(5)
    for (const mr of [false, true]) {
      const bits = toBits(mr ? encodeMr(page, { k: 4 }) : encodeMh(page))
      let filled = ''
      let last = 0
      for (const end of eolEnds(bits)) {
        filled += bits.slice(last, end - 12) + '0'.repeat(Math.floor(rand() * 30))
        last = end - 12
      }
      filled += bits.slice(last)
      const decode = mr ? decodeMr : decodeMh
      const result = decode(fromBits(filled), { width: 1728 })
      assert.equal(differenceOf(result.bitmap, page), '', mr ? 'MR' : 'MH')
      assert.equal(result.end, 'marker')
    }
  })

  it('decode a page without RTC or EOFB to the end of the data', () => {
    const results = [
      decodeMh(encodeMh(page, { rtc: false }), { width: 1728 }),
      decodeMr(encodeMr(page, { rtc: false }), { width: 1728 }),
      decodeMmr(encodeMmr(page, { eofb: false }), { width: 1728 }),
    ]
    for (const result of results) {
      assert.equal(differenceOf(result.bitmap, page), '')
      assert.equal(result.end, 'end-of-data')
    }
  })

  it('return the complete lines of a stream cut off anywhere, and say it was cut', () => {
    for (const mr of [false, true]) {
      const data = mr ? encodeMr(mixed, { k: 4 }) : encodeMh(mixed)
      const bits = toBits(data)
      // line i's data ends where the EOL of line i + 1 starts; the last line's where RTC does
      const lineEnds = eolEnds(bits)
        .slice(1, mixed.height + 1)
        .map((end) => end - 12)
      const rtcStart = lineEnds[lineEnds.length - 1] ?? 0
      const decode = mr ? decodeMr : decodeMh
      for (let cut = 0; cut < data.length; cut += 7) {
        const result = decode(data.subarray(0, cut), { width: mixed.width })
        const complete = lineEnds.filter((end) => end <= cut * 8).length
        assert.equal(result.bitmap.height, complete, `cut at octet ${cut}`)
        assert.equal(differenceOf(result.bitmap, topRows(mixed, complete)), '')
        if (cut * 8 < rtcStart + (mr ? 26 : 24)) {
          assert.ok(result.end === 'truncated' || result.end === 'end-of-data', result.end)
        } else {
          assert.equal(result.end, 'marker', 'two EOLs of RTC are enough')
        }
      }
    }
  })

  it('return a prefix of the rows of an MMR stream cut off anywhere', () => {
    const data = encodeMmr(mixed)
    let previous = 0
    for (let cut = 0; cut < data.length; cut += 5) {
      const result = decodeMmr(data.subarray(0, cut), { width: mixed.width })
      assert.ok(result.bitmap.height >= previous, 'more data never gives fewer rows')
      previous = result.bitmap.height
      assert.equal(differenceOf(result.bitmap, topRows(mixed, result.bitmap.height)), '')
      if (cut < data.length - 4) {
        assert.ok(result.end === 'truncated' || result.end === 'end-of-data', result.end)
      }
    }
    assert.ok(previous >= mixed.height - 2)
  })

  it('stop at RTC/EOFB and say where the next page starts', () => {
    const second = randomPage(13, 1728, 30, { meanWhite: 60, meanBlack: 4 })
    const schemes = [
      { encode: (b: Bitmap) => encodeMh(b), decode: decodeMh },
      { encode: (b: Bitmap) => encodeMr(b, { k: 2 }), decode: decodeMr },
      { encode: (b: Bitmap) => encodeMmr(b), decode: decodeMmr },
    ]
    for (const { encode, decode } of schemes) {
      const a = encode(page)
      const b = encode(second)
      const both = new Uint8Array(a.length + b.length)
      both.set(a)
      both.set(b, a.length)
      const first = decode(both, { width: 1728 })
      assert.equal(differenceOf(first.bitmap, page), '')
      assert.equal(first.bytesUsed, a.length)
      const next = decode(both.subarray(first.bytesUsed), { width: 1728 })
      assert.equal(differenceOf(next.bitmap, second), '')
    }
  })

  it('decode exactly the rows asked for', () => {
    const result = decodeMr(encodeMr(page), { width: 1728, rows: 10 })
    assert.equal(result.end, 'row-count')
    assert.equal(differenceOf(result.bitmap, topRows(page, 10)), '')
  })

  it('repair a damaged MH line with the line above, or throw without repairBadLines', () => {
    const bits = toBits(encodeMh(mixed))
    const ends = eolEnds(bits)
    const start = ends[5] ?? 0 // line 5's data
    const end = (ends[6] ?? 0) - 12
    const damaged = fromBits(
      bits.slice(0, start) + bits.slice(start, (start + end) >> 1) + bits.slice(end),
    )
    assert.throws(
      () => decodeMh(damaged, { width: mixed.width }),
      (error) => error instanceof CodecError && /line 6/.test(error.message),
    )
    const result = decodeMh(damaged, { width: mixed.width, repairBadLines: true })
    assert.equal(result.badRows, 1)
    assert.equal(result.bitmap.height, mixed.height)
    assert.deepEqual(rowOf(result.bitmap, 5), rowOf(mixed, 4), 'line 5 is a copy of line 4')
    for (let y = 0; y < mixed.height; y++) {
      if (y !== 5) {
        assert.deepEqual(rowOf(result.bitmap, y), rowOf(mixed, y), `row ${y}`)
      }
    }
  })

  it('repair a damaged MR line; the next 1-D line is right again', () => {
    const bits = toBits(encodeMr(mixed, { k: 4 }))
    const ends = eolEnds(bits)
    const start = ends[5] ?? 0
    const end = (ends[6] ?? 0) - 12
    const damaged = fromBits(bits.slice(0, start) + bits.slice(start, start + 9) + bits.slice(end))
    const result = decodeMr(damaged, { width: mixed.width, repairBadLines: true })
    assert.ok(result.badRows >= 1)
    assert.equal(result.bitmap.height, mixed.height)
    for (let y = 0; y < mixed.height; y++) {
      if (y < 5 || y >= 8) {
        assert.deepEqual(rowOf(result.bitmap, y), rowOf(mixed, y), `row ${y}`)
      }
    }
  })
})
