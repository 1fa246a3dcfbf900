/**
 * A grey raster between a renderer and binarization: one octet per pixel, 0 = black,
 * 255 = white, rows top to bottom with no padding.
 */
import type { InWasmMemory } from '../shared/wasm-instance.js'
import type { PagePlacement } from './fax-geometry.js'
import { FAX_PAGE_WIDTH } from './fax-geometry.js'

export interface GreyImage {
  readonly width: number
  readonly height: number
  readonly data: Uint8Array
  /**
   * The WebAssembly memory `data` lies in, with room after it, when it was drawn there for the
   * binarizer (a PDF's page, drawn by PDFium: pdf-pages.ts), which then reads it where it lies.
   */
  readonly inWasm?: InWasmMemory
}

export function whiteImage(width: number, height: number): GreyImage {
  return { width, height, data: new Uint8Array(width * height).fill(255) }
}

/**
 * Luma of a canvas's own pixels (@napi-rs/canvas `canvas.data()`: RGBA with the colour
 * premultiplied by alpha) composited over white: ITU-R BT.601 weights in 1/256ths (77, 150, 29).
 * White and grey pixels, nearly all of a page, take the short ways. Not getImageData, whose
 * buffer @napi-rs/canvas 0.1.100 never frees (measured: 100 calls on a 1728×2156 canvas grew
 * the process by 1.6 GB, gc or not, about 15 MB a fax page, where canvas.data() stayed flat).
 */
export function greyFromCanvasPixels(rgba: Uint8Array, width: number, height: number): GreyImage {
  const count = width * height
  const data = new Uint8Array(count)
  const aligned = rgba.byteOffset % 4 === 0
  const pixels = aligned ? new Uint32Array(rgba.buffer, rgba.byteOffset, count) : undefined
  for (let i = 0, p = 0; i < count; i++, p += 4) {
    if (pixels !== undefined && pixels[i] === 0xffffffff) {
      data[i] = 255
      continue
    }
    const r = rgba[p]!
    const g = rgba[p + 1]!
    const b = rgba[p + 2]!
    const alpha = rgba[p + 3]!
    const luma = r === g && g === b ? r : (r * 77 + g * 150 + b * 29) >> 8
    // Over white: the premultiplied colour plus the white that shows through.
    data[i] = alpha === 255 ? luma : Math.min(255, luma + 255 - alpha)
  }
  return { width, height, data }
}

/**
 * The whole fax page: a white 1728-pixel-wide page with `content` at its placement, each of its
 * rows `linesPerRow` times (a fax TIFF of 98 lines an inch on a page of 196 or 392). Content that
 * is a pixel or two larger than the placement (renderers round differently) is clipped; it is
 * white margin by then.
 */
export function placeOnPage(
  content: GreyImage,
  placement: PagePlacement,
  linesPerRow = 1,
): GreyImage {
  const page = whiteImage(FAX_PAGE_WIDTH, placement.pageRows)
  // A negative top: the content's lines above this page (a part of a page split over several).
  const skipped = Math.max(0, -placement.top)
  const top = Math.max(0, placement.top)
  const lines = Math.min(content.height * linesPerRow - skipped, placement.pageRows - top)
  const columns = Math.min(content.width, FAX_PAGE_WIDTH - placement.left)
  for (let y = 0; y < lines; y++) {
    const from = Math.floor((skipped + y) / linesPerRow) * content.width
    page.data.set(
      content.data.subarray(from, from + columns),
      (top + y) * FAX_PAGE_WIDTH + placement.left,
    )
  }
  return page
}
