/**
 * Reads bilevel TIFF files: ours (TIFF-F) and what libtiff and other fax software write —
 * Compression 1 (none), 3 (T.4: MH or MR per T4Options bit 0, with or without fill before EOLs)
 * and 4 (T.6 MMR), any number of strips per page, FillOrder 1 and 2, either byte order,
 * PhotometricInterpretation 0 (WhiteIsZero) or 1 (BlackIsZero, inverted so that 1 = black in
 * the Bitmap). Hostile files meet bounds before any allocation: a page budget, a pixel budget
 * per page and per file, IFD loop detection, and every offset and length checked against the
 * buffer. Reduced-resolution images (NewSubfileType bit 0, thumbnails) are skipped.
 */
import { type Bitmap, blankBitmap } from './bitmap.js'
import { CodecError } from './codec-error.js'
import { type DecodeResult, DEFAULT_MAX_PIXELS, checkPageSize } from './decoded-rows.js'
import { decodeMh, decodeMr } from './t4.js'
import { decodeMmr } from './t6.js'
import {
  type TiffCompression,
  COMPRESSION_CCITT_RLE,
  COMPRESSION_NONE,
  COMPRESSION_T4,
  COMPRESSION_T6,
  T4_2D,
  T4_UNCOMPRESSED,
  TAG_BITS_PER_SAMPLE,
  TAG_COMPRESSION,
  TAG_FILL_ORDER,
  TAG_IMAGE_LENGTH,
  TAG_IMAGE_WIDTH,
  TAG_NEW_SUBFILE_TYPE,
  TAG_PAGE_NUMBER,
  TAG_PHOTOMETRIC,
  TAG_RESOLUTION_UNIT,
  TAG_ROWS_PER_STRIP,
  TAG_SAMPLES_PER_PIXEL,
  TAG_STRIP_BYTE_COUNTS,
  TAG_STRIP_OFFSETS,
  TAG_SUBFILE_TYPE,
  TAG_T4_OPTIONS,
  TAG_T6_OPTIONS,
  TAG_TILE_WIDTH,
  TAG_X_RESOLUTION,
  TAG_Y_RESOLUTION,
  TYPE_RATIONAL,
  TYPE_SIZES,
} from './tiff-tags.js'

export interface TiffReadOptions {
  /** Refuse files with more IFDs than this. Default 10,000. */
  readonly maxPages?: number
  /** Refuse pages wider than this. Default 10,000 pixels. */
  readonly maxWidth?: number
  /** Refuse pages of more pixels than this. Default 200 million. */
  readonly maxPixels?: number
  /** readTiff only: refuse files whose pages add up to more pixels. Default 1 billion. */
  readonly maxTotalPixels?: number
}

/** A byte range of the file holding some rows of a page. */
export interface TiffStrip {
  readonly offset: number
  readonly byteCount: number
  readonly rows: number
}

/** What an IFD says about a page, checked, before any pixel is decoded. */
export interface TiffPageInfo {
  /** Position among the pages of the file, from 0. */
  readonly index: number
  readonly width: number
  readonly height: number
  readonly compression: TiffCompression
  /** Dots per inch, or null when the file does not say. */
  readonly xDpi: number | null
  readonly yDpi: number | null
  /** 0 = WhiteIsZero, 1 = BlackIsZero. */
  readonly photometric: 0 | 1
  readonly fillOrder: 1 | 2
  /** T4Options / T6Options (0 when absent). */
  readonly codingOptions: number
  /** The PageNumber field: [page from 0, total or 0], or null. */
  readonly pageNumber: readonly [number, number] | null
  readonly strips: readonly TiffStrip[]
}

export interface TiffPage extends TiffPageInfo {
  readonly bitmap: Bitmap
}

const DEFAULT_MAX_PAGES = 10_000
const DEFAULT_MAX_WIDTH = 10_000
const DEFAULT_MAX_TOTAL_PIXELS = 1_000_000_000
/** Real IFDs have a few dozen entries; this bounds the work a hostile one can cause. */
const MAX_IFD_ENTRIES = 1000

/** Decodes every page of a bilevel TIFF file. */
export function readTiff(bytes: Uint8Array, options: TiffReadOptions = {}): TiffPage[] {
  const pages = listTiffPages(bytes, options)
  const maxTotal = options.maxTotalPixels ?? DEFAULT_MAX_TOTAL_PIXELS
  const total = pages.reduce((sum, page) => sum + page.width * page.height, 0)
  if (total > maxTotal) {
    throw new CodecError(
      'too-large',
      `the file's ${pages.length} pages have ${total} pixels, over the budget of ${maxTotal}`,
    )
  }
  return pages.map((page) => ({ ...page, bitmap: decodeTiffPage(bytes, page) }))
}

/** Reads the IFDs of a file and checks them, without decoding pixels. At least one page. */
export function listTiffPages(bytes: Uint8Array, options: TiffReadOptions = {}): TiffPageInfo[] {
  const file = new TiffFile(bytes)
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES
  const seen = new Set<number>()
  const pages: TiffPageInfo[] = []
  let ifdOffset = file.u32(4)
  if (ifdOffset === 0) {
    throw new CodecError('corrupt', 'the TIFF file has no image (first IFD offset is 0)')
  }
  while (ifdOffset !== 0) {
    if (seen.has(ifdOffset)) {
      throw new CodecError('corrupt', `the IFD chain loops back to offset ${ifdOffset}`)
    }
    if (seen.size >= maxPages) {
      throw new CodecError('too-large', `the file has more than ${maxPages} IFDs`)
    }
    seen.add(ifdOffset)
    const ifd = file.readIfd(ifdOffset)
    const page = pageInfo(file, ifd, pages.length, options)
    if (page !== null) {
      pages.push(page)
    }
    ifdOffset = ifd.next
  }
  if (pages.length === 0) {
    throw new CodecError('unsupported', 'the file has only reduced-resolution images, no page')
  }
  return pages
}

/** Decodes one page found by listTiffPages. */
export function decodeTiffPage(bytes: Uint8Array, page: TiffPageInfo): Bitmap {
  const only = page.strips[0]
  if (page.strips.length === 1 && only !== undefined && page.compression !== 'none') {
    // One coded strip (TIFF-F): the decoder's bitmap is the page, no second copy.
    const bitmap = decodeStrip(stripData(bytes, page, only, 0), page, only.rows, 0).bitmap
    if (page.photometric === 1) {
      invertInPlace(bitmap)
    }
    return bitmap
  }
  const bitmap = blankBitmap(page.width, page.height)
  let row = 0
  page.strips.forEach((strip, s) => {
    const data = stripData(bytes, page, strip, s)
    const target = row * bitmap.rowBytes
    if (page.compression === 'none') {
      const length = strip.rows * bitmap.rowBytes
      if (data.length < length) {
        throw new CodecError(
          'truncated',
          `page ${page.index + 1} strip ${s + 1} has ${data.length} octets, not the ${length} of ${strip.rows} rows`,
        )
      }
      bitmap.data.set(data.subarray(0, length), target)
    } else {
      const decoded = decodeStrip(data, page, strip.rows, s)
      bitmap.data.set(decoded.bitmap.data, target)
    }
    row += strip.rows
  })
  if (page.photometric === 1) {
    invertInPlace(bitmap)
  } else if (page.compression === 'none') {
    clearPadding(bitmap)
  }
  return bitmap
}

/** The octets of a strip, bit-reversed for FillOrder 2. */
function stripData(bytes: Uint8Array, page: TiffPageInfo, strip: TiffStrip, s: number): Uint8Array {
  if (strip.offset + strip.byteCount > bytes.length) {
    throw new CodecError('truncated', `page ${page.index + 1} strip ${s + 1} ends past the file`)
  }
  const data = bytes.subarray(strip.offset, strip.offset + strip.byteCount)
  return page.fillOrder === 2 ? reverseBits(data) : data
}

function decodeStrip(data: Uint8Array, page: TiffPageInfo, rows: number, s: number): DecodeResult {
  const options = { width: page.width, rows, maxPixels: page.width * rows }
  let result: DecodeResult
  try {
    result =
      page.compression === 'mmr'
        ? decodeMmr(data, options)
        : page.compression === 'mr'
          ? decodeMr(data, options)
          : decodeMh(data, options)
  } catch (error) {
    if (error instanceof CodecError) {
      throw new CodecError(error.code, `page ${page.index + 1} strip ${s + 1}: ${error.message}`)
    }
    throw error
  }
  if (result.bitmap.height !== rows) {
    throw new CodecError(
      'truncated',
      `page ${page.index + 1} strip ${s + 1}: ${result.bitmap.height} of ${rows} rows decode (${result.end})`,
    )
  }
  return result
}

interface IfdEntry {
  readonly type: number
  readonly count: number
  /** Where the values are: in the entry itself when they fit in 4 octets. */
  readonly valueOffset: number
}

interface Ifd {
  readonly offset: number
  readonly entries: ReadonlyMap<number, IfdEntry>
  readonly next: number
}

class TiffFile {
  readonly bytes: Uint8Array
  private readonly view: DataView
  private readonly little: boolean

  constructor(bytes: Uint8Array) {
    if (bytes.length < 8) {
      throw new CodecError('corrupt', `a TIFF file has at least 8 octets, not ${bytes.length}`)
    }
    this.bytes = bytes
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const order = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0)
    if (order !== 'II' && order !== 'MM') {
      throw new CodecError('corrupt', 'not a TIFF file (no II or MM byte order mark)')
    }
    this.little = order === 'II'
    const version = this.u16(2)
    if (version === 43) {
      throw new CodecError('unsupported', 'BigTIFF files are not read')
    }
    if (version !== 42) {
      throw new CodecError('corrupt', `not a TIFF file (version ${version}, not 42)`)
    }
  }

  u16(at: number): number {
    this.need(at, 2)
    return this.view.getUint16(at, this.little)
  }

  u32(at: number): number {
    this.need(at, 4)
    return this.view.getUint32(at, this.little)
  }

  need(at: number, length: number): void {
    if (at < 0 || at + length > this.bytes.length) {
      throw new CodecError(
        'corrupt',
        `the file refers to octets ${at}…${at + length - 1}, past its end at ${this.bytes.length}`,
      )
    }
  }

  readIfd(offset: number): Ifd {
    const count = this.u16(offset)
    if (count === 0 || count > MAX_IFD_ENTRIES) {
      throw new CodecError('corrupt', `the IFD at ${offset} claims ${count} entries`)
    }
    this.need(offset, 2 + count * 12 + 4)
    const entries = new Map<number, IfdEntry>()
    for (let i = 0; i < count; i++) {
      const at = offset + 2 + i * 12
      const tag = this.u16(at)
      const type = this.u16(at + 2)
      const valueCount = this.u32(at + 4)
      const size = TYPE_SIZES[type]
      if (size === undefined) {
        continue // TIFF 6.0: "Readers should skip over fields containing an unexpected field type."
      }
      const total = size * valueCount
      const valueOffset = total <= 4 ? at + 8 : this.u32(at + 8)
      entries.set(tag, { type, count: valueCount, valueOffset })
    }
    return { offset, entries, next: this.u32(offset + 2 + count * 12) }
  }

  /** Up to `limit` values of a BYTE, SHORT or LONG field, all bounds-checked. */
  numbers(ifd: Ifd, tag: number, limit: number): number[] | undefined {
    const entry = ifd.entries.get(tag)
    if (entry === undefined) {
      return undefined
    }
    const size = TYPE_SIZES[entry.type] ?? 0
    if (entry.type !== 1 && entry.type !== 3 && entry.type !== 4) {
      throw new CodecError('corrupt', `tag ${tag} has field type ${entry.type}, not a whole number`)
    }
    this.need(entry.valueOffset, size * entry.count)
    const n = Math.min(entry.count, limit)
    const values: number[] = []
    for (let i = 0; i < n; i++) {
      const at = entry.valueOffset + i * size
      values.push(size === 1 ? (this.bytes[at] ?? 0) : size === 2 ? this.u16(at) : this.u32(at))
    }
    return values
  }

  number(ifd: Ifd, tag: number, fallback: number): number {
    return this.numbers(ifd, tag, 1)?.[0] ?? fallback
  }

  rational(ifd: Ifd, tag: number): number | null {
    const entry = ifd.entries.get(tag)
    if (entry === undefined || entry.count < 1) {
      return null
    }
    if (entry.type === 3 || entry.type === 4) {
      return this.number(ifd, tag, 0) || null // a whole number where a RATIONAL belongs
    }
    if (entry.type !== TYPE_RATIONAL) {
      return null
    }
    const numerator = this.u32(entry.valueOffset)
    const denominator = this.u32(entry.valueOffset + 4)
    return denominator === 0 || numerator === 0 ? null : numerator / denominator
  }
}

function pageInfo(
  file: TiffFile,
  ifd: Ifd,
  index: number,
  options: TiffReadOptions,
): TiffPageInfo | null {
  const where = `the IFD at ${ifd.offset}`
  // TIFF 6.0 NewSubfileType bit 0: "reduced-resolution version of another image"; bit 2:
  // "transparency mask". SubfileType 2: "reduced-resolution image data".
  if ((file.number(ifd, TAG_NEW_SUBFILE_TYPE, 0) & 5) !== 0) {
    return null
  }
  if (file.number(ifd, TAG_SUBFILE_TYPE, 1) === 2) {
    return null
  }
  if (ifd.entries.has(TAG_TILE_WIDTH)) {
    throw new CodecError('unsupported', `${where} describes a tiled image`)
  }
  const width = file.number(ifd, TAG_IMAGE_WIDTH, 0)
  const height = file.number(ifd, TAG_IMAGE_LENGTH, 0)
  if (width === 0 || height === 0) {
    throw new CodecError('corrupt', `${where} gives an image of ${width}×${height} pixels`)
  }
  const maxWidth = options.maxWidth ?? DEFAULT_MAX_WIDTH
  if (width > maxWidth) {
    throw new CodecError('too-large', `${where}: a page ${width} pixels wide is over ${maxWidth}`)
  }
  checkPageSize(width, height, options.maxPixels ?? DEFAULT_MAX_PIXELS)
  const bitsPerSample = file.number(ifd, TAG_BITS_PER_SAMPLE, 1)
  const samples = file.number(ifd, TAG_SAMPLES_PER_PIXEL, 1)
  if (bitsPerSample !== 1 || samples !== 1) {
    throw new CodecError(
      'unsupported',
      `${where}: ${samples} samples of ${bitsPerSample} bits per pixel is not a bilevel image`,
    )
  }
  const photometric = file.number(ifd, TAG_PHOTOMETRIC, 0)
  if (photometric !== 0 && photometric !== 1) {
    throw new CodecError('unsupported', `${where}: PhotometricInterpretation ${photometric}`)
  }
  const fillOrder = file.number(ifd, TAG_FILL_ORDER, 1)
  if (fillOrder !== 1 && fillOrder !== 2) {
    throw new CodecError('corrupt', `${where}: FillOrder ${fillOrder}`)
  }
  const compressionTag = file.number(ifd, TAG_COMPRESSION, COMPRESSION_NONE)
  let compression: TiffCompression
  let codingOptions = 0
  if (compressionTag === COMPRESSION_NONE) {
    compression = 'none'
  } else if (compressionTag === COMPRESSION_T4) {
    codingOptions = file.number(ifd, TAG_T4_OPTIONS, 0)
    compression = (codingOptions & T4_2D) !== 0 ? 'mr' : 'mh'
  } else if (compressionTag === COMPRESSION_T6) {
    codingOptions = file.number(ifd, TAG_T6_OPTIONS, 0)
    compression = 'mmr'
  } else {
    const name = compressionTag === COMPRESSION_CCITT_RLE ? ' (CCITT RLE)' : ''
    throw new CodecError('unsupported', `${where}: Compression ${compressionTag}${name}`)
  }
  if ((codingOptions & T4_UNCOMPRESSED) !== 0) {
    throw new CodecError('unsupported', `${where}: T.4/T.6 uncompressed mode`)
  }

  const rowsPerStrip = Math.min(file.number(ifd, TAG_ROWS_PER_STRIP, height) || height, height)
  const stripCount = Math.ceil(height / rowsPerStrip)
  const offsets = file.numbers(ifd, TAG_STRIP_OFFSETS, stripCount)
  if (offsets === undefined || offsets.length < stripCount) {
    throw new CodecError(
      'corrupt',
      `${where}: ${stripCount} strips need as many StripOffsets, not ${offsets?.length ?? 0}`,
    )
  }
  let counts = file.numbers(ifd, TAG_STRIP_BYTE_COUNTS, stripCount)
  if (counts === undefined && compression === 'none') {
    const rowBytes = Math.ceil(width / 8)
    counts = offsets.map((_, s) => Math.min(rowsPerStrip, height - s * rowsPerStrip) * rowBytes)
  }
  if (counts === undefined || counts.length < stripCount) {
    throw new CodecError('corrupt', `${where}: StripByteCounts is missing or short`)
  }
  const strips: TiffStrip[] = []
  for (let s = 0; s < stripCount; s++) {
    const offset = offsets[s] ?? 0
    const byteCount = counts[s] ?? 0
    if (offset + byteCount > file.bytes.length) {
      throw new CodecError(
        'corrupt',
        `${where}: strip ${s + 1} (${byteCount} octets at ${offset}) goes past the end of the file`,
      )
    }
    strips.push({ offset, byteCount, rows: Math.min(rowsPerStrip, height - s * rowsPerStrip) })
  }

  const unit = file.number(ifd, TAG_RESOLUTION_UNIT, 2)
  const toDpi = (value: number | null): number | null =>
    value === null ? null : unit === 3 ? value * 2.54 : value
  const pageNumber = file.numbers(ifd, TAG_PAGE_NUMBER, 2)
  return {
    index,
    width,
    height,
    compression,
    xDpi: toDpi(file.rational(ifd, TAG_X_RESOLUTION)),
    yDpi: toDpi(file.rational(ifd, TAG_Y_RESOLUTION)),
    photometric,
    fillOrder,
    codingOptions,
    pageNumber:
      pageNumber !== undefined && pageNumber.length === 2
        ? [pageNumber[0] ?? 0, pageNumber[1] ?? 0]
        : null,
    strips,
  }
}

const REVERSED = (() => {
  const table = new Uint8Array(256)
  for (let i = 0; i < 256; i++) {
    let r = 0
    for (let b = 0; b < 8; b++) {
      r |= ((i >> b) & 1) << (7 - b)
    }
    table[i] = r
  }
  return table
})()

/** TIFF 6.0 FillOrder 2: "pixels with lower column values are stored in the lower-order bits". */
function reverseBits(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length)
  for (let i = 0; i < data.length; i++) {
    out[i] = REVERSED[data[i] ?? 0] ?? 0
  }
  return out
}

function invertInPlace(bitmap: Bitmap): void {
  const { data } = bitmap
  for (let i = 0; i < data.length; i++) {
    data[i] = ~(data[i] ?? 0) & 0xff
  }
  clearPadding(bitmap)
}

/** Bits past the width in each row's last octet are 0 in a Bitmap. */
function clearPadding(bitmap: Bitmap): void {
  const tail = bitmap.width & 7
  if (tail === 0) {
    return
  }
  const mask = (0xff00 >> tail) & 0xff
  for (let y = 0; y < bitmap.height; y++) {
    const i = y * bitmap.rowBytes + bitmap.rowBytes - 1
    bitmap.data[i] = (bitmap.data[i] ?? 0) & mask
  }
}
