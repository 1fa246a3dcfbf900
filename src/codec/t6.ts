/**
 * ITU-T T.6 Group 4 pages (MMR): the two-dimensional coding of T.4 §4.2 with no EOLs, no fill
 * and no 1-D lines (K = ∞). In T.6 the reference line for the first coding line of a page is an
 * imaginary all-white line, and the page ends with EOFB (end of facsimile block), two EOLs:
 * "000000000001 000000000001", then zero pad bits up to an octet boundary.
 */
import { BitReader } from './bit-reader.js'
import { type Bitmap } from './bitmap.js'
import {
  changeListLength,
  paintChanges,
  sameChanges,
  whiteChangeList,
} from './changing-elements.js'
import { CodecError } from './codec-error.js'
import {
  type DecodeEnd,
  type DecodeOptions,
  type DecodeResult,
  DEFAULT_MAX_PIXELS,
  RowStore,
} from './decoded-rows.js'
import { checkBitmap } from './t4.js'
import { EOL_BITS, EOL_CODE } from './t4-codes.js'
import { decode2dRow } from './two-dimensional.js'
import { encodeMmrPage } from './mmr-encoder.js'

export interface MmrEncodeOptions {
  /** End the page with EOFB. Default true (libtiff writes it in TIFF strips too). */
  readonly eofb?: boolean
}

/** Encodes a page with MMR (T.6), by the WebAssembly coder (mmr-encoder.ts). */
export function encodeMmr(bitmap: Bitmap, options: MmrEncodeOptions = {}): Uint8Array {
  checkBitmap(bitmap)
  return encodeMmrPage(bitmap, options.eofb ?? true)
}

/**
 * Decodes an MMR page: until EOFB, the `rows` asked for, or the end of the data (a zero tail
 * ends it cleanly; a line cut off by the end is dropped and reported as 'truncated').
 */
export function decodeMmr(data: Uint8Array, options: DecodeOptions): DecodeResult {
  const store = new RowStore(options.width, options.rows, options.maxPixels ?? DEFAULT_MAX_PIXELS)
  const width = store.width
  const r = new BitReader(data)
  let ref = whiteChangeList(width)
  let refCount = 0
  let cur: Int32Array = new Int32Array(changeListLength(width))
  let end: DecodeEnd
  for (;;) {
    if (options.rows !== undefined && store.height >= options.rows) {
      end = 'row-count'
      break
    }
    if (r.countZeros() >= r.remaining) {
      end = 'end-of-data'
      break
    }
    if (r.peek(EOL_BITS) === EOL_CODE) {
      // EOFB; a lone EOL is taken as the end too.
      r.skip(EOL_BITS)
      if (r.peek(EOL_BITS) === EOL_CODE) {
        r.skip(EOL_BITS)
      }
      end = 'marker'
      break
    }
    let count: number
    try {
      count = decode2dRow(r, ref, width, cur)
    } catch (error) {
      if (error instanceof CodecError && error.code === 'truncated') {
        end = 'truncated'
        break
      }
      if (error instanceof CodecError) {
        throw new CodecError(
          error.code,
          `MMR line ${store.height + 1} (bit ${r.pos}): ${error.message}`,
        )
      }
      throw error
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
    badRows: 0,
  }
}
