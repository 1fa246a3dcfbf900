/**
 * Pictures (PNG, JPEG, and TIFF that is not already a bilevel fax image) become grey fax pages
 * through sharp. A picture that says how many dots per inch it has keeps its printed size (a
 * 300-dpi scan of a Letter page fills a Letter page, and a scan longer than Legal goes on several
 * fax pages); one that does not is fitted to the page.
 * Sizes are checked from the header before any pixel is decoded.
 */
import sharp, { type Sharp } from 'sharp'
import type { Resolution } from '../domain/outbox-entry.js'
import type { PagePlacement } from './fax-geometry.js'
import { placeOnFaxPages } from './fax-geometry.js'
import type { GreyImage } from './grey-image.js'
import { placeOnPage } from './grey-image.js'
import type { PageBudget } from './rendering-error.js'
import { checkPageBudget, checkSplitPage, RenderingError } from './rendering-error.js'

export interface ImageLimits {
  /** Pixels a picture (or one TIFF page) may decode to. */
  readonly maxPixels: number
  /** Pages the fax may have, and those before this picture (a TIFF may have many). */
  readonly pages: PageBudget
}

/** A picture without a usable density is fitted inside this printable area (inches). */
const FIT_WIDTH_INCHES = 8
const FIT_HEIGHT_INCHES = 10.5
/** Densities below this are the 72/96-dpi defaults of screenshots and cameras, not scans. */
const SCAN_DPI_FLOOR = 100

export interface PictureInfo {
  readonly pages: number
}

/** Reads the header; refuses a picture too large to decode or too many pages. */
export async function inspectPicture(data: Uint8Array, limits: ImageLimits): Promise<PictureInfo> {
  const metadata = await sharp(data, { limitInputPixels: false })
    .metadata()
    .catch((error: unknown) => {
      throw unreadable(error)
    })
  const { width, height } = metadata
  const pages = metadata.pages ?? 1
  if (width === undefined || height === undefined || width < 1 || height < 1) {
    throw new RenderingError('failed_image_preparation', 'the picture declares no size')
  }
  if (width * height > limits.maxPixels) {
    throw new RenderingError(
      'failed_image_preparation',
      `the picture declares ${width}×${height} pixels; at most ${limits.maxPixels.toLocaleString('en-US')} are accepted`,
    )
  }
  checkPageBudget('picture', pages, limits.pages)
  return { pages }
}

/**
 * Page `index` (0-based) of the picture as whole grey fax pages: one, or for a picture printed
 * longer than Legal, one for each part of it (placeOnFaxPages), made one at a time.
 */
export async function* renderPicturePages(
  data: Uint8Array,
  index: number,
  resolution: Resolution,
  limits: ImageLimits,
): AsyncGenerator<GreyImage> {
  let placements: PagePlacement[]
  try {
    const metadata = await sharp(data, {
      page: index,
      limitInputPixels: limits.maxPixels,
    }).metadata()
    // EXIF orientation applied: the size the picture is meant to be seen at.
    const width = metadata.autoOrient.width
    const height = metadata.autoOrient.height
    const dpi =
      metadata.density !== undefined && metadata.density >= SCAN_DPI_FLOOR
        ? metadata.density
        : undefined
    const [widthInches, heightInches] =
      dpi !== undefined ? [width / dpi, height / dpi] : fittedInches(width, height)
    placements = placeOnFaxPages(widthInches, heightInches, resolution)
    checkSplitPage('the picture', placements.length, limits.pages.limit)
  } catch (error) {
    throw error instanceof RenderingError ? error : unreadable(error)
  }
  for (const placement of placements) {
    yield await drawPlacement(data, index, placement, limits)
  }
}

/** The part of the picture that `placement` puts on its fax page, on that page. */
async function drawPlacement(
  data: Uint8Array,
  index: number,
  placement: PagePlacement,
  limits: ImageLimits,
): Promise<GreyImage> {
  try {
    const pipeline = sharp(data, { page: index, limitInputPixels: limits.maxPixels })
      .rotate()
      .flatten({ background: '#ffffff' })
      .greyscale()
    return await sharpOnPage(pipeline, placement)
  } catch (error) {
    throw error instanceof RenderingError ? error : unreadable(error)
  }
}

/**
 * The picture `pipeline` gives (upright, grey, its colours flattened onto white), scaled to
 * `placement` and put on its fax page: of a picture split over fax pages (its content longer
 * than the page), only this page's rows are made (libvips computes what is asked for), at the
 * top of the page.
 */
export async function sharpOnPage(pipeline: Sharp, placement: PagePlacement): Promise<GreyImage> {
  if (placement.rotate) {
    pipeline.rotate(90)
  }
  pipeline.resize(placement.contentWidth, placement.contentRows, {
    fit: 'fill',
    kernel: 'lanczos3',
  })
  const split = placement.contentRows > placement.pageRows
  if (split) {
    const above = Math.max(0, -placement.top)
    pipeline.extract({
      left: 0,
      top: above,
      width: placement.contentWidth,
      height: Math.min(placement.pageRows, placement.contentRows - above),
    })
  }
  const { data, info } = await pipeline
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true })
  const content = { width: info.width, height: info.height, data: new Uint8Array(data) }
  return placeOnPage(content, split ? { ...placement, top: 0 } : placement)
}

/** A picture without a printed size: as large as the printable area allows, upright. */
function fittedInches(width: number, height: number): [number, number] {
  const [long, short] = width > height ? [width, height] : [height, width]
  const scale = Math.min(FIT_HEIGHT_INCHES / long, FIT_WIDTH_INCHES / short)
  return [width * scale, height * scale]
}

function unreadable(error: unknown): RenderingError {
  const reason = error instanceof Error ? error.message : String(error)
  return new RenderingError('failed_image_preparation', `the picture cannot be read: ${reason}`, {
    cause: error,
  })
}
