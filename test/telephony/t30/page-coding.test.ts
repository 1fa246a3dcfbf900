/**
 * Pages coded for the line (page-coding.ts, page-format.ts): every coding at every resolution
 * decodes back to the page; a page goes down in resolution by OR-ing rows and never up; MH and
 * MR without ECM make every line last the receiver's minimum scan-line time, with the times
 * spandsp derives from the DIS; the streams end as T.4 and T.6 say (RTC, EOFB, K); MMR without
 * ECM and pages of the wrong width are refused.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type Bitmap, blankBitmap, isBlack, setBlack } from '../../../src/codec/bitmap.js'
import { type DecodeResult } from '../../../src/codec/decoded-rows.js'
import { decodeMh, decodeMr, encodeMh, encodeMr } from '../../../src/codec/t4.js'
import { decodeMmr } from '../../../src/codec/t6.js'
import { convertResolution, encodePageForLine } from '../../../src/telephony/t30/page-coding.js'
import {
  type Coding,
  type PageFormat,
  type VerticalResolution,
  PageFormatError,
  minBitsPerLine,
  minScanLineMsForPage,
} from '../../../src/telephony/t30/page-format.js'
import { differenceOf, paintRun, randomPage, typedPage } from '../../codec/pages.js'

const EOL = '000000000001'
const RESOLUTIONS: readonly VerticalResolution[] = ['standard', 'fine', 'superfine']

function format(overrides: Partial<PageFormat> = {}): PageFormat {
  return {
    coding: 'mh',
    resolution: 'fine',
    ecm: false,
    minScanLineMs: 0,
    bitRate: 14400,
    width: 1728,
    ...overrides,
  }
}

function toBits(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('')
}

/** Where each EOL starts (after any fill before it): data never holds 11 zeros in a row. */
function eolStarts(bits: string): number[] {
  return [...bits.matchAll(/0{11,}1/g)].map((m) => m.index + m[0].length - EOL.length)
}

function decode(coding: Coding, data: Uint8Array): DecodeResult {
  const decoder = coding === 'mh' ? decodeMh : coding === 'mr' ? decodeMr : decodeMmr
  return decoder(data, { width: 1728 })
}

/** Rows OR-ed in groups of `factor`, pixel by pixel: what convertResolution must give. */
function orRows(page: Bitmap, factor: number): Bitmap {
  const out = blankBitmap(page.width, Math.ceil(page.height / factor))
  for (let y = 0; y < page.height; y++) {
    for (let x = 0; x < page.width; x++) {
      if (isBlack(page, x, y)) {
        setBlack(out, x, Math.floor(y / factor))
      }
    }
  }
  return out
}

const page = typedPage(21, 1728, 700)

test('every coding at every resolution decodes to the same pixels', () => {
  for (const resolution of RESOLUTIONS) {
    for (const [coding, ecm] of [
      ['mh', false],
      ['mh', true],
      ['mr', false],
      ['mr', true],
      ['mmr', true],
    ] as const) {
      const what = `${coding}${ecm ? '+ECM' : ''} at ${resolution}`
      const data = encodePageForLine(
        { bitmap: page, resolution },
        format({ coding, resolution, ecm, minScanLineMs: ecm ? 0 : 10 }),
      )
      const result = decode(coding, data)
      assert.equal(differenceOf(result.bitmap, page), '', what)
      assert.equal(result.end, 'marker', `${what}: ends with RTC/EOFB`)
      assert.equal(result.bytesUsed, data.length, `${what}: nothing after the end marker`)
    }
  }
})

test('a page converted down ORs its rows, so a line one row high stays black', () => {
  const superfine = blankBitmap(1728, 13)
  paintRun(superfine, 5, 100, 900) // one row high, on an odd row
  paintRun(superfine, 8, 1000, 1001) // one pel
  paintRun(superfine, 12, 0, 1728) // the last row, alone in its group
  const fine = convertResolution(superfine, 'superfine', 'fine')
  assert.equal(fine.height, 7)
  assert.ok(isBlack(fine, 100, 2) && isBlack(fine, 899, 2) && !isBlack(fine, 900, 2))
  assert.ok(isBlack(fine, 1000, 4))
  assert.ok(isBlack(fine, 0, 6) && isBlack(fine, 1727, 6))
  const standard = convertResolution(superfine, 'superfine', 'standard')
  assert.equal(standard.height, 4)
  assert.ok(isBlack(standard, 100, 1) && isBlack(standard, 1000, 2) && isBlack(standard, 5, 3))

  const random = randomPage(22, 1728, 41, { meanWhite: 40, meanBlack: 3 })
  assert.equal(differenceOf(convertResolution(random, 'superfine', 'fine'), orRows(random, 2)), '')
  assert.equal(differenceOf(convertResolution(random, 'fine', 'standard'), orRows(random, 2)), '')
  assert.equal(
    differenceOf(convertResolution(random, 'superfine', 'standard'), orRows(random, 4)),
    '',
  )
  assert.equal(convertResolution(random, 'fine', 'fine'), random)
})

test('a page sent at a lower resolution arrives converted, at every coding', () => {
  const superfine = typedPage(23, 1728, 401)
  paintRun(superfine, 377, 50, 1700) // a hairline on an odd row
  for (const [from, to] of [
    ['superfine', 'fine'],
    ['superfine', 'standard'],
    ['fine', 'standard'],
  ] as const) {
    for (const coding of ['mh', 'mr', 'mmr'] as const) {
      const data = encodePageForLine(
        { bitmap: superfine, resolution: from },
        format({ coding, resolution: to, ecm: coding === 'mmr' }),
      )
      const expected = convertResolution(superfine, from, to)
      const decoded = decode(coding, data).bitmap
      assert.equal(differenceOf(decoded, expected), '', `${from} → ${to}, ${coding}`)
      const hairline = Math.floor(377 / (from === 'superfine' && to === 'standard' ? 4 : 2))
      assert.ok(isBlack(decoded, 50, hairline) && isBlack(decoded, 1699, hairline))
    }
  }
})

test('a page is never converted up, and only 1728-pel pages are coded', () => {
  const expectError = (code: string) => (error: unknown) =>
    error instanceof PageFormatError && error.code === code
  for (const [from, to] of [
    ['standard', 'fine'],
    ['standard', 'superfine'],
    ['fine', 'superfine'],
  ] as const) {
    assert.throws(
      () =>
        encodePageForLine(
          { bitmap: blankBitmap(1728, 4), resolution: from },
          format({ resolution: to }),
        ),
      expectError('resolution'),
    )
  }
  assert.throws(
    () => encodePageForLine({ bitmap: blankBitmap(1731, 4), resolution: 'fine' }, format()),
    expectError('width'),
  )
  assert.throws(
    () => encodePageForLine({ bitmap: blankBitmap(2048, 4), resolution: 'fine' }, format()),
    /1728 pels/,
  )
})

test('MMR is refused without ECM', () => {
  assert.throws(
    () =>
      encodePageForLine(
        { bitmap: page, resolution: 'fine' },
        format({ coding: 'mmr', ecm: false }),
      ),
    (error: unknown) => error instanceof PageFormatError && error.code === 'coding',
  )
})

test('minimum scan-line times follow the DIS codes as spandsp translates them', () => {
  // DIS bits 21–23 as spandsp numbers them (b21 + 2·b22 + 4·b23): standard time, "½" flag.
  const disCodes: readonly [number, boolean][] = [
    [20, false],
    [5, false],
    [10, false],
    [20, true],
    [40, false],
    [40, true],
    [10, true],
    [0, false],
  ]
  // spandsp t30.c translate_min_scan_time[][] (rows: standard, fine, superfine with bit 46).
  const standard = [20, 5, 10, 20, 40, 40, 10, 0]
  const fine = [20, 5, 10, 10, 40, 20, 5, 0]
  const superfineHalved = [10, 5, 5, 5, 20, 10, 5, 0]
  disCodes.forEach(([ms, half], code) => {
    const at = (resolution: VerticalResolution, halfSuperfine = false): number =>
      minScanLineMsForPage(
        format({
          resolution,
          minScanLineMs: ms,
          halfMinScanAtFine: half,
          halfMinScanAtSuperfine: halfSuperfine,
        }),
      )
    assert.equal(at('standard'), standard[code], `code ${code} standard`)
    assert.equal(at('fine'), fine[code], `code ${code} fine`)
    assert.equal(at('superfine'), fine[code], `code ${code} superfine without bit 46`)
    assert.equal(at('superfine', true), superfineHalved[code], `code ${code} superfine, bit 46`)
  })
  assert.equal(minBitsPerLine(format({ resolution: 'standard', minScanLineMs: 20 })), 288)
  assert.equal(minBitsPerLine(format({ minScanLineMs: 20, halfMinScanAtFine: true })), 144)
  assert.equal(minBitsPerLine(format({ minScanLineMs: 10, bitRate: 9600 })), 96)
  assert.equal(minBitsPerLine(format({ minScanLineMs: 40, bitRate: 2400 })), 96)
  assert.equal(minBitsPerLine(format({ minScanLineMs: 20, ecm: true })), 0, 'ECM: no fill')
  assert.equal(minBitsPerLine(format({ minScanLineMs: 0 })), 0)
})

test('MH and MR lines without ECM last at least the minimum scan-line time', () => {
  const sparse = blankBitmap(1728, 120)
  for (let y = 0; y < 120; y += 7) {
    paintRun(sparse, y, 300 + y, 1400 - y)
  }
  for (const [coding, resolution, ms, bitRate] of [
    ['mh', 'standard', 20, 14400],
    ['mh', 'fine', 40, 9600],
    ['mr', 'fine', 20, 14400],
    ['mr', 'superfine', 10, 7200],
  ] as const) {
    const f = format({ coding, resolution, minScanLineMs: ms, bitRate })
    const minBits = (bitRate * ms) / 1000
    assert.equal(minBitsPerLine(f), minBits)
    const bits = toBits(encodePageForLine({ bitmap: sparse, resolution }, f))
    const starts = eolStarts(bits)
    assert.equal(starts.length, sparse.height + 6, `${coding}: an EOL per line, 6 for RTC`)
    for (let line = 0; line < sparse.height; line++) {
      const length = (starts[line + 1] ?? 0) - (starts[line] ?? 0)
      assert.ok(length >= minBits, `${coding} line ${line}: ${length} bits < ${minBits}`)
      if (rowIsWhite(sparse, line)) {
        assert.equal(length, minBits, `${coding} line ${line}: a white line is padded exactly`)
      }
    }
  }
})

/** True when row y is all white. */
function rowIsWhite(bitmap: Bitmap, y: number): boolean {
  return bitmap.data.subarray(y * bitmap.rowBytes, (y + 1) * bitmap.rowBytes).every((b) => b === 0)
}

test('with ECM the page has no fill, whatever the minimum scan-line time', () => {
  for (const resolution of RESOLUTIONS) {
    const f = format({ resolution, ecm: true, minScanLineMs: 40 })
    assert.deepEqual(encodePageForLine({ bitmap: page, resolution }, f), encodeMh(page))
    const mr = encodePageForLine({ bitmap: page, resolution }, { ...f, coding: 'mr' })
    const k = { standard: 2, fine: 4, superfine: 8 }[resolution]
    assert.deepEqual(mr, encodeMr(page, { k }))
  }
})

test('MH ends with RTC = 6 × EOL, MR with 6 × (EOL + 1) and a 1-D line every K', () => {
  const mh = toBits(encodePageForLine({ bitmap: page, resolution: 'fine' }, format()))
  assert.match(mh, new RegExp(`1${EOL.repeat(6)}0{0,7}$`), 'MH: RTC, then zero bits to the octet')

  for (const [resolution, k] of [
    ['standard', 2],
    ['fine', 4],
    ['superfine', 8],
  ] as const) {
    const bits = toBits(
      encodePageForLine({ bitmap: page, resolution }, format({ coding: 'mr', resolution })),
    )
    assert.match(bits, new RegExp(`${(EOL + '1').repeat(6)}0{0,7}$`), `MR ${resolution}: RTC`)
    const tags = eolStarts(bits)
      .slice(0, page.height)
      .map((start) => bits[start + EOL.length])
    const expected = Array.from({ length: page.height }, (_, y) => (y % k === 0 ? '1' : '0'))
    assert.deepEqual(tags, expected, `MR ${resolution}: K = ${k}`)
  }
})

test('MMR ends with EOFB = 2 × EOL, padded with zero bits', () => {
  for (const resolution of RESOLUTIONS) {
    const data = encodePageForLine(
      { bitmap: page, resolution },
      format({ coding: 'mmr', resolution, ecm: true }),
    )
    assert.match(toBits(data), new RegExp(`${EOL}${EOL}0{0,7}$`), resolution)
    assert.ok(!toBits(data.subarray(0, 8)).startsWith(EOL), 'no EOL before the first line')
  }
})
