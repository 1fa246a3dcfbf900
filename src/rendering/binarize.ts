/**
 * Grey pages become bilevel pages, the two ways `options.enhancement` asks for.
 *
 * - enhancement on, for text: a local-mean threshold. A pixel is black when it is clearly darker
 *   than its neighbourhood, or dark in absolute terms. Grey text on a tinted form stays text and
 *   the tint disappears, where a global threshold loses one or the other and a halftone turns
 *   small grey type into noise (reference/measurements.md: OCR recovers 0% of such words from
 *   Ghostscript's halftoned fax output, 99.8% after a local threshold).
 * - enhancement off, to keep the look: Floyd–Steinberg error diffusion, serpentine, so that
 *   greys and photos keep their tones as dot density.
 */
import type { Bitmap } from '../codec/bitmap.js'
import { blankBitmap } from '../codec/bitmap.js'
import type { GreyImage } from './grey-image.js'

/** Darker than this is black whatever surrounds it (solid areas, bold strokes). */
const ALWAYS_BLACK = 96
/** Lighter than this is background whatever surrounds it (paper, scanner noise, tints). */
const ALWAYS_WHITE = 216
/** How much darker than the local mean a pixel must be to be ink: a fraction and a floor. */
const CONTRAST_FRACTION = 0.12
const CONTRAST_FLOOR = 12
/** Half the side of the neighbourhood, in pixels across; about 1.5 mm at 204 dpi. */
const RADIUS_ACROSS = 12

export function binarizeForText(image: GreyImage, verticalStretch = 1): Bitmap {
  const { width, height, data } = image
  const bitmap = blankBitmap(width, height)
  const radiusX = RADIUS_ACROSS
  const radiusY = Math.max(1, Math.round(RADIUS_ACROSS * verticalStretch))
  // Summed-area table with one extra row and column of zeros; 255 × 1728 × 5488 < 2^32.
  const stride = width + 1
  const sums = new Uint32Array(stride * (height + 1))
  for (let y = 0; y < height; y++) {
    let rowSum = 0
    const source = y * width
    const above = y * stride
    const here = (y + 1) * stride
    for (let x = 0; x < width; x++) {
      rowSum += data[source + x] ?? 255
      sums[here + x + 1] = (sums[above + x + 1] ?? 0) + rowSum
    }
  }
  const out = bitmap.data
  for (let y = 0; y < height; y++) {
    const top = Math.max(0, y - radiusY)
    const bottom = Math.min(height, y + radiusY + 1)
    const rowTop = top * stride
    const rowBottom = bottom * stride
    const source = y * width
    const target = y * bitmap.rowBytes
    for (let x = 0; x < width; x++) {
      const value = data[source + x] ?? 255
      if (value >= ALWAYS_WHITE) {
        continue
      }
      let black = value < ALWAYS_BLACK
      if (!black) {
        const left = Math.max(0, x - radiusX)
        const right = Math.min(width, x + radiusX + 1)
        const total =
          (sums[rowBottom + right] ?? 0) -
          (sums[rowTop + right] ?? 0) -
          (sums[rowBottom + left] ?? 0) +
          (sums[rowTop + left] ?? 0)
        const mean = total / ((right - left) * (bottom - top))
        black = value < mean - Math.max(CONTRAST_FLOOR, mean * CONTRAST_FRACTION)
      }
      if (black) {
        const index = target + (x >> 3)
        out[index] = (out[index] ?? 0) | (0x80 >> (x & 7))
      }
    }
  }
  return bitmap
}

/** Floyd–Steinberg weights 7/16 ahead, 3/16 behind-below, 5/16 below, 1/16 ahead-below. */
export function ditherPreservingTones(image: GreyImage): Bitmap {
  const { width, height, data } = image
  const bitmap = blankBitmap(width, height)
  const out = bitmap.data
  // Error carried into the current and the next row, in 1/16 units, with a guard cell each side.
  let current = new Int32Array(width + 2)
  let next = new Int32Array(width + 2)
  for (let y = 0; y < height; y++) {
    const leftToRight = y % 2 === 0
    const step = leftToRight ? 1 : -1
    const source = y * width
    const target = y * bitmap.rowBytes
    for (let i = 0; i < width; i++) {
      const x = leftToRight ? i : width - 1 - i
      const cell = x + 1
      const wanted = (data[source + x] ?? 255) + (current[cell] ?? 0) / 16
      const black = wanted < 128
      const error = Math.round(wanted - (black ? 0 : 255))
      if (black) {
        const index = target + (x >> 3)
        out[index] = (out[index] ?? 0) | (0x80 >> (x & 7))
      }
      current[cell + step] = (current[cell + step] ?? 0) + error * 7
      next[cell - step] = (next[cell - step] ?? 0) + error * 3
      next[cell] = (next[cell] ?? 0) + error * 5
      next[cell + step] = (next[cell + step] ?? 0) + error
    }
    ;[current, next] = [next, current]
    next.fill(0)
  }
  return bitmap
}
