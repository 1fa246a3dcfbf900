/**
 * A bilevel page as a PBM file (netpbm P4), which tesseract reads: its rows are packed as our
 * bitmaps' are (1 = black, most significant bit first, padded to whole octets).
 */
import type { Bitmap } from '../../src/codec/bitmap.js'

export function pbmOf(bitmap: Bitmap): Buffer {
  return Buffer.concat([
    Buffer.from(`P4\n${bitmap.width} ${bitmap.height}\n`, 'ascii'),
    bitmap.data.subarray(0, bitmap.rowBytes * bitmap.height),
  ])
}
