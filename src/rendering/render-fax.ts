/**
 * One fax's documents become its pages, in the order they are sent: the cover sheet(s), then
 * each document in turn (design.md: uploaded files in order, then the `from_fax` document).
 * Each document's kind is sniffed from its content. Pages are handed to `encodePage` as soon as
 * they are bilevel, so a long fax holds coded pages (tens of kilobytes) rather than bitmaps.
 */
import type { Bitmap } from '../codec/bitmap.js'
import { sniffDocumentKind } from '../domain/document-kind.js'
import type { DocumentKind } from '../domain/document-kind.js'
import type { Resolution } from '../domain/outbox-entry.js'
import { binarizeDocumentPage, binarizeForText } from './binarize.js'
import type { CoverSheetInput } from './cover-page.js'
import { verticalDpi, HORIZONTAL_DPI } from './fax-geometry.js'
import type { GreyImage } from './grey-image.js'
import type { PdfDocument } from './pdf-pages.js'
import type { PdfPagesJob } from './pdf-page-threads.js'
import type { PageBudget } from './rendering-error.js'
import type { RenderProgress, RenderSettings } from './render-settings.js'
import { RenderingError } from './rendering-error.js'

/**
 * Each kind's drawing code, loaded by the first document that needs it: a render process loads
 * the canvas (whose font manager alone is a tenth of a CPU-second), PDFium or sharp only for the
 * documents that use them, and a fax TIFF needs none of them.
 */
const coverPages = () => import('./cover-page.js')
const pdfPages = () => import('./pdf-pages.js')
const pdfPageThreads = () => import('./pdf-page-threads.js')
const textPages = () => import('./text-pages.js')
const picturePages = () => import('./image-pages.js')
const faxTiffPages = () => import('./fax-tiff-pages.js')
const officeConversion = () => import('./office-conversion.js')

export interface FaxDocuments {
  /** The documents in the order they are sent. */
  readonly documents: readonly Uint8Array[]
  readonly cover?: CoverSheetInput
  readonly resolution: Resolution
  /** design.md: true binarizes for text, false dithers to keep greys and photos. */
  readonly enhancement: boolean
}

/**
 * The fax's pages, each as `encodePage` made it, cover sheets first. `onPagesKnown` is told how
 * many pages the fax has at least, as soon as that is known from the documents' headers (before
 * anything is drawn), and again as converted Office documents add theirs.
 */
export async function renderFax<Page>(
  fax: FaxDocuments,
  settings: RenderSettings,
  encodePage: (bitmap: Bitmap) => Page,
  onProgress: (progress: RenderProgress) => void = () => {},
  onPagesKnown: (pages: number) => void = () => {},
): Promise<Page[]> {
  const kinds = fax.documents.map((data, index) => documentKind(data, index, settings))
  const coverSheets =
    fax.cover === undefined
      ? 0
      : (await coverPages()).coverSheetCount(fax.cover.cover, settings.paper)
  const openPdfs = await checkKnownPageCounts(fax.documents, kinds, coverSheets, settings)
  try {
    const known = [...openPdfs.values()].reduce((sum, pdf) => sum + pdf.pageCount, coverSheets)
    onPagesKnown(known)
    return await renderOpened(
      fax,
      settings,
      encodePage,
      onProgress,
      kinds,
      coverSheets,
      openPdfs,
      (converted) => {
        onPagesKnown(known + converted)
      },
    )
  } finally {
    for (const pdf of openPdfs.values()) {
      pdf.close()
    }
  }
}

async function renderOpened<Page>(
  fax: FaxDocuments,
  settings: RenderSettings,
  encodePage: (bitmap: Bitmap) => Page,
  onProgress: (progress: RenderProgress) => void,
  kinds: readonly DocumentKind[],
  coverSheets: number,
  openPdfs: ReadonlyMap<number, PdfDocument>,
  onConverted: (pages: number) => void,
): Promise<Page[]> {
  const pages: Page[] = []
  let convertedPages = 0
  const lineStretch = verticalDpi(fax.resolution) / HORIZONTAL_DPI

  const addBitmap = (bitmap: Bitmap, document: number): void => {
    if (coverSheets + pages.length >= settings.maxPages) {
      throw new RenderingError(
        'failed_separate_file_pages_issue',
        `the fax has more than ${settings.maxPages} pages, the most one fax may have`,
      )
    }
    pages.push(encodePage(bitmap))
    onProgress({ pagesDone: pages.length, document })
  }
  const pdfPagesJob = (data: Uint8Array, document: PdfDocument): PdfPagesJob => ({
    data,
    document,
    resolution: fax.resolution,
    enhancement: fax.enhancement,
    lineStretch,
    maxFaxPages: settings.maxPages,
    threads: settings.threads ?? 1,
  })

  for (const [index, data] of fax.documents.entries()) {
    const kind = kinds[index] as DocumentKind
    const budget = { limit: settings.maxPages, used: coverSheets + pages.length }
    const addDocumentBitmap = (bitmap: Bitmap): void => {
      addBitmap(bitmap, index + 1)
    }
    const pdf = openPdfs.get(index)
    if (pdf !== undefined) {
      const { drawPdfPages } = await pdfPageThreads()
      await drawPdfPages(pdfPagesJob(data, pdf), addDocumentBitmap)
    } else if (kind === 'office' && settings.office !== undefined) {
      const converted = await (await officeConversion()).convertOfficeToPdf(data, settings.office)
      const [{ openPdf }, { drawPdfPages }] = await Promise.all([pdfPages(), pdfPageThreads()])
      const document = await openPdf(converted, budget)
      convertedPages += document.pageCount
      onConverted(convertedPages)
      try {
        await drawPdfPages(pdfPagesJob(converted, document), addDocumentBitmap)
      } finally {
        document.close()
      }
    } else {
      await renderDocument(data, kind, fax, settings, budget, (grey, drawn) => {
        addDocumentBitmap(
          drawn
            ? binarizeForText(grey, lineStretch)
            : binarizeDocumentPage(grey, fax.enhancement, lineStretch),
        )
      })
    }
  }

  if (fax.cover === undefined) {
    return pages
  }
  const total = coverSheets + pages.length
  const { renderCoverSheets } = await coverPages()
  const sheets = await renderCoverSheets(fax.cover, total, settings.paper, fax.resolution)
  const cover = sheets.map((grey) => encodePage(binarizeForText(grey, lineStretch)))
  onProgress({ pagesDone: total, document: 0 })
  return [...cover, ...pages]
}

/**
 * Fails early, before anything is drawn, when the PDFs and pictures alone (whose page counts are
 * in their headers) already take the fax past its page limit. The PDFs stay open for drawing,
 * by their document's index; the caller closes them.
 */
async function checkKnownPageCounts(
  documents: readonly Uint8Array[],
  kinds: readonly DocumentKind[],
  coverSheets: number,
  settings: RenderSettings,
): Promise<Map<number, PdfDocument>> {
  const openPdfs = new Map<number, PdfDocument>()
  try {
    await countKnownPages(documents, kinds, coverSheets, settings, openPdfs)
  } catch (error) {
    for (const pdf of openPdfs.values()) {
      pdf.close()
    }
    throw error
  }
  return openPdfs
}

async function countKnownPages(
  documents: readonly Uint8Array[],
  kinds: readonly DocumentKind[],
  coverSheets: number,
  settings: RenderSettings,
  openPdfs: Map<number, PdfDocument>,
): Promise<void> {
  let used = coverSheets
  for (const [index, data] of documents.entries()) {
    const budget = { limit: settings.maxPages, used }
    const kind = kinds[index]
    if (kind === 'pdf') {
      const { openPdf } = await pdfPages()
      const pdf = await openPdf(data, budget)
      openPdfs.set(index, pdf)
      used += pdf.pageCount
    } else if (kind === 'png' || kind === 'jpeg' || kind === 'tiff') {
      const bilevel =
        kind === 'tiff'
          ? (await faxTiffPages()).openBilevelTiff(data, budget, settings.maxPicturePixels)
          : undefined
      const limits = { maxPixels: settings.maxPicturePixels, pages: budget }
      used +=
        bilevel?.pages.length ?? (await (await picturePages()).inspectPicture(data, limits)).pages
    }
  }
}

function documentKind(data: Uint8Array, index: number, settings: RenderSettings): DocumentKind {
  const kind = sniffDocumentKind(data.subarray(0, 65_536))
  if (kind === undefined) {
    throw new RenderingError(
      'failed_mimetype_not_supported',
      `document ${index + 1} is not a kind faxd can send (PDF, TIFF, PNG, JPEG, text or Office)`,
    )
  }
  if (kind === 'office' && settings.office === undefined) {
    throw new RenderingError(
      'failed_mimetype_not_supported',
      `document ${index + 1} is an Office document or a web page, which this server does not convert ` +
        '(LibreOffice is not installed or turned off, or documents cannot be sandboxed here: ' +
        "the worker's start-up log says which)",
    )
  }
  return kind
}

async function renderDocument(
  data: Uint8Array,
  kind: DocumentKind,
  fax: FaxDocuments,
  settings: RenderSettings,
  budget: PageBudget,
  addPage: (grey: GreyImage, drawn: boolean) => void,
): Promise<void> {
  switch (kind) {
    case 'text': {
      const { decodeText, renderTextPages } = await textPages()
      for (const page of renderTextPages(decodeText(data), settings.paper, fax.resolution)) {
        addPage(page, true)
      }
      return
    }
    case 'tiff': {
      const { openBilevelTiff, renderBilevelTiffPages } = await faxTiffPages()
      const tiff = openBilevelTiff(data, budget, settings.maxPicturePixels)
      if (tiff !== undefined) {
        for (let page = 0; page < tiff.pages.length; page++) {
          for await (const grey of renderBilevelTiffPages(
            tiff,
            page,
            fax.resolution,
            settings.maxPages,
          )) {
            addPage(grey, false)
          }
        }
        return
      }
      await renderPicture(data, fax, settings, budget, addPage)
      return
    }
    case 'png':
    case 'jpeg':
      await renderPicture(data, fax, settings, budget, addPage)
      return
    case 'office':
    case 'pdf':
      // Drawn by drawPdfPages (above): PDFs were opened as their pages were counted.
      throw new Error(`a ${kind} document reached renderDocument`)
  }
}

async function renderPicture(
  data: Uint8Array,
  fax: FaxDocuments,
  settings: RenderSettings,
  budget: PageBudget,
  addPage: (grey: GreyImage, drawn: boolean) => void,
): Promise<void> {
  const limits = { maxPixels: settings.maxPicturePixels, pages: budget }
  const { inspectPicture, renderPicturePages } = await picturePages()
  const { pages } = await inspectPicture(data, limits)
  for (let page = 0; page < pages; page++) {
    for await (const grey of renderPicturePages(data, page, fax.resolution, limits)) {
      addPage(grey, false)
    }
  }
}
