/**
 * Writes TIFF Class F (RFC 2306, TIFF-F): a little-endian multi-page TIFF, one IFD per page
 * followed by its values and its single strip, pages linked in order. Each page carries the
 * fields RFC 2306 §4 lists for a fax page: NewSubfileType 2 ("single page of a multi-page
 * image"), ImageWidth, ImageLength, BitsPerSample 1, Compression 3 (T.4) or 4 (T.6),
 * PhotometricInterpretation 0 (WhiteIsZero), FillOrder 1, StripOffsets, Orientation 1,
 * SamplesPerPixel 1, RowsPerStrip = ImageLength, StripByteCounts, X/YResolution with
 * ResolutionUnit 2 (inch), PageNumber, T4Options or T6Options, CleanFaxData 0.
 */
import { type Bitmap } from './bitmap.js'
import { CodecError } from './codec-error.js'
import { checkBitmap, encodeMh, encodeMr, mrKForResolution } from './t4.js'
import { encodeMmr } from './t6.js'
import {
  type TiffCompression,
  COMPRESSION_NONE,
  COMPRESSION_T4,
  COMPRESSION_T6,
  T4_2D,
  T4_FILL_BITS,
  TAG_BITS_PER_SAMPLE,
  TAG_CLEAN_FAX_DATA,
  TAG_COMPRESSION,
  TAG_DATE_TIME,
  TAG_FILL_ORDER,
  TAG_IMAGE_DESCRIPTION,
  TAG_IMAGE_LENGTH,
  TAG_IMAGE_WIDTH,
  TAG_NEW_SUBFILE_TYPE,
  TAG_ORIENTATION,
  TAG_PAGE_NUMBER,
  TAG_PHOTOMETRIC,
  TAG_PLANAR_CONFIGURATION,
  TAG_RESOLUTION_UNIT,
  TAG_ROWS_PER_STRIP,
  TAG_SAMPLES_PER_PIXEL,
  TAG_SOFTWARE,
  TAG_STRIP_BYTE_COUNTS,
  TAG_STRIP_OFFSETS,
  TAG_T4_OPTIONS,
  TAG_T6_OPTIONS,
  TAG_X_RESOLUTION,
  TAG_Y_RESOLUTION,
  TYPE_ASCII,
  TYPE_LONG,
  TYPE_RATIONAL,
  TYPE_SHORT,
} from './tiff-tags.js'

export interface TiffPageInput {
  readonly bitmap: Bitmap
  readonly compression: TiffCompression
  /** Horizontal resolution in dots per inch (204 for fax). */
  readonly xDpi: number
  /** Vertical resolution in dots per inch: 98 standard, 196 fine, 392 superfine. */
  readonly yDpi: number
  /** MR only: the K parameter; default mrKForResolution(yDpi). */
  readonly k?: number
}

/** Fields that describe the file rather than a page; written in every IFD. */
export interface TiffMetadata {
  readonly software?: string
  /** Written as TIFF DateTime "YYYY:MM:DD HH:MM:SS" in UTC. */
  readonly dateTime?: Date
  readonly description?: string
}

export interface TiffWriteOptions extends TiffMetadata {
  /**
   * T4Options bit 2: fill before each EOL so that it ends on an octet boundary. Default false
   * (what libtiff writes by default).
   */
  readonly fillBits?: boolean
  /**
   * End MH/MR strips with RTC. RFC 2306 allows it; libtiff leaves it out (and so do we by
   * default), since ImageLength already says where the page ends.
   */
  readonly rtc?: boolean
}

/** A page already coded, to be stored as one strip. */
export interface EncodedPage {
  readonly width: number
  readonly height: number
  readonly compression: TiffCompression
  /**
   * The strip: what encodeMh, encodeMr or encodeMmr returned for the page (with or without
   * RTC/EOFB), or for 'none' the bitmap's octets.
   */
  readonly data: Uint8Array
  /** Resolution of this page; default the one in the options. */
  readonly xDpi?: number
  readonly yDpi?: number
  /** MH/MR coded with alignEol: sets T4Options bit 2. */
  readonly fillBits?: boolean
}

export interface EncodedTiffOptions extends TiffMetadata {
  /** Resolution of pages that do not give their own. */
  readonly xDpi?: number
  readonly yDpi?: number
}

interface Field {
  readonly tag: number
  readonly type: number
  /** SHORT/LONG values, a RATIONAL as [numerator, denominator], or ASCII text. */
  readonly values: readonly number[] | string
}

const TIFF_COMPRESSION: Readonly<Record<TiffCompression, number>> = {
  none: COMPRESSION_NONE,
  mh: COMPRESSION_T4,
  mr: COMPRESSION_T4,
  mmr: COMPRESSION_T6,
}

/** A multi-page TIFF-F file of the pages, in order, each coded as it asks. */
export function writeTiffF(
  pages: readonly TiffPageInput[],
  options: TiffWriteOptions = {},
): Uint8Array {
  return writeEncodedTiffF(
    pages.map((page) => encodeTiffPage(page, options)),
    options,
  )
}

/** Codes one page for writeEncodedTiffF (pages can be coded as they are rendered). */
export function encodeTiffPage(page: TiffPageInput, options: TiffWriteOptions = {}): EncodedPage {
  checkBitmap(page.bitmap)
  return {
    width: page.bitmap.width,
    height: page.bitmap.height,
    compression: page.compression,
    data: encodeStrip(page, options),
    xDpi: page.xDpi,
    yDpi: page.yDpi,
    fillBits: options.fillBits ?? false,
  }
}

/** A multi-page TIFF-F file of pages already coded, in order. */
export function writeEncodedTiffF(
  pages: readonly EncodedPage[],
  options: EncodedTiffOptions = {},
): Uint8Array {
  if (pages.length === 0 || pages.length > 0xffff) {
    throw new CodecError(
      'bad-argument',
      `a TIFF-F file holds 1 to 65535 pages, not ${pages.length}`,
    )
  }
  const strips = pages.map((page) => checkEncodedPage(page).data)
  const ifds = pages.map((page, index) => pageFields(page, index, pages.length, options))

  // Layout: header, then per page its IFD, the IFD's out-of-line values, the strip.
  let offset = 8
  const places = ifds.map((fields, index) => {
    const ifdOffset = offset
    let valuesOffset = ifdOffset + 2 + fields.length * 12 + 4
    const valueOffsets = fields.map((field) => {
      const size = fieldSize(field)
      if (size <= 4) {
        return -1
      }
      const at = valuesOffset
      valuesOffset += size + (size & 1)
      return at
    })
    const stripOffset = valuesOffset
    const strip = strips[index] ?? new Uint8Array(0)
    // TIFF 6.0 Section 2: the directory "must begin on a word boundary".
    offset = stripOffset + strip.length + (strip.length & 1)
    return { ifdOffset, valueOffsets, stripOffset }
  })
  if (offset > 0xffffffff) {
    throw new CodecError('too-large', `a TIFF file of ${offset} octets is over 4 GiB`)
  }

  const out = new Uint8Array(offset)
  const view = new DataView(out.buffer)
  out[0] = 0x49 // "II": little-endian
  out[1] = 0x49
  view.setUint16(2, 42, true)
  view.setUint32(4, 8, true)
  ifds.forEach((fields, index) => {
    const place = places[index]
    const strip = strips[index]
    if (place === undefined || strip === undefined) {
      return
    }
    const nextIfd = places[index + 1]?.ifdOffset ?? 0
    view.setUint16(place.ifdOffset, fields.length, true)
    fields.forEach((field, f) => {
      const entry = place.ifdOffset + 2 + f * 12
      const values =
        field.tag === TAG_STRIP_OFFSETS
          ? [place.stripOffset]
          : field.tag === TAG_STRIP_BYTE_COUNTS
            ? [strip.length]
            : field.values
      view.setUint16(entry, field.tag, true)
      view.setUint16(entry + 2, field.type, true)
      view.setUint32(entry + 4, fieldCount(field), true)
      const valueOffset = place.valueOffsets[f] ?? -1
      if (valueOffset >= 0) {
        view.setUint32(entry + 8, valueOffset, true)
      }
      writeValues(view, valueOffset >= 0 ? valueOffset : entry + 8, field.type, values)
    })
    view.setUint32(place.ifdOffset + 2 + fields.length * 12, nextIfd, true)
    out.set(strip, place.stripOffset)
  })
  return out
}

function checkEncodedPage(page: EncodedPage): EncodedPage {
  const { width, height, compression, data } = page
  if (!Number.isSafeInteger(width) || width < 1 || width > 0xffffffff) {
    throw new CodecError('bad-argument', `a page width must be a whole number ≥ 1, not ${width}`)
  }
  if (!Number.isSafeInteger(height) || height < 1 || height > 0xffffffff) {
    throw new CodecError('bad-argument', `a page height must be a whole number ≥ 1, not ${height}`)
  }
  if (!(compression in TIFF_COMPRESSION)) {
    throw new CodecError('bad-argument', `unknown compression ${String(compression)}`)
  }
  if (compression === 'none' && data.length !== Math.ceil(width / 8) * height) {
    throw new CodecError(
      'bad-argument',
      `an uncompressed ${width}×${height} page has ${Math.ceil(width / 8) * height} octets, not ${data.length}`,
    )
  }
  return page
}

function encodeStrip(page: TiffPageInput, options: TiffWriteOptions): Uint8Array {
  const t4 = { alignEol: options.fillBits ?? false, rtc: options.rtc ?? false }
  switch (page.compression) {
    case 'none':
      return page.bitmap.data.slice(0, page.bitmap.rowBytes * page.bitmap.height)
    case 'mh':
      return encodeMh(page.bitmap, t4)
    case 'mr':
      return encodeMr(page.bitmap, { ...t4, k: page.k ?? mrKForResolution(page.yDpi) })
    case 'mmr':
      return encodeMmr(page.bitmap)
    default:
      throw new CodecError('bad-argument', `unknown compression ${String(page.compression)}`)
  }
}

function pageFields(
  page: EncodedPage,
  index: number,
  pageCount: number,
  options: EncodedTiffOptions,
): Field[] {
  const { compression } = page
  const xDpi = page.xDpi ?? options.xDpi
  const yDpi = page.yDpi ?? options.yDpi
  if (xDpi === undefined || yDpi === undefined) {
    throw new CodecError('bad-argument', `page ${index + 1} has no resolution`)
  }
  const fields: Field[] = [
    { tag: TAG_NEW_SUBFILE_TYPE, type: TYPE_LONG, values: [2] },
    { tag: TAG_IMAGE_WIDTH, type: TYPE_LONG, values: [page.width] },
    { tag: TAG_IMAGE_LENGTH, type: TYPE_LONG, values: [page.height] },
    { tag: TAG_BITS_PER_SAMPLE, type: TYPE_SHORT, values: [1] },
    { tag: TAG_COMPRESSION, type: TYPE_SHORT, values: [TIFF_COMPRESSION[compression]] },
    { tag: TAG_PHOTOMETRIC, type: TYPE_SHORT, values: [0] },
    { tag: TAG_FILL_ORDER, type: TYPE_SHORT, values: [1] },
    { tag: TAG_STRIP_OFFSETS, type: TYPE_LONG, values: [0] },
    { tag: TAG_ORIENTATION, type: TYPE_SHORT, values: [1] },
    { tag: TAG_SAMPLES_PER_PIXEL, type: TYPE_SHORT, values: [1] },
    { tag: TAG_ROWS_PER_STRIP, type: TYPE_LONG, values: [page.height] },
    { tag: TAG_STRIP_BYTE_COUNTS, type: TYPE_LONG, values: [0] },
    { tag: TAG_X_RESOLUTION, type: TYPE_RATIONAL, values: rational(xDpi) },
    { tag: TAG_Y_RESOLUTION, type: TYPE_RATIONAL, values: rational(yDpi) },
    { tag: TAG_PLANAR_CONFIGURATION, type: TYPE_SHORT, values: [1] },
    { tag: TAG_RESOLUTION_UNIT, type: TYPE_SHORT, values: [2] },
    // TIFF 6.0 PageNumber: the page number and the total; "The first page is numbered 0".
    { tag: TAG_PAGE_NUMBER, type: TYPE_SHORT, values: [index, pageCount] },
  ]
  if (compression === 'mh' || compression === 'mr') {
    const t4Options =
      (compression === 'mr' ? T4_2D : 0) | (page.fillBits === true ? T4_FILL_BITS : 0)
    fields.push({ tag: TAG_T4_OPTIONS, type: TYPE_LONG, values: [t4Options] })
  }
  if (compression === 'mmr') {
    fields.push({ tag: TAG_T6_OPTIONS, type: TYPE_LONG, values: [0] })
  }
  if (options.description !== undefined) {
    fields.push({
      tag: TAG_IMAGE_DESCRIPTION,
      type: TYPE_ASCII,
      values: ascii(options.description),
    })
  }
  if (options.software !== undefined) {
    fields.push({ tag: TAG_SOFTWARE, type: TYPE_ASCII, values: ascii(options.software) })
  }
  if (options.dateTime !== undefined) {
    fields.push({ tag: TAG_DATE_TIME, type: TYPE_ASCII, values: tiffDateTime(options.dateTime) })
  }
  if (compression !== 'none') {
    // RFC 2306: CleanFaxData 0, the data has no bad (or regenerated) lines.
    fields.push({ tag: TAG_CLEAN_FAX_DATA, type: TYPE_SHORT, values: [0] })
  }
  // TIFF 6.0 Section 2: "The entries in an IFD must be sorted in ascending order by Tag."
  return fields.sort((a, b) => a.tag - b.tag)
}

function rational(dpi: number): number[] {
  if (!Number.isFinite(dpi) || dpi <= 0 || dpi > 1e6) {
    throw new CodecError(
      'bad-argument',
      `a resolution must be a positive number of dpi, not ${dpi}`,
    )
  }
  return Number.isInteger(dpi) ? [dpi, 1] : [Math.round(dpi * 1000), 1000]
}

/** ASCII fields hold 7-bit text; anything else becomes "?". */
function ascii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?')
}

function tiffDateTime(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0')
  return (
    `${String(date.getUTCFullYear()).padStart(4, '0')}:${two(date.getUTCMonth() + 1)}:` +
    `${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:` +
    two(date.getUTCSeconds())
  )
}

function fieldCount(field: Field): number {
  if (typeof field.values === 'string') {
    return field.values.length + 1
  }
  return field.type === TYPE_RATIONAL ? field.values.length / 2 : field.values.length
}

function fieldSize(field: Field): number {
  if (typeof field.values === 'string') {
    return field.values.length + 1
  }
  const unit = field.type === TYPE_SHORT ? 2 : 4
  return field.values.length * unit
}

function writeValues(
  view: DataView,
  at: number,
  type: number,
  values: readonly number[] | string,
): void {
  if (typeof values === 'string') {
    for (let i = 0; i < values.length; i++) {
      view.setUint8(at + i, values.charCodeAt(i))
    }
    view.setUint8(at + values.length, 0)
    return
  }
  values.forEach((value, i) => {
    if (type === TYPE_SHORT) {
      view.setUint16(at + i * 2, value, true)
    } else {
      view.setUint32(at + i * 4, value, true)
    }
  })
}
