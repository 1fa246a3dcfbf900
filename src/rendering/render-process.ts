/**
 * The entry point of a render child process (see isolated-renderer.ts). It takes RenderJobs from
 * its parent one at a time, renders each, reports progress and the outcome, and waits for the
 * next; it leaves when its parent lets go of it (the channel closes), and after a job that failed
 * or lowered its priority (a process cannot raise it again: the next fax would start slowed).
 * Whatever goes wrong in here, including a crash, ends this process only.
 */
import { readdirSync } from 'node:fs'
import { setPriority } from 'node:os'
import { pdfiumModule } from './pdfium.js'
import type { RenderJob, RenderMessage } from './render-job.js'
import { asRenderingError } from './rendering-error.js'

// PDFium's WebAssembly (4.6 MB) compiles on V8's background threads while the rest of the
// render code loads on this one, before a job has come: most faxes are PDFs, and a PDF's render
// would wait for both. A failure, thrown (the file missing or unreadable) or rejected (not valid
// WebAssembly), is reported by the first PDF to open, as before: no other job is affected.
try {
  pdfiumModule().catch(() => {})
} catch {
  // Reported by the first PDF.
}
const rendering = import('./render-to-tiff.js')
// A failure to load is each job's to report (renderJob), not a crash before any.
rendering.catch(() => {})

function send(message: RenderMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      resolve()
      return
    }
    process.send(message, undefined, {}, () => {
      resolve()
    })
  })
}

/**
 * A render of more pages than this gives way: it lowers its own CPU priority, so that a short fax
 * rendered beside it by the same worker (FAXD_WORKER_RENDERS) is not slowed by it, where a long
 * one is hardly slowed by the short one's moment. 20 pages take about half a second.
 */
const LARGE_RENDER_PAGES = 20
/** The nice value a large render takes (0 is the default, 19 the lowest priority). */
const LARGE_RENDER_NICE = 10

let gaveWay = false

/**
 * Lowers the priority of this process's threads (Linux keeps one per thread: Node's helpers for
 * the collector and compiler, and PDFium's page threads, which take it from this one when they
 * start) once it is a large render.
 */
function giveWayWhenLarge(pages: number): void {
  if (pages <= LARGE_RENDER_PAGES || gaveWay) {
    return
  }
  gaveWay = true
  let threads: number[] = [0]
  try {
    threads = readdirSync('/proc/self/task').map(Number)
  } catch {
    // No /proc here: this thread alone.
  }
  for (const thread of threads) {
    try {
      setPriority(thread, LARGE_RENDER_NICE)
    } catch {
      // Not allowed here (a policy may forbid it), or the thread has ended: it goes on as it was.
    }
  }
}

/** Pages between two collections of the bitmaps of pages written (collectWrittenPages). */
const PAGES_PER_COLLECTION = 4

/**
 * Frees the bitmaps of the pages written so far. A page's bitmap (466 KB at fine) is kept outside
 * the JavaScript heap, which hardly grows while pages are drawn, so the collector, which runs as
 * the heap fills, left them: a render of 200 pages held 20–30 MB of bitmaps already written
 * (docs/benchmarks.md). What dies young is freed by a minor collection, which takes a fraction of
 * a millisecond; the process is started with --expose-gc for it (isolated-renderer.ts).
 */
function collectWrittenPages(pagesDone: number): void {
  if (pagesDone % PAGES_PER_COLLECTION === 0) {
    globalThis.gc?.({ type: 'minor' })
  }
}

async function renderJob(job: RenderJob): Promise<void> {
  let answer: RenderMessage
  try {
    const { renderToTiff } = await rendering
    const { pages, bytes } = await renderToTiff(
      job,
      (progress) => {
        collectWrittenPages(progress.pagesDone)
        void send({ type: 'progress', ...progress })
      },
      giveWayWhenLarge,
    )
    answer = { type: 'done', pages, bytes, takesMore: !gaveWay }
  } catch (error) {
    const failure = asRenderingError(error)
    answer = { type: 'failed', status: failure.status, message: failure.message }
  }
  await send(answer)
  if (answer.type === 'failed' || answer.takesMore !== true) {
    // Leaves as soon as the answer is on its way (send resolves once it is written), not when
    // the event loop has drained, which took from 40 ms to most of a second longer.
    process.exit(0)
  }
}

process.on('message', (job: RenderJob) => {
  void renderJob(job)
})
process.on('disconnect', () => {
  process.exit(0)
})
