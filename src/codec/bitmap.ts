/**
 * A bilevel page as the codec sees it: one bit per pixel, each row packed most significant bit
 * first and padded to whole octets, 1 = black. This is the layout of an uncompressed TIFF with
 * PhotometricInterpretation 0 (WhiteIsZero) and FillOrder 1, so a row can be handed to libtiff
 * or to a T.4/T.6 coder without conversion.
 */

export interface Bitmap {
  /** Pixels per row (1728 for a fax page). */
  readonly width: number
  readonly height: number
  /** Octets per row: ceil(width / 8). */
  readonly rowBytes: number
  /** height × rowBytes octets; bits past `width` in a row's last octet are 0. */
  readonly data: Uint8Array
}

/** A white page of the given size. */
export function blankBitmap(width: number, height: number): Bitmap {
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 0) {
    throw new RangeError(`a bitmap needs a whole width ≥ 1 and height ≥ 0, not ${width}×${height}`)
  }
  const rowBytes = Math.ceil(width / 8)
  return { width, height, rowBytes, data: new Uint8Array(rowBytes * height) }
}

/** True when the pixel at (x, y) is black. */
export function isBlack(bitmap: Bitmap, x: number, y: number): boolean {
  const octet = bitmap.data[y * bitmap.rowBytes + (x >> 3)] ?? 0
  return (octet & (0x80 >> (x & 7))) !== 0
}

/** Paints the pixel at (x, y) black. */
export function setBlack(bitmap: Bitmap, x: number, y: number): void {
  const index = y * bitmap.rowBytes + (x >> 3)
  bitmap.data[index] = (bitmap.data[index] ?? 0) | (0x80 >> (x & 7))
}

/** The octets of row y, sharing the bitmap's memory. */
export function rowOf(bitmap: Bitmap, y: number): Uint8Array {
  return bitmap.data.subarray(y * bitmap.rowBytes, (y + 1) * bitmap.rowBytes)
}

/** True when both bitmaps have the same size and the same pixels. */
export function sameBitmap(a: Bitmap, b: Bitmap): boolean {
  if (a.width !== b.width || a.height !== b.height || a.rowBytes !== b.rowBytes) {
    return false
  }
  const n = a.data.length
  if (b.data.length !== n) {
    return false
  }
  for (let i = 0; i < n; i++) {
    if (a.data[i] !== b.data[i]) {
      return false
    }
  }
  return true
}
