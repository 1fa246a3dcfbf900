/**
 * The pages of one PDF drawn on several threads at once: this thread, and worker threads
 * (pdf-page-thread.ts) that each open the document in a PDFium of their own, instantiated from
 * the WebAssembly this thread compiled. Every thread takes the next page from one counter in
 * shared memory when it is free, so a slow page holds up no other and no thread waits to be told
 * what to draw; the pages come back here and are handed on in page order. A worker thread starts
 * drawing once Node.js, PDFium and the document are up in it (about 0.1 s), and this thread draws
 * meanwhile: a short document is drawn here alone before any help arrives. No thread runs more than a few pages ahead of those handed on, so a document's
 * pages are never all held at once.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import type { Bitmap } from '../codec/bitmap.js'
import type { Resolution } from '../domain/outbox-entry.js'
import { binarizeDocumentPage, binarizingRoom } from './binarize.js'
import type { PdfDocument } from './pdf-pages.js'
import type { CompiledPdfium } from './pdfium.js'
import { pdfiumModule } from './pdfium.js'
import { RenderingError } from './rendering-error.js'

/** What a page thread is started with (its workerData). */
export interface PageThreadData {
  readonly pdf: Uint8Array
  /** PDFium, compiled by the thread that starts this one. */
  readonly pdfium: CompiledPdfium
  readonly pageCount: number
  readonly resolution: Resolution
  readonly enhancement: boolean
  readonly lineStretch: number
  /** The most fax pages the fax may have: more from one PDF page fails it (checkSplitPage). */
  readonly maxFaxPages: number
  /** Int32 counters shared by every thread of the job: NEXT_PAGE and HANDED_ON. */
  readonly counters: SharedArrayBuffer
  /** Pages past the last one handed on that may be claimed. */
  readonly window: number
}

/** A bilevel fax page as a page thread hands it back. */
export interface ThreadBitmap {
  readonly width: number
  readonly height: number
  readonly data: Uint8Array
}

/** Messages from a page thread: a PDF page's fax pages (more than one if it is very long). */
export type ThreadAnswer =
  | { readonly type: 'page'; readonly page: number; readonly bitmaps: readonly ThreadBitmap[] }
  | { readonly type: 'failed'; readonly page: number; readonly message: string }

/** Indexes in the shared counters: the next page to claim, and the next to be handed on. */
const NEXT_PAGE = 0
const HANDED_ON = 1
/** How long a thread that is far enough ahead sleeps before it looks again, at most. */
const WINDOW_WAIT_MS = 50

/**
 * Pages a worker thread is worth starting for. A thread costs about 0.25 s of CPU before it
 * draws as fast as this one (Node.js, PDFium, the document, and its code compiled anew), taken
 * from this thread's own helpers on a 2-core machine: measured there with `faxd render`, the
 * 17-page specification took 460 ms on one thread and 500 on two; the 36-page manual 630 on
 * either; 60 generated pages 1070 and 880.
 */
const PAGES_PER_THREAD = 24

/**
 * The next page for a worker thread to draw (1-based; past `pageCount` when none is left), once
 * it is within `window` pages of the next one to be handed on: it sleeps until then.
 */
export function claimPage(counters: Int32Array, limits: ClaimLimits): number {
  for (;;) {
    const handedOn = Atomics.load(counters, HANDED_ON)
    const page = tryClaimPage(counters, limits)
    if (page !== undefined) {
      return page
    }
    Atomics.wait(counters, HANDED_ON, handedOn, WINDOW_WAIT_MS)
  }
}

interface ClaimLimits {
  readonly pageCount: number
  readonly window: number
}

/** As claimPage, but undefined instead of sleeping: this thread hands pages on, and must not. */
function tryClaimPage(
  counters: Int32Array,
  { pageCount, window }: ClaimLimits,
): number | undefined {
  for (;;) {
    const next = Atomics.load(counters, NEXT_PAGE)
    if (next <= pageCount && next >= Atomics.load(counters, HANDED_ON) + window) {
      return undefined
    }
    if (Atomics.compareExchange(counters, NEXT_PAGE, next, next + 1) === next) {
      return next
    }
  }
}

export interface PdfPagesJob {
  /** The PDF's octets, for the worker threads to open. */
  readonly data: Uint8Array
  /** The same document, opened on this thread. */
  readonly document: PdfDocument
  readonly resolution: Resolution
  readonly enhancement: boolean
  readonly lineStretch: number
  /** The most fax pages the fax may have (a PDF page longer than Legal makes several). */
  readonly maxFaxPages: number
  /** Threads to draw on, this one included. */
  readonly threads: number
}

/**
 * Draws every page of the job's PDF and hands each bilevel fax page to `onPage` in page order
 * (a PDF page longer than Legal gives several, placeOnFaxPages).
 * An error thrown by `onPage` (the fax's page limit, a cancelled render) stops the drawing.
 */
export async function drawPdfPages(
  job: PdfPagesJob,
  onPage: (bitmap: Bitmap) => void,
): Promise<void> {
  const pageCount = job.document.pageCount
  const helpers = Math.max(0, Math.min(job.threads - 1, Math.floor(pageCount / PAGES_PER_THREAD)))
  const counters = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT))
  counters[NEXT_PAGE] = 1
  counters[HANDED_ON] = 1
  const limits: ClaimLimits = { pageCount, window: 2 * (helpers + 1) }
  const drawn = new Map<number, readonly Bitmap[]>()
  let failure: Error | undefined
  // Wakes the loop below when a worker thread has answered or stopped.
  let wake: () => void = () => {}
  const answered = (): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve
    })
  const fail = (error: Error): void => {
    failure ??= error
    // No thread takes another page.
    Atomics.store(counters, NEXT_PAGE, pageCount + 1)
    Atomics.notify(counters, HANDED_ON)
    wake()
  }
  const threadData: PageThreadData = {
    pdf: job.data,
    pdfium: await pdfiumModule(),
    pageCount,
    resolution: job.resolution,
    enhancement: job.enhancement,
    lineStretch: job.lineStretch,
    maxFaxPages: job.maxFaxPages,
    counters: counters.buffer,
    window: limits.window,
  }
  const threads = Array.from({ length: helpers }, () =>
    startThread(
      threadData,
      (answer) => {
        if (answer.type === 'failed') {
          fail(pageFailure(answer.page, answer.message))
          return
        }
        drawn.set(
          answer.page,
          answer.bitmaps.map(({ width, height, data }) => ({
            width,
            height,
            rowBytes: Math.ceil(width / 8),
            data,
          })),
        )
        wake()
      },
      fail,
    ),
  )

  try {
    for (let handedOn = 1; failure === undefined && handedOn <= pageCount;) {
      const page = tryClaimPage(counters, limits)
      if (page !== undefined && page <= pageCount) {
        drawn.set(page, drawHere(job, page))
        // Lets the worker threads' answers in between this thread's pages.
        await nextTurn()
      } else if (!drawn.has(handedOn)) {
        await answered()
      }
      for (
        let bitmaps = drawn.get(handedOn);
        bitmaps !== undefined;
        bitmaps = drawn.get(handedOn)
      ) {
        drawn.delete(handedOn)
        handedOn++
        Atomics.store(counters, HANDED_ON, handedOn)
        Atomics.notify(counters, HANDED_ON)
        for (const bitmap of bitmaps) {
          onPage(bitmap)
        }
      }
    }
    if (failure !== undefined) {
      throw failure
    }
  } catch (error) {
    fail(error instanceof Error ? error : new Error(String(error)))
    throw error
  } finally {
    await Promise.all(threads.map(async (thread) => thread.stop()))
  }
}

function drawHere(job: PdfPagesJob, page: number): Bitmap[] {
  return job.document.drawPage(
    page,
    job.resolution,
    (grey) => binarizeDocumentPage(grey, job.enhancement, job.lineStretch),
    job.maxFaxPages,
    roomToBinarize(job.enhancement),
  )
}

/**
 * The room to ask for after a drawing's pixels: the threshold's (binarizingRoom) with
 * enhancement, none without (the pages are dithered, which works on the page alone).
 */
export function roomToBinarize(
  enhancement: boolean,
): ((width: number, height: number) => number) | undefined {
  return enhancement ? binarizingRoom : undefined
}

function pageFailure(page: number, message: string): RenderingError {
  return new RenderingError(
    'failed_separate_file_pages_issue',
    page === 0
      ? `the PDF cannot be read: ${message}`
      : `page ${page} of the PDF cannot be drawn: ${message}`,
  )
}

/**
 * The worker thread's program: built JavaScript; or, running from the sources, a module that
 * registers tsx in the thread (a worker does not inherit the loader hooks of the thread that
 * starts it) and then loads the TypeScript.
 */
const THREAD_ENTRY = import.meta.url.endsWith('.ts')
  ? new URL(
      `data:text/javascript,${encodeURIComponent(
        `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}\n` +
          'register()\n' +
          `await import(${JSON.stringify(new URL('./pdf-page-thread.ts', import.meta.url).href)})`,
      )}`,
    )
  : new URL('./pdf-page-thread.js', import.meta.url)

interface PageThread {
  /** Ends the thread, whatever it is doing; its exit is then no failure. */
  stop(): Promise<void>
}

function startThread(
  data: PageThreadData,
  onAnswer: (answer: ThreadAnswer) => void,
  onStop: (error: Error) => void,
): PageThread {
  const worker = new Worker(THREAD_ENTRY, { workerData: data })
  let ended = false
  worker.on('message', onAnswer)
  worker.on('error', (error) => {
    ended = true
    onStop(new RenderingError('failed_separate_file_pages_issue', error.message))
  })
  worker.on('exit', (code) => {
    // A thread exits 0 when no page is left for it.
    if (code !== 0 && !ended) {
      ended = true
      onStop(
        new RenderingError(
          'failed_separate_file_pages_issue',
          `a thread drawing the PDF's pages stopped (exit ${code})`,
        ),
      )
    }
  })
  return {
    async stop() {
      ended = true
      await worker.terminate()
    },
  }
}
