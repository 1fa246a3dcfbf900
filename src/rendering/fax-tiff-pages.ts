/**
 * Bilevel TIFFs (fax files, scans saved as G3/G4) are read by our own codec rather than sharp:
 * their pixels are often not square (204 × 98 or 204 × 196 dpi), which only the codec's reader
 * reports, and a page that is already a fax page passes through pel for pel (each line repeated
 * when the wanted resolution has two or four times as many). Other TIFFs (LZW, JPEG, colour, grey) go to sharp as pictures.
 */
import sharp from 'sharp'
import type { Bitmap } from '../codec/bitmap.js'
import { CodecError } from '../codec/codec-error.js'
import type { TiffPageInfo } from '../codec/tiff-read.js'
import { decodeTiffPage, listTiffPages } from '../codec/tiff-read.js'
import type { Resolution } from '../domain/outbox-entry.js'
import { FAX_PAGE_WIDTH, HORIZONTAL_DPI, placeOnFaxPages } from './fax-geometry.js'
import type { GreyImage } from './grey-image.js'
import { placeOnPage } from './grey-image.js'
import { sharpOnPage } from './image-pages.js'
import type { PageBudget } from './rendering-error.js'
import { checkPageBudget, checkSplitPage, RenderingError } from './rendering-error.js'

/** A file without resolution tags is taken as a fine fax page when it is 1728 pels wide. */
const FAX_DEFAULT_Y_DPI = 196

export interface BilevelTiff {
  readonly bytes: Uint8Array
  readonly pages: readonly TiffPageInfo[]
}

/**
 * The pages of a bilevel TIFF, checked but not decoded; undefined when the file is a TIFF the
 * codec does not read (not bilevel, tiled, another compression), which sharp then takes.
 */
export function openBilevelTiff(
  bytes: Uint8Array,
  budget: PageBudget,
  maxPixels: number,
): BilevelTiff | undefined {
  let pages: TiffPageInfo[]
  try {
    pages = listTiffPages(bytes, { maxPages: budget.limit + 1, maxPixels })
  } catch (error) {
    if (error instanceof CodecError && error.code === 'unsupported') {
      return undefined
    }
    const reason = error instanceof Error ? error.message : String(error)
    throw new RenderingError('failed_image_preparation', `the TIFF cannot be read: ${reason}`, {
      cause: error,
    })
  }
  checkPageBudget('TIFF', pages.length, budget)
  return { bytes, pages }
}

/**
 * Page `index` of the TIFF as whole grey fax pages: one, or for a page longer than Legal, one
 * for each part of it (placeOnFaxPages; a page that would make more than `maxFaxPages` fails
 * before any is made), made one at a time.
 */
export async function* renderBilevelTiffPages(
  tiff: BilevelTiff,
  index: number,
  resolution: Resolution,
  maxFaxPages: number,
): AsyncGenerator<GreyImage> {
  const info = tiff.pages[index]
  if (info === undefined) {
    throw new RangeError(`the TIFF has no page ${index + 1}`)
  }
  const faxWidth = info.width === FAX_PAGE_WIDTH
  const xDpi = info.xDpi ?? (faxWidth ? HORIZONTAL_DPI : 200)
  const yDpi = info.yDpi ?? (faxWidth ? FAX_DEFAULT_Y_DPI : xDpi)
  const placements = placeOnFaxPages(info.width / xDpi, info.height / yDpi, resolution)
  checkSplitPage(`page ${index + 1} of the TIFF`, placements.length, maxFaxPages)
  let bitmap: Bitmap
  try {
    bitmap = decodeTiffPage(tiff.bytes, info)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new RenderingError(
      'failed_image_preparation',
      `page ${index + 1} of the TIFF cannot be decoded: ${reason}`,
      { cause: error },
    )
  }
  const grey = greyOf(bitmap)
  // Every part of a page has the same content; the first placement says how it is made.
  const { rotate, contentWidth, contentRows } = placements[0]!
  const rowFactor = contentRows / grey.height
  const copied = !rotate && contentWidth === grey.width && Number.isInteger(rowFactor)
  for (const placement of placements) {
    yield copied
      ? placeOnPage(grey, placement, rowFactor)
      : await sharpOnPage(
          sharp(grey.data, { raw: { width: grey.width, height: grey.height, channels: 1 } }),
          placement,
        )
  }
}

function greyOf(bitmap: Bitmap): GreyImage {
  const { width, height, rowBytes, data } = bitmap
  const grey = new Uint8Array(width * height).fill(255)
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes
    for (let x = 0; x < width; x++) {
      if ((data[row + (x >> 3)]! & (0x80 >> (x & 7))) !== 0) {
        grey[y * width + x] = 0
      }
    }
  }
  return { width, height, data: grey }
}
