import { type Bitmap, isBlack } from '../../src/codec/bitmap.js'

/** The share of a bitmap's pels that are black, 0 to 1. */
export function blackShare(bitmap: Bitmap): number {
  let black = 0
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      black += isBlack(bitmap, x, y) ? 1 : 0
    }
  }
  return black / (bitmap.width * bitmap.height)
}
