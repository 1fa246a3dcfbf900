/**
 * PDF documents become grey fax pages through pdf.js 5 drawing on @napi-rs/canvas, one page at
 * a time, each drawn straight at its fax size (anisotropic: 204 dpi across, 196 or 392 down) so
 * that strokes are placed on the fax grid rather than resampled afterwards.
 */
import { type Canvas, createCanvas } from '@napi-rs/canvas'
import { PDFJS_DATA } from './canvas-runtime.js'
import type { Resolution } from '../domain/outbox-entry.js'
import { placePage, POINTS_PER_INCH } from './fax-geometry.js'
import type { GreyImage } from './grey-image.js'
import { greyFromCanvasPixels, placeOnPage, rotateClockwise } from './grey-image.js'
import type { PageBudget } from './rendering-error.js'
import { checkPageBudget, RenderingError } from './rendering-error.js'

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs')

let pdfjsLoaded: Promise<Pdfjs> | undefined

/**
 * pdf.js, loaded on first use (after canvas-runtime, imported above, has put its globals in
 * place): faxd serve, the worker and renders of text, pictures and TIFF never open a PDF, and
 * loading it was a quarter of the CPU of a render process that draws a page of text (90 ms of
 * 400 on the 2-core CI machine).
 */
function loadPdfjs(): Promise<Pdfjs> {
  pdfjsLoaded ??= import('pdfjs-dist/legacy/build/pdf.mjs')
  return pdfjsLoaded
}

export interface PdfLimits {
  /** Pages the fax may have, and those before this document. */
  readonly pages: PageBudget
  /** Pixels one embedded image may decode to (pdf.js `maxImageSize`). */
  readonly maxImagePixels: number
}

/** Opens the PDF; fails with the Fax.Plus status for an unreadable or password-protected file. */
export async function openPdf(data: Uint8Array, limits: PdfLimits): Promise<PdfDocument> {
  const pdfjs = await loadPdfjs()
  const task = pdfjs.getDocument({
    // pdf.js transfers (detaches) the buffer it is given; the caller's stays usable.
    data: data.slice(),
    ...PDFJS_DATA,
    cMapPacked: true,
    disableFontFace: true,
    useSystemFonts: false,
    isEvalSupported: false,
    isOffscreenCanvasSupported: false,
    enableXfa: false,
    maxImageSize: limits.maxImagePixels,
    verbosity: 0,
  })
  let document: Awaited<typeof task.promise>
  try {
    document = await task.promise
  } catch (error) {
    await task.destroy()
    if (error instanceof Error && error.name === 'PasswordException') {
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
    checkPageBudget('PDF', document.numPages, limits.pages)
  } catch (error) {
    await document.destroy()
    throw error
  }
  return new PdfDocument(document)
}

type PdfjsDocument = Awaited<ReturnType<Pdfjs['getDocument']>['promise']>

export class PdfDocument {
  readonly #document: PdfjsDocument
  /** One canvas for the pages of one size: most documents have a single page size. */
  #canvas: Canvas | undefined

  constructor(document: PdfjsDocument) {
    this.#document = document
  }

  get pageCount(): number {
    return this.#document.numPages
  }

  /** Page `number` (1-based) as a whole grey fax page. */
  async renderPage(number: number, resolution: Resolution): Promise<GreyImage> {
    try {
      const page = await this.#document.getPage(number)
      try {
        // The viewport at scale 1 is the page as it is meant to be seen: /Rotate applied, in points.
        const viewport = page.getViewport({ scale: 1 })
        const placement = placePage(
          viewport.width / POINTS_PER_INCH,
          viewport.height / POINTS_PER_INCH,
          resolution,
        )
        const width = placement.rotate ? placement.contentRows : placement.contentWidth
        const height = placement.rotate ? placement.contentWidth : placement.contentRows
        const canvas = this.#canvasOf(width, height)
        const context = canvas.getContext('2d')
        context.setTransform(1, 0, 0, 1, 0, 0)
        context.fillStyle = '#fff'
        context.fillRect(0, 0, width, height)
        await page.render({
          canvas: canvas as never,
          canvasContext: context as never,
          viewport,
          transform: [width / viewport.width, 0, 0, height / viewport.height, 0, 0],
          background: '#fff',
        }).promise
        const content = greyFromCanvasPixels(canvas.data(), width, height)
        return placeOnPage(placement.rotate ? rotateClockwise(content) : content, placement)
      } finally {
        page.cleanup()
      }
    } catch (error) {
      if (error instanceof RenderingError) {
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

  #canvasOf(width: number, height: number): Canvas {
    if (this.#canvas?.width !== width || this.#canvas.height !== height) {
      this.#canvas = createCanvas(width, height)
    }
    return this.#canvas
  }

  async close(): Promise<void> {
    await this.#document.destroy()
  }
}
