/**
 * TIFF 6.0 numbers the reader and the writer share: field types with their sizes (Section 2,
 * "Image File Directory") and the tags of a bilevel fax page (Sections 3, 8 and 11, and the
 * TIFF-F profile of RFC 2306).
 */

export const TYPE_BYTE = 1
export const TYPE_ASCII = 2
export const TYPE_SHORT = 3
export const TYPE_LONG = 4
export const TYPE_RATIONAL = 5

/** Octets per value of each field type (TIFF 6.0 Section 2, types 1–12). */
export const TYPE_SIZES: Readonly<Record<number, number>> = {
  1: 1, // BYTE
  2: 1, // ASCII
  3: 2, // SHORT
  4: 4, // LONG
  5: 8, // RATIONAL
  6: 1, // SBYTE
  7: 1, // UNDEFINED
  8: 2, // SSHORT
  9: 4, // SLONG
  10: 8, // SRATIONAL
  11: 4, // FLOAT
  12: 8, // DOUBLE
}

export const TAG_NEW_SUBFILE_TYPE = 254
export const TAG_SUBFILE_TYPE = 255
export const TAG_IMAGE_WIDTH = 256
export const TAG_IMAGE_LENGTH = 257
export const TAG_BITS_PER_SAMPLE = 258
export const TAG_COMPRESSION = 259
export const TAG_PHOTOMETRIC = 262
export const TAG_FILL_ORDER = 266
export const TAG_IMAGE_DESCRIPTION = 270
export const TAG_STRIP_OFFSETS = 273
export const TAG_ORIENTATION = 274
export const TAG_SAMPLES_PER_PIXEL = 277
export const TAG_ROWS_PER_STRIP = 278
export const TAG_STRIP_BYTE_COUNTS = 279
export const TAG_X_RESOLUTION = 282
export const TAG_Y_RESOLUTION = 283
export const TAG_PLANAR_CONFIGURATION = 284
export const TAG_T4_OPTIONS = 292
export const TAG_T6_OPTIONS = 293
export const TAG_RESOLUTION_UNIT = 296
export const TAG_PAGE_NUMBER = 297
export const TAG_SOFTWARE = 305
export const TAG_DATE_TIME = 306
export const TAG_TILE_WIDTH = 322
export const TAG_CLEAN_FAX_DATA = 327

export const COMPRESSION_NONE = 1
export const COMPRESSION_CCITT_RLE = 2
export const COMPRESSION_T4 = 3
export const COMPRESSION_T6 = 4

/** TIFF 6.0 Section 11, T4Options: "Bit 0 is 1 for 2-dimensional coding". */
export const T4_2D = 1
/** "Bit 1 is 1 if uncompressed mode is used." (also bit 1 of T6Options) */
export const T4_UNCOMPRESSED = 2
/** "Bit 2 is 1 if fill bits have been added as necessary before EOL codes". */
export const T4_FILL_BITS = 4

/** How a page's pixels are stored: TIFF Compression 1, 3 with 1-D or 2-D coding, or 4. */
export type TiffCompression = 'none' | 'mh' | 'mr' | 'mmr'
