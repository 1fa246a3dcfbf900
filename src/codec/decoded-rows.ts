/**
 * What the raw-stream decoders share: their options and result, the pixel budget, and the
 * growing store of decoded rows. A stream's height is known only at its end (RTC or EOFB), so
 * rows are added one by one, the store doubling up to the budget and never past it.
 */
import { type Bitmap } from './bitmap.js'
import { CodecError } from './codec-error.js'

/** Default pixel budget of one page: 200 million pixels (25 MB as a bitmap). */
export const DEFAULT_MAX_PIXELS = 200_000_000

export interface DecodeOptions {
  /** Pixels per row (1728 for a fax page). */
  readonly width: number
  /**
   * Decode exactly this many rows and stop (a TIFF strip). Without it, decode until RTC/EOFB or
   * the end of the data.
   */
  readonly rows?: number
  /** Refuse, with CodecError 'too-large', a page of more pixels. Default 200 million. */
  readonly maxPixels?: number
}

export interface T4DecodeOptions extends DecodeOptions {
  /**
   * When a line does not decode, copy the line above in its place, count it in `badRows` and
   * resynchronise on the next EOL (what a fax receiver does with line noise), instead of
   * throwing CodecError. Default false.
   */
  readonly repairBadLines?: boolean
}

/**
 * Why decoding stopped: 'marker' = RTC (T.4) or EOFB (T.6) read; 'end-of-data' = the data ended
 * at a line boundary without one; 'truncated' = the data ended inside a line, which was
 * dropped; 'row-count' = the `rows` asked for were decoded.
 */
export type DecodeEnd = 'marker' | 'end-of-data' | 'truncated' | 'row-count'

export interface DecodeResult {
  readonly bitmap: Bitmap
  readonly end: DecodeEnd
  /** Octets read, the end marker included: where a following page would start. */
  readonly bytesUsed: number
  /** Lines replaced by the line above (only with repairBadLines). */
  readonly badRows: number
}

/** Checks a page size against the budget before anything is allocated. */
export function checkPageSize(width: number, height: number, maxPixels: number): void {
  if (!Number.isSafeInteger(width) || width < 1) {
    throw new CodecError('bad-argument', `a page width must be a whole number ≥ 1, not ${width}`)
  }
  if (!Number.isSafeInteger(height) || height < 0) {
    throw new CodecError('bad-argument', `a page height must be a whole number ≥ 0, not ${height}`)
  }
  if (width * height > maxPixels || width > maxPixels) {
    throw new CodecError(
      'too-large',
      `a ${width}×${height} page is over the budget of ${maxPixels} pixels`,
    )
  }
}

export class RowStore {
  readonly width: number
  readonly rowBytes: number
  private readonly maxRows: number
  private readonly maxPixels: number
  data: Uint8Array
  /** A view of `data`, for painting rows 32 bits at a time. */
  view: DataView
  height = 0

  constructor(width: number, rows: number | undefined, maxPixels = DEFAULT_MAX_PIXELS) {
    checkPageSize(width, rows ?? 0, maxPixels)
    this.width = width
    this.rowBytes = Math.ceil(width / 8)
    this.maxPixels = maxPixels
    this.maxRows = rows ?? Math.floor(maxPixels / width)
    const initialRows = rows ?? Math.min(this.maxRows, 512)
    this.data = new Uint8Array(initialRows * this.rowBytes)
    this.view = new DataView(this.data.buffer)
  }

  /** Adds a white row and returns the offset of its first octet. */
  addRow(): number {
    if (this.height >= this.maxRows) {
      throw new CodecError(
        'too-large',
        `the page has more than ${this.maxRows} rows of ${this.width} pixels, over the budget of ${this.maxPixels} pixels`,
      )
    }
    const offset = this.height * this.rowBytes
    if (offset + this.rowBytes > this.data.length) {
      const rows = Math.min(this.maxRows, Math.max(1, this.height * 2))
      const bigger = new Uint8Array(rows * this.rowBytes)
      bigger.set(this.data)
      this.data = bigger
      this.view = new DataView(bigger.buffer)
    }
    this.height++
    return offset
  }

  /** Makes the last row a copy of the one above it (white when it is the first). */
  repeatPreviousRow(): void {
    const offset = (this.height - 1) * this.rowBytes
    if (this.height >= 2) {
      this.data.copyWithin(offset, offset - this.rowBytes, offset)
    }
  }

  bitmap(): Bitmap {
    const length = this.height * this.rowBytes
    const data = length === this.data.length ? this.data : this.data.slice(0, length)
    return { width: this.width, height: this.height, rowBytes: this.rowBytes, data }
  }
}
