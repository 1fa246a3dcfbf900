/**
 * PDF documents become grey fax pages through PDFium (pdfium.ts), one page at a time, each drawn
 * straight at its fax size (anisotropic: 204 dpi across, 196 or 392 down) and already turned
 * upright, so that strokes are placed on the fax grid rather than resampled afterwards.
 */
import type { Resolution } from '../domain/outbox-entry.js'
import { FAX_PAGE_WIDTH, placeOnFaxPages, POINTS_PER_INCH } from './fax-geometry.js'
import type { GreyImage } from './grey-image.js'
import type { GreyDrawing } from './pdfium.js'
import { PdfiumDocument, PdfiumError } from './pdfium.js'
import type { PageBudget } from './rendering-error.js'
import { checkPageBudget, checkSplitPage, RenderingError } from './rendering-error.js'

/**
 * Opens the PDF and checks its pages against `budget`; fails with the Fax.Plus status for an
 * unreadable or password-protected file.
 */
export async function openPdf(data: Uint8Array, budget: PageBudget): Promise<PdfDocument> {
  let document: PdfiumDocument
  try {
    document = await PdfiumDocument.open(data)
  } catch (error) {
    if (error instanceof PdfiumError && error.failure === 'password') {
      throw new RenderingError(
        'failed_unknown_converter_issue',
        'the PDF is password-protected; send it without a password',
        { cause: error },
      )
    }
    const reason = error instanceof Error ? error.message : String(error)
    throw new RenderingError('failed_convert_to_tiff_issue', `the PDF cannot be read: ${reason}`, {
      cause: error,
    })
  }
  try {
    if (document.pageCount < 1) {
      throw new RenderingError('failed_convert_to_tiff_issue', 'the PDF has no pages')
    }
    checkPageBudget('PDF', document.pageCount, budget)
  } catch (error) {
    document.close()
    throw error
  }
  return new PdfDocument(document)
}

/**
 * A drawing as a GreyImage: the same pixels where its rows are not padded (in PDFium's memory,
 * with the room after them that was asked for), else a copy.
 */
function greyOf({ width, height, stride, pixels, memory, room }: GreyDrawing): GreyImage {
  if (stride === width) {
    const data = pixels.subarray(0, width * height)
    return room === 0 ? { width, height, data } : { width, height, data, inWasm: { memory, room } }
  }
  const data = new Uint8Array(width * height)
  for (let y = 0; y < height; y++) {
    data.set(pixels.subarray(y * stride, y * stride + width), y * width)
  }
  return { width, height, data }
}

export class PdfDocument {
  readonly #document: PdfiumDocument

  constructor(document: PdfiumDocument) {
    this.#document = document
  }

  get pageCount(): number {
    return this.#document.pageCount
  }

  /**
   * Draws page `number` (1-based) as whole grey fax pages, one, or more for a page longer than
   * Legal (placeOnFaxPages; a page that would make more than `maxFaxPages` fails before any is
   * drawn), and hands each to `use` in turn. The pixels are PDFium's own, drawn in place and not
   * copied: they are valid only while `use` runs. `room` asks for octets left free after a
   * drawing's pixels of each size, for `use` to work in (the binarizer's binarizingRoom): the
   * page then says where it lies (GreyImage.inWasm).
   */
  drawPage<T>(
    number: number,
    resolution: Resolution,
    use: (page: GreyImage) => T,
    maxFaxPages: number,
    room?: (width: number, height: number) => number,
  ): T[] {
    // What `use` throws (the fax's page limit, say) is its own, and goes on as it is.
    let thrownByUse: { readonly error: unknown } | undefined
    try {
      return this.#document.drawPage(
        number - 1,
        (size) => {
          const placements = placeOnFaxPages(
            size.width / POINTS_PER_INCH,
            size.height / POINTS_PER_INCH,
            resolution,
          )
          checkSplitPage(`page ${number} of the PDF`, placements.length, maxFaxPages)
          return placements.map((placement) => ({
            width: FAX_PAGE_WIDTH,
            height: placement.pageRows,
            left: placement.left,
            top: placement.top,
            contentWidth: placement.contentWidth,
            contentHeight: placement.contentRows,
            quarterTurn: placement.rotate,
            room: room?.(FAX_PAGE_WIDTH, placement.pageRows) ?? 0,
          }))
        },
        (drawing) => {
          try {
            return use(greyOf(drawing))
          } catch (error) {
            thrownByUse = { error }
            throw error
          }
        },
      )
    } catch (error) {
      if (
        (thrownByUse !== undefined && thrownByUse.error === error) ||
        error instanceof RenderingError
      ) {
        throw error
      }
      const reason = error instanceof Error ? error.message : String(error)
      throw new RenderingError(
        'failed_separate_file_pages_issue',
        `page ${number} of the PDF cannot be drawn: ${reason}`,
        { cause: error },
      )
    }
  }

  close(): void {
    this.#document.close()
  }
}
