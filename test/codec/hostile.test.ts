/**
 * Hostile input: random garbage, damaged and truncated streams for the raw decoders, and crafted
 * TIFF files (IFD loops, huge dimensions, offsets and counts past the end, too many pages, cut
 * off files, random mutations). Every failure must be a CodecError, raised before anything
 * large is allocated; nothing may hang or throw anything else.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { blankBitmap } from '../../src/codec/bitmap.js'
import { CodecError, type CodecErrorCode } from '../../src/codec/codec-error.js'
import { type DecodeResult } from '../../src/codec/decoded-rows.js'
import { decodeMh, decodeMr, encodeMh, encodeMr } from '../../src/codec/t4.js'
import { decodeMmr, encodeMmr } from '../../src/codec/t6.js'
import { listTiffPages, readTiff } from '../../src/codec/tiff-read.js'
import { writeEncodedTiffF, writeTiffF } from '../../src/codec/tiff-write.js'
import { randomPage, seededRandom, typedPage } from './pages.js'
import { ifdOffsets, setNextIfd, setTag, setTagCount } from './tiff-patch.js'

/** Runs fn; returns the CodecError code it threw, or 'ok'. Any other throw fails the test. */
function outcome(fn: () => unknown): CodecErrorCode | 'ok' {
  try {
    fn()
    return 'ok'
  } catch (error) {
    assert.ok(error instanceof CodecError, `not a CodecError: ${String(error)}`)
    assert.ok(error.message.length > 10)
    return error.code
  }
}

function expectCodecError(fn: () => unknown, code: CodecErrorCode, message?: RegExp): void {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof CodecError, `not a CodecError: ${String(error)}`)
    assert.equal(error.code, code, error.message)
    if (message !== undefined) {
      assert.match(error.message, message)
    }
    return true
  })
}

const decoders: [string, (data: Uint8Array, width: number, repair: boolean) => DecodeResult][] = [
  ['MH', (d, width, repairBadLines) => decodeMh(d, { width, repairBadLines })],
  ['MR', (d, width, repairBadLines) => decodeMr(d, { width, repairBadLines })],
  ['MMR', (d, width) => decodeMmr(d, { width })],
]

describe('raw decoders on hostile data', () => {
  it('answer random garbage with a result or a CodecError, within the pixel budget', () => {
    const rand = seededRandom(99)
    const seen = new Map<string, number>()
    for (let trial = 0; trial < 400; trial++) {
      const data = new Uint8Array(Math.floor(rand() * 3000))
      const style = trial % 4
      for (let i = 0; i < data.length; i++) {
        const r = rand()
        // uniform octets, mostly zero, mostly one, or sparse bits
        data[i] =
          [
            Math.floor(r * 256),
            r < 0.8 ? 0 : Math.floor(rand() * 256),
            r < 0.8 ? 0xff : Math.floor(rand() * 256),
            r < 0.5 ? 0 : 1 << Math.floor(rand() * 8),
          ][style] ?? 0
      }
      const width = [1, 13, 1728, 4000][trial % 4] ?? 1728
      for (const [name, decode] of decoders) {
        for (const repair of [false, true]) {
          const what = outcome(() => {
            const result = decode(data, width, repair)
            assert.ok(result.bitmap.width * result.bitmap.height <= 200_000_000)
            assert.equal(result.bitmap.data.length, result.bitmap.rowBytes * result.bitmap.height)
          })
          seen.set(`${name} ${what}`, (seen.get(`${name} ${what}`) ?? 0) + 1)
        }
      }
    }
    // garbage must not all be accepted: the decoders do find errors in it
    assert.ok((seen.get('MH corrupt') ?? 0) > 0 && (seen.get('MMR corrupt') ?? 0) > 0)
  })

  it('answer bit-flipped pages with a result or a CodecError; with repair MH/MR always decode', () => {
    const page = typedPage(51, 1728, 300)
    const streams = [encodeMh(page), encodeMr(page, { k: 4 }), encodeMmr(page)]
    const rand = seededRandom(7)
    for (let trial = 0; trial < 300; trial++) {
      streams.forEach((stream, s) => {
        const data = stream.slice()
        for (let flips = 1 + (trial % 5); flips > 0; flips--) {
          const bit = Math.floor(rand() * data.length * 8)
          data[bit >> 3] = (data[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7))
        }
        const [, decode] = decoders[s] ?? assert.fail()
        outcome(() => decode(data, 1728, false))
        if (s < 2) {
          const result = decode(data, 1728, true)
          assert.ok(result.bitmap.height <= page.height + 6)
        }
      })
    }
  })

  it('refuse, before allocating, a stream that decodes to more rows than the budget', () => {
    // every "1" bit of MMR is a blank row (V0): 1 MB of 0xff would be 8 million rows
    const ones = new Uint8Array(1 << 20).fill(0xff)
    expectCodecError(() => decodeMmr(ones, { width: 1728 }), 'too-large', /budget/)
    expectCodecError(
      () => decodeMmr(ones, { width: 1728, maxPixels: 1728 * 100 }),
      'too-large',
      /more than 100 rows/,
    )
    expectCodecError(() => decodeMh(ones, { width: 1728, rows: 200_000 }), 'too-large')
    expectCodecError(() => decodeMr(ones, { width: 20_000_000_000 }), 'too-large')
  })

  it('take a megabyte of zeros (fill without EOL) as an empty page', () => {
    for (const [, decode] of decoders) {
      const result = decode(new Uint8Array(1 << 20), 1728, false)
      assert.equal(result.bitmap.height, 0)
      assert.equal(result.end, 'end-of-data')
    }
  })

  it('refuse 2-D extension (uncompressed mode) codes as unsupported', () => {
    // MMR: 0000001 111 = extension code with uncompressed-mode value
    expectCodecError(() => decodeMmr(new Uint8Array([0x03, 0xc0]), { width: 1728 }), 'unsupported')
  })
})

describe('TIFF reader on hostile files', () => {
  const small = writeTiffF(
    [
      { bitmap: randomPage(61, 300, 40, { meanWhite: 9, meanBlack: 4 }), compression: 'mh', xDpi: 204, yDpi: 98 },
      { bitmap: randomPage(62, 300, 40, { meanWhite: 9, meanBlack: 4 }), compression: 'mr', xDpi: 204, yDpi: 196 },
      { bitmap: randomPage(63, 300, 40, { meanWhite: 9, meanBlack: 4 }), compression: 'mmr', xDpi: 204, yDpi: 392 },
    ],
  ) // prettier-ignore

  it('reads the unharmed file (the cases below start from it)', () => {
    assert.equal(readTiff(small).length, 3)
  })

  it('refuses files that are not TIFF, and BigTIFF', () => {
    expectCodecError(() => readTiff(new Uint8Array(0)), 'corrupt')
    expectCodecError(() => readTiff(new TextEncoder().encode('%PDF-1.7 not a tiff')), 'corrupt')
    expectCodecError(() => readTiff(new Uint8Array([0x49, 0x49, 41, 0, 8, 0, 0, 0])), 'corrupt')
    expectCodecError(
      () => readTiff(new Uint8Array([0x4d, 0x4d, 0, 43, 0, 8, 0, 0, 0, 0, 0, 0, 0, 16])),
      'unsupported',
      /BigTIFF/,
    )
    expectCodecError(() => readTiff(new Uint8Array([0x49, 0x49, 42, 0, 0, 0, 0, 0])), 'corrupt')
  })

  it('refuses IFD chains that loop', () => {
    const self = small.slice()
    setNextIfd(self, 0, ifdOffsets(self)[0] ?? 0)
    expectCodecError(() => listTiffPages(self), 'corrupt', /loops/)
    const cycle = small.slice()
    setNextIfd(cycle, 2, ifdOffsets(cycle)[1] ?? 0)
    expectCodecError(() => listTiffPages(cycle), 'corrupt', /loops/)
  })

  it('refuses offsets and counts that point past the end of the file', () => {
    const cases: [string, (bytes: Uint8Array) => void][] = [
      ['first IFD', (b) => new DataView(b.buffer).setUint32(4, b.length + 10, true)],
      ['next IFD', (b) => setNextIfd(b, 0, 0xfffffff0)],
      ['strip offset', (b) => setTag(b, 1, 273, b.length - 2)],
      ['strip byte count', (b) => setTag(b, 2, 279, 0x7fffffff)],
      ['strip offsets count', (b) => setTagCount(b, 0, 273, 0xffffffff)],
      ['resolution', (b) => setTag(b, 0, 282, 0xfffffff0)],
      ['page number count', (b) => setTagCount(b, 1, 297, 0x40000000)],
      [
        'IFD entry count',
        (b) => new DataView(b.buffer).setUint16(ifdOffsets(b)[2] ?? 0, 999, true),
      ],
    ]
    for (const [name, damage] of cases) {
      const bytes = small.slice()
      damage(bytes)
      assert.equal(
        outcome(() => readTiff(bytes)),
        'corrupt',
        name,
      )
    }
    const tooMany = small.slice()
    new DataView(tooMany.buffer).setUint16(ifdOffsets(tooMany)[0] ?? 0, 60_000, true)
    expectCodecError(() => listTiffPages(tooMany), 'corrupt', /60000 entries/)
  })

  it('refuses huge dimensions before allocating anything', () => {
    const cases: [number, number, RegExp][] = [
      [256, 100_000, /wide/],
      [257, 10_000_000, /budget/],
      [257, 0, /0 pixels/],
    ]
    for (const [tag, value, message] of cases) {
      const bytes = small.slice()
      setTag(bytes, 1, tag, value)
      assert.throws(() => listTiffPages(bytes), message)
    }
    const wide = small.slice()
    setTag(wide, 0, 256, 9000)
    setTag(wide, 0, 257, 30_000)
    expectCodecError(() => listTiffPages(wide), 'too-large')
    expectCodecError(() => listTiffPages(small, { maxPixels: 300 * 39 }), 'too-large')
    expectCodecError(() => readTiff(small, { maxTotalPixels: 300 * 40 * 2 }), 'too-large')
    assert.equal(readTiff(small, { maxTotalPixels: 300 * 40 * 3 }).length, 3)
  })

  it('refuses more IFDs than the page budget', () => {
    expectCodecError(() => listTiffPages(small, { maxPages: 2 }), 'too-large', /more than 2/)
    const one = { width: 1, height: 1, compression: 'none' as const, data: new Uint8Array(1) }
    const many = writeEncodedTiffF(
      Array.from({ length: 10_001 }, () => one),
      {
        xDpi: 204,
        yDpi: 196,
      },
    )
    expectCodecError(() => listTiffPages(many), 'too-large', /10000 IFDs/)
  })

  it('reports a strip that holds fewer rows than the page says', () => {
    const bytes = small.slice()
    setTag(bytes, 2, 257, 80)
    setTag(bytes, 2, 278, 80)
    expectCodecError(() => readTiff(bytes), 'truncated', /page 3 strip 1/)
    const shortStrip = small.slice()
    const strip = listTiffPages(shortStrip)[0]?.strips[0] ?? assert.fail()
    setTag(shortStrip, 0, 279, strip.byteCount >> 1)
    expectCodecError(() => readTiff(shortStrip), 'truncated')
  })

  it('answers the file cut off at every length with a CodecError', () => {
    for (let cut = 0; cut < small.length; cut += 3) {
      const what = outcome(() => readTiff(small.subarray(0, cut)))
      assert.notEqual(what, 'ok', `cut at ${cut}`)
    }
  })

  it('answers 2,000 random mutations with pages or a CodecError', () => {
    const rand = seededRandom(1234)
    const counts = new Map<string, number>()
    for (let trial = 0; trial < 2000; trial++) {
      const bytes = small.slice()
      for (let n = 1 + (trial % 4); n > 0; n--) {
        // mutate the IFDs and header more often than the coded data
        const at = rand() < 0.7 ? Math.floor(rand() * 400) : Math.floor(rand() * bytes.length)
        bytes[at % bytes.length] = Math.floor(rand() * 256)
      }
      const what = outcome(() => readTiff(bytes, { maxTotalPixels: 50_000_000 }))
      counts.set(what, (counts.get(what) ?? 0) + 1)
    }
    assert.ok(
      (counts.get('ok') ?? 0) > 0 && (counts.get('corrupt') ?? 0) > 0,
      JSON.stringify([...counts]),
    )
  })

  it('keeps a blank page of the largest allowed size within budget', () => {
    const bytes = writeEncodedTiffF(
      [
        {
          width: 10_000,
          height: 20_000,
          compression: 'mmr',
          data: encodeMmr(blankBitmap(10_000, 1)),
        },
      ],
      { xDpi: 204, yDpi: 196 },
    )
    // one row of data for 20,000 declared rows: the decoder stops at the end of the data
    expectCodecError(() => readTiff(bytes), 'truncated', /1 of 20000 rows/)
  })
})
