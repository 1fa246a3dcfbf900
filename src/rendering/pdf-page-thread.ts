/**
 * A worker thread that draws pages of one PDF for pdf-page-threads.ts: it opens the document in
 * a PDFium of its own, then takes pages from the counter it shares with the other threads until
 * none is left, and hands each back bilevel (its octets transferred, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { binarizeDocumentPage } from './binarize.js'
import { openPdf } from './pdf-pages.js'
import type { PageThreadData, ThreadAnswer } from './pdf-page-threads.js'
import { claimPage, roomToBinarize } from './pdf-page-threads.js'
import { usePdfiumModule } from './pdfium.js'

if (parentPort === null) {
  throw new Error('pdf-page-thread.ts runs as a worker thread')
}
const port = parentPort
const job = workerData as PageThreadData
const answer = (message: ThreadAnswer, transfer: ArrayBuffer[] = []): void => {
  port.postMessage(message, transfer)
}

usePdfiumModule(job.pdfium)
let page = 0
try {
  // The page budget was checked where the document was first opened.
  const document = await openPdf(job.pdf, { limit: Number.MAX_SAFE_INTEGER, used: 0 })
  const counters = new Int32Array(job.counters)
  for (page = claimPage(counters, job); page <= job.pageCount; page = claimPage(counters, job)) {
    const bitmaps = document
      .drawPage(
        page,
        job.resolution,
        (grey) => binarizeDocumentPage(grey, job.enhancement, job.lineStretch),
        job.maxFaxPages,
        roomToBinarize(job.enhancement),
      )
      .map(({ width, height, data }) => ({ width, height, data }))
    answer(
      { type: 'page', page, bitmaps },
      bitmaps.map(({ data }) => data.buffer as ArrayBuffer),
    )
  }
  document.close()
} catch (error) {
  answer({ type: 'failed', page, message: error instanceof Error ? error.message : String(error) })
}
