/**
 * A grey raster between a renderer and binarization: one octet per pixel, 0 = black,
 * 255 = white, rows top to bottom with no padding.
 */
import type { PagePlacement } from './fax-geometry.js'
import { FAX_PAGE_WIDTH } from './fax-geometry.js'

export interface GreyImage {
  readonly width: number
  readonly height: number
  readonly data: Uint8Array
}

export function whiteImage(width: number, height: number): GreyImage {
  return { width, height, data: new Uint8Array(width * height).fill(255) }
}

/**
 * Luma of RGBA pixels composited over white (ITU-R BT.601 weights, integer arithmetic), as a
 * canvas's getImageData returns them.
 */
export function greyFromRgba(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
): GreyImage {
  const data = new Uint8Array(width * height)
  for (let i = 0, p = 0; i < data.length; i++, p += 4) {
    const alpha = rgba[p + 3] ?? 255
    const luma = ((rgba[p] ?? 0) * 299 + (rgba[p + 1] ?? 0) * 587 + (rgba[p + 2] ?? 0) * 114) / 1000
    data[i] = Math.round(255 - ((255 - luma) * alpha) / 255)
  }
  return { width, height, data }
}

/** Turns an image a quarter turn clockwise (a landscape page becomes upright). */
export function rotateClockwise(image: GreyImage): GreyImage {
  const { width, height, data } = image
  const turned = new Uint8Array(width * height)
  for (let y = 0; y < height; y++) {
    const row = y * width
    const column = height - 1 - y
    for (let x = 0; x < width; x++) {
      turned[x * height + column] = data[row + x] ?? 255
    }
  }
  return { width: height, height: width, data: turned }
}

/**
 * The whole fax page: a white 1728-pixel-wide page with `content` at its placement. Content that
 * is a pixel or two larger than the placement (renderers round differently) is clipped; it is
 * white margin by then.
 */
export function placeOnPage(content: GreyImage, placement: PagePlacement): GreyImage {
  const page = whiteImage(FAX_PAGE_WIDTH, placement.pageRows)
  const rows = Math.min(content.height, placement.pageRows - placement.top)
  const columns = Math.min(content.width, FAX_PAGE_WIDTH - placement.left)
  for (let y = 0; y < rows; y++) {
    const from = y * content.width
    page.data.set(
      content.data.subarray(from, from + columns),
      (placement.top + y) * FAX_PAGE_WIDTH + placement.left,
    )
  }
  return page
}
