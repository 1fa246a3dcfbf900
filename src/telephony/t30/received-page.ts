/**
 * The receiving side of phase C's image: a page's coded data decoded to a bitmap, with the copy
 * quality the receiver answers by, and the received pages written as a TIFF-F file.
 *
 * Without ECM the data comes as the line delivered it, with errors: each line, from one EOL to
 * the next, is decoded on its own, and a line that does not decode to exactly 1728 pels is a
 * bad row, replaced by the row above (T.4 §4.1.2: the EOL "is a unique code word that can never
 * be found within a valid line of data; therefore, resynchronization after an error burst is
 * possible"). The share of bad rows gives the verdict, as spandsp's `copy_quality` judges it
 * with the TSB85 thresholds: under 5 % good (MCF), under 15 % poor (RTP), else bad (RTN). With
 * ECM the data is error-free by construction (every frame passed its FCS), so it is decoded
 * strictly, and a page that does not decode is bad. The engine maps the verdict to its answer.
 */
import { BitReader } from '../../codec/bit-reader.js'
import { type Bitmap, blankBitmap } from '../../codec/bitmap.js'
import {
  changeListLength,
  paintChangingElements,
  whiteChangeList,
} from '../../codec/changing-elements.js'
import { CodecError } from '../../codec/codec-error.js'
import { type DecodeResult, RowStore } from '../../codec/decoded-rows.js'
import { decode1dRow } from '../../codec/one-dimensional.js'
import { decodeMh, decodeMr } from '../../codec/t4.js'
import { EOL_BITS } from '../../codec/t4-codes.js'
import { decodeMmr } from '../../codec/t6.js'
import { writeTiffF } from '../../codec/tiff-write.js'
import { decode2dRow } from '../../codec/two-dimensional.js'
import {
  type Coding,
  type PageFormat,
  type VerticalResolution,
  LINES_PER_INCH,
  PELS_PER_INCH,
} from './page-format.js'

/**
 * How a received page came out: 'good' → MCF, 'poor' → RTP (accepted, but retrain), 'bad' →
 * RTN (not accepted). The three levels of spandsp's `copy_quality` (its "perfect" is 'good').
 */
export type CopyQuality = 'good' | 'poor' | 'bad'

export interface ReceivedPage {
  readonly bitmap: Bitmap
  readonly resolution: VerticalResolution
  /** Rows decoded, bad ones included: the bitmap's height. */
  readonly rows: number
  /** Rows that did not decode and were replaced by the row above (non-ECM only). */
  readonly badRows: number
  /** The most bad rows in a row (TIFF ConsecutiveBadFaxLines). */
  readonly longestBadRun: number
  readonly quality: CopyQuality
}

/**
 * The verdict on a page of `rows` rows of which `badRows` are bad (spandsp `copy_quality`,
 * "based on the thresholds used in the TSB85 tests"): bad rows under 5 % good, under 15 %
 * poor, else bad. A page without rows is bad: "A zero row page has got to be some kind of total
 * page failure."
 */
export function copyQuality(rows: number, badRows: number): CopyQuality {
  if (rows <= 0) {
    return 'bad'
  }
  if (badRows * 20 < rows) {
    return 'good'
  }
  return badRows * 20 < rows * 3 ? 'poor' : 'bad'
}

/**
 * Decodes a received page's coded data as the format says and judges it. Without ECM (MH or MR)
 * bad lines are repaired and counted; with ECM, or for MMR, which has no EOLs to recover at,
 * any decoding error makes the page bad (with no rows). A page over the codec's pixel budget
 * (200 million pixels) is bad too, with the rows decoded up to it.
 */
export function decodeReceivedPage(data: Uint8Array, format: PageFormat): ReceivedPage {
  const { width, resolution } = format
  if (format.ecm || format.coding === 'mmr') {
    const result = decodeStrictly(data, width, format.coding)
    if (result === null) {
      return {
        bitmap: blankBitmap(width, 0),
        resolution,
        rows: 0,
        badRows: 0,
        longestBadRun: 0,
        quality: 'bad',
      }
    }
    const rows = result.bitmap.height
    return {
      bitmap: result.bitmap,
      resolution,
      rows,
      badRows: 0,
      longestBadRun: 0,
      quality: copyQuality(rows, 0),
    }
  }
  const lines = decodeLines(data, width, format.coding === 'mr')
  const rows = lines.bitmap.height
  return {
    bitmap: lines.bitmap,
    resolution,
    rows,
    badRows: lines.badRows,
    longestBadRun: lines.longestBadRun,
    quality: lines.overBudget ? 'bad' : copyQuality(rows, lines.badRows),
  }
}

/** The page decoded without repair, or null when it does not decode. */
function decodeStrictly(data: Uint8Array, width: number, coding: Coding): DecodeResult | null {
  try {
    switch (coding) {
      case 'mh':
        return decodeMh(data, { width })
      case 'mr':
        return decodeMr(data, { width })
      case 'mmr':
        return decodeMmr(data, { width })
    }
  } catch (error) {
    if (error instanceof CodecError) {
      return null
    }
    throw error
  }
}

interface DecodedLines {
  readonly bitmap: Bitmap
  readonly badRows: number
  readonly longestBadRun: number
  /** Decoding stopped at the pixel budget. */
  readonly overBudget: boolean
}

/** decodeLine's results besides a change count. */
const BAD_LINE = -1
const DATA_ENDS = -2

/**
 * Decodes a non-ECM page line by line. The codec's decodeMh/decodeMr with repairBadLines do
 * the same repair but report only the count of bad rows; the copy quality and TIFF want to know
 * which ones (for the longest run), so the line loop is here, on the codec's row coders.
 *
 * 1. Find the first EOL. T.4 §4.1.2: "this signal will occur prior to the first data line of a
 *    page"; whatever comes before it (the end of training, noise) is not image data.
 * 2. Read fill + EOL (+ the MR tag bit). Two EOLs with no line between them are RTC: the end.
 * 3. Decode the line, 1-D or, for an MR tag 0, 2-D against the last good row. It must fill
 *    exactly the width and be followed by nothing but fill before the next EOL (T.4 §4.1.3:
 *    "FILL may be inserted between a line of DATA and an EOL, but never within a line of
 *    DATA").
 * 4. A line that fails is a bad row: the row above is repeated, and the next line starts at the
 *    next EOL. The reference for a following 2-D line stays the last good row, whose pixels
 *    the repeated row has.
 * 5. The data ending inside a line (the carrier dropped) ends the page without that line.
 */
function decodeLines(data: Uint8Array, width: number, mr: boolean): DecodedLines {
  const store = new RowStore(width, undefined)
  const r = new BitReader(data)
  let ref = whiteChangeList(width)
  let cur: Int32Array = new Int32Array(changeListLength(width))
  let badRows = 0
  let badRun = 0
  let longestBadRun = 0
  let overBudget = false
  try {
    let found = seekEol(r, 0)
    while (found) {
      let eols = 0
      let tag = 1
      let ended = false
      for (;;) {
        const zeros = r.countZeros()
        if (zeros >= r.remaining) {
          ended = true
          break
        }
        if (zeros < EOL_BITS - 1) {
          break
        }
        r.skip(zeros + 1)
        eols++
        if (mr) {
          if (r.remaining <= 0) {
            ended = true
            break
          }
          tag = r.peek(1)
          r.skip(1)
        }
      }
      if (ended || eols >= 2) {
        break
      }
      const lineStart = r.pos
      const count = decodeLine(r, mr && tag === 0 ? ref : null, width, cur)
      if (count === DATA_ENDS) {
        break
      }
      const offset = store.addRow()
      if (count === BAD_LINE) {
        store.repeatPreviousRow()
        badRows++
        badRun++
        longestBadRun = Math.max(longestBadRun, badRun)
        found = seekEol(r, lineStart)
        continue
      }
      badRun = 0
      paintChangingElements(cur, count, width, store.data, offset)
      const swap = ref
      ref = cur
      cur = swap
    }
  } catch (error) {
    if (!(error instanceof CodecError && error.code === 'too-large')) {
      throw error
    }
    overBudget = true
  }
  return { bitmap: store.bitmap(), badRows, longestBadRun, overBudget }
}

/**
 * Decodes one line (1-D, or 2-D against `ref`) into `out`: its change count, BAD_LINE, or
 * DATA_ENDS when the data ends inside it.
 */
function decodeLine(r: BitReader, ref: Int32Array | null, width: number, out: Int32Array): number {
  let count: number
  try {
    count = ref === null ? decode1dRow(r, width, out) : decode2dRow(r, ref, width, out)
  } catch (error) {
    if (!(error instanceof CodecError)) {
      throw error
    }
    return error.code === 'truncated' ? DATA_ENDS : BAD_LINE
  }
  const zeros = r.countZeros()
  if (zeros < r.remaining && zeros < EOL_BITS - 1) {
    return BAD_LINE // more codes after the line is full: a run was misread
  }
  return count
}

/**
 * Moves the reader to the next EOL at or after bit `from` (to the start of the fill before it:
 * a run of at least 11 zeros followed by a one). False when there is none.
 */
function seekEol(r: BitReader, from: number): boolean {
  r.pos = from
  for (;;) {
    const zeros = r.countZeros()
    if (zeros >= r.remaining) {
      return false
    }
    if (zeros >= EOL_BITS - 1) {
      return true
    }
    r.skip(zeros + 1)
  }
}

/** What goes into a received fax's TIFF-F file besides its pages. */
export interface ReceivedTiffMetadata {
  /** The sender's identity (its TSI), written as ImageDescription as spandsp does. */
  readonly remoteId?: string
  /** When the fax came in: the TIFF DateTime. */
  readonly receivedAt?: Date
  readonly software?: string
  /** How the pages are stored. Default MMR, the smallest; libtiff and RFC 2306 take all three. */
  readonly compression?: Coding
}

/**
 * A multi-page TIFF-F file of the received pages: 204 dpi across and 98, 196 or 391 lines per
 * inch down by each page's resolution, each page coded afresh from its bitmap. Pages without
 * rows cannot be stored (TIFF needs ImageLength ≥ 1): leave them out first.
 *
 * FIXME: spandsp marks a page with repaired rows CleanFaxData 1 ("regenerated") and writes
 * BadFaxLines and ConsecutiveBadFaxLines (badRows, longestBadRun); the codec's writer always
 * writes CleanFaxData 0 and has no field for the other two.
 */
export function receivedPagesToTiff(
  pages: readonly ReceivedPage[],
  metadata: ReceivedTiffMetadata = {},
): Uint8Array {
  pages.forEach((page, index) => {
    if (page.bitmap.height === 0) {
      throw new RangeError(`received page ${index + 1} has no rows and cannot be stored`)
    }
  })
  const compression = metadata.compression ?? 'mmr'
  return writeTiffF(
    pages.map((page) => ({
      bitmap: page.bitmap,
      compression,
      xDpi: PELS_PER_INCH,
      yDpi: LINES_PER_INCH[page.resolution],
    })),
    { description: metadata.remoteId, dateTime: metadata.receivedAt, software: metadata.software },
  )
}
