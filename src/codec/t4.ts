/**
 * ITU-T T.4 Group 3 pages: MH (the one-dimensional coding of §4.1) and MR (the optional
 * two-dimensional coding of §4.2), encoded from and decoded to a Bitmap. A raw page is what a
 * fax modem sends in non-ECM mode: every line is preceded by an EOL, the page ends with RTC,
 * the first-coded bit is the most significant bit of each octet (TIFF FillOrder 1).
 */
import { BitReader } from './bit-reader.js'
import { BitWriter } from './bit-writer.js'
import { type Bitmap } from './bitmap.js'
import {
  changeListLength,
  findChanges,
  paintChanges,
  sameChanges,
  whiteChangeList,
} from './changing-elements.js'
import { CodecError } from './codec-error.js'
import {
  type DecodeEnd,
  type DecodeResult,
  type T4DecodeOptions,
  DEFAULT_MAX_PIXELS,
  RowStore,
} from './decoded-rows.js'
import { decode1dRow, encode1dRow } from './one-dimensional.js'
import { EOL_BITS, EOL_CODE } from './t4-codes.js'
import { decode2dRow, encode2dRow } from './two-dimensional.js'

export interface T4EncodeOptions {
  /**
   * The minimum transmission time of a total coded scan line (non-ECM), met with T.4 fill: zero
   * bits are put before each EOL so that every coded line (its EOL, data and fill) is at least
   * this many bits long (e.g. 20 ms at 9600 bit/s = 192 bits). Default 0 (no minimum).
   */
  readonly minBitsPerLine?: number
  /**
   * Put fill before each EOL so that the EOL ends on an octet boundary (TIFF T4Options bit 2,
   * "Fill bits have been added as necessary before EOL codes such that EOL always ends on a
   * byte boundary"). Default false.
   */
  readonly alignEol?: boolean
  /** End the page with RTC (T.4 §4.1.4). Default true; TIFF strips leave it out. */
  readonly rtc?: boolean
}

export interface MrEncodeOptions extends T4EncodeOptions {
  /**
   * The K parameter of T.4 §4.2.1: after each one-dimensionally coded line, at most K − 1
   * successive lines are coded two-dimensionally. Default 4 (fine resolution).
   */
  readonly k?: number
}

/**
 * The K parameter of T.4 §4.2.1 for a vertical resolution: 2 for standard (about 98 lines per
 * inch), 4 for fine (196); for higher resolutions T.4 allows larger K, 8 is used here.
 */
export function mrKForResolution(yDpi: number): number {
  if (yDpi < 150) {
    return 2
  }
  return yDpi < 300 ? 4 : 8
}

/** Encodes a page with MH (T.4 one-dimensional coding): EOL before every line, then RTC. */
export function encodeMh(bitmap: Bitmap, options: T4EncodeOptions = {}): Uint8Array {
  return encodeT4(bitmap, options, 1, false)
}

/**
 * Encodes a page with MR (T.4 two-dimensional coding): each line is EOL + a tag bit, 1 for a
 * 1-D line and 0 for a 2-D one; line 0 and every K-th line after it are 1-D.
 */
export function encodeMr(bitmap: Bitmap, options: MrEncodeOptions = {}): Uint8Array {
  const k = options.k ?? 4
  if (!Number.isSafeInteger(k) || k < 1) {
    throw new CodecError('bad-argument', `K must be a whole number ≥ 1, not ${k}`)
  }
  return encodeT4(bitmap, options, k, true)
}

/** Checks that a bitmap is laid out as bitmap.ts describes before coding it. */
export function checkBitmap(bitmap: Bitmap): void {
  const { width, height, rowBytes, data } = bitmap
  if (!Number.isSafeInteger(width) || width < 1 || !Number.isSafeInteger(height) || height < 0) {
    throw new CodecError('bad-argument', `cannot code a ${width}×${height} bitmap`)
  }
  if (rowBytes !== Math.ceil(width / 8) || data.length < rowBytes * height) {
    throw new CodecError(
      'bad-argument',
      `a ${width}×${height} bitmap needs rowBytes ${Math.ceil(width / 8)} and ${Math.ceil(width / 8) * height} octets`,
    )
  }
}

function encodeT4(bitmap: Bitmap, options: T4EncodeOptions, k: number, mr: boolean): Uint8Array {
  checkBitmap(bitmap)
  const { width, height, rowBytes, data } = bitmap
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const minBits = options.minBitsPerLine ?? 0
  const alignEol = options.alignEol ?? false
  const w = new BitWriter(Math.max(4096, (rowBytes * height) >> 3))
  let ref = whiteChangeList(width)
  let cur: Int32Array = new Int32Array(changeListLength(width))
  /** Where the EOL of the line being coded starts, −1 before the first. */
  let lineStart = -1

  // T.4 §4.1.3: "FILL may be inserted between a line of DATA and an EOL, but never within a
  // line of DATA."
  const putEol = (tag: number): void => {
    if (lineStart >= 0 && minBits > 0) {
      const used = w.bitLength - lineStart
      if (used < minBits) {
        w.writeZeros(minBits - used)
      }
    }
    if (alignEol) {
      w.writeZeros((8 - ((w.bitLength + EOL_BITS) & 7)) & 7)
    }
    lineStart = w.bitLength
    w.write(EOL_CODE, EOL_BITS)
    if (mr) {
      w.write(tag, 1)
    }
  }

  for (let y = 0; y < height; y++) {
    const count = findChanges(view, y * rowBytes, width, cur)
    if (!mr || y % k === 0) {
      putEol(1)
      encode1dRow(w, cur, count, width)
    } else {
      putEol(0)
      encode2dRow(w, ref, cur, width)
    }
    const swap = ref
    ref = cur
    cur = swap
  }
  if (options.rtc ?? true) {
    // T.4 §4.1.4: "The end of a document transmission is indicated by sending six consecutive
    // EOLs." With two-dimensional coding each of them is followed by the tag bit 1.
    putEol(1)
    for (let i = 1; i < 6; i++) {
      w.write(EOL_CODE, EOL_BITS)
      if (mr) {
        w.write(1, 1)
      }
    }
  }
  return w.finish()
}

/**
 * Decodes an MH page. Accepts lines with or without a preceding EOL, fill before EOLs, and a
 * page that ends with RTC, without it, or in the middle of a line (reported in `end`).
 */
export function decodeMh(data: Uint8Array, options: T4DecodeOptions): DecodeResult {
  return decodeT4(data, options, false)
}

/**
 * Decodes an MR page; the tag bit after each EOL says whether the line is 1-D or 2-D. A line
 * without an EOL has no tag: the first line is then taken as 1-D, any other as 2-D.
 */
export function decodeMr(data: Uint8Array, options: T4DecodeOptions): DecodeResult {
  return decodeT4(data, options, true)
}

function decodeT4(data: Uint8Array, options: T4DecodeOptions, mr: boolean): DecodeResult {
  const scheme = mr ? 'MR' : 'MH'
  const store = new RowStore(options.width, options.rows, options.maxPixels ?? DEFAULT_MAX_PIXELS)
  const width = store.width
  const r = new BitReader(data)
  let ref = whiteChangeList(width)
  let refCount = 0
  let cur: Int32Array = new Int32Array(changeListLength(width))
  let badRows = 0
  let end: DecodeEnd
  for (;;) {
    if (options.rows !== undefined && store.height >= options.rows) {
      end = 'row-count'
      break
    }
    // EOLs, each after optional fill: "EOL: 000000000001"; fill is zeros before it, so any
    // run of 11 or more zeros followed by a one is (fill +) EOL. Two or more in a row with no
    // line between them are RTC.
    let eols = 0
    let tag = 1
    let dataEnded = false
    for (;;) {
      const zeros = r.countZeros()
      if (zeros >= r.remaining) {
        dataEnded = true
        break
      }
      if (zeros < EOL_BITS - 1) {
        break
      }
      r.skip(zeros + 1)
      eols++
      if (mr) {
        if (r.remaining <= 0) {
          dataEnded = true
          break
        }
        tag = r.peek(1)
        r.skip(1)
      }
      if (eols === 6) {
        break
      }
    }
    if (eols >= 2) {
      end = 'marker'
      break
    }
    if (dataEnded) {
      end = 'end-of-data'
      break
    }
    const oneDimensional = !mr || (eols > 0 ? tag === 1 : store.height === 0)
    const lineStart = r.pos
    let count: number
    try {
      count = oneDimensional ? decode1dRow(r, width, cur) : decode2dRow(r, ref, width, cur)
    } catch (error) {
      if (!(error instanceof CodecError)) {
        throw error
      }
      if (error.code === 'truncated') {
        end = 'truncated'
        break
      }
      if (!(options.repairBadLines ?? false)) {
        throw new CodecError(
          error.code,
          `${scheme} line ${store.height + 1} (bit ${r.pos}): ${error.message}`,
        )
      }
      badRows++
      store.addRow()
      store.repeatPreviousRow()
      // The reference for the next 2-D line stays `ref`, the line just repeated.
      skipToEol(r, lineStart)
      continue
    }
    const offset = store.addRow()
    if (count > 0 && count === refCount && sameChanges(cur, ref, count)) {
      // the line above again (common: strokes and rules go straight down): copy its octets
      store.repeatPreviousRow()
    } else {
      paintChanges(cur, count, width, store.view, offset)
    }
    const swap = ref
    ref = cur
    cur = swap
    refCount = count
  }
  return {
    bitmap: store.bitmap(),
    end,
    bytesUsed: Math.min(data.length, Math.ceil(r.pos / 8)),
    badRows,
  }
}

/**
 * Moves the reader to the next EOL (a run of at least 11 zeros followed by a one) that starts
 * after `lineStart`, or to the end of the data. The search starts at the line's first bit, not
 * where the error showed: a damaged line can have read part of the EOL that follows it.
 */
function skipToEol(r: BitReader, lineStart: number): void {
  r.pos = lineStart
  for (;;) {
    const zeros = r.countZeros()
    if (zeros >= r.remaining || (zeros >= EOL_BITS - 1 && r.pos > lineStart)) {
      return
    }
    r.skip(zeros + 1)
  }
}
