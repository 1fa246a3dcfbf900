/**
 * The render processes of a service (isolated-renderer.ts), kept a while after a fax so that the
 * next fax of the same owner is rendered by a process that has started already: Node.js, faxd's
 * code and PDFium loaded, and the JIT warm. Starting one is most of what a short fax costs (about
 * 0.3 CPU-seconds of a 2-page PDF's 0.4: docs/benchmarks.md, "The soak"), and a server that starts
 * one per fax finishes fewer faxes a second than a steady sender sends.
 *
 * A process renders the faxes of one owner only. What a document could do to the process that
 * draws it (a flaw in a parser, a document crafted to exploit one) then reaches that owner's own
 * faxes and no one else's, as when every fax had a process of its own; each fax's documents are
 * taken out of the render folder when it ends. A process is let go after MAX_JOBS faxes, after
 * IDLE_MS without one, after a fax that failed or was large (it leaves by itself), and whenever
 * one of its limits (time, memory, the render's signal) kills it.
 */
import type { Isolation } from './isolated-renderer.js'
import { RenderProcess, renderIsolated } from './isolated-renderer.js'
import type { RenderJob } from './render-job.js'
import type { RenderProgress } from './render-settings.js'

/** Faxes one process renders at most. */
const MAX_JOBS = 100
/** How long a process waits for its owner's next fax. */
const IDLE_MS = 10_000
/** Processes kept waiting at once, whoever's: the oldest goes first. */
const MAX_WAITING = 2

interface Waiting {
  readonly process: RenderProcess
  readonly key: string
  readonly timer: NodeJS.Timeout
}

export class RenderProcessPool {
  readonly #isolation: Isolation
  /** Oldest first. */
  #waiting: Waiting[] = []
  #closed = false

  constructor(isolation: Isolation) {
    this.#isolation = isolation
  }

  /**
   * Renders `job` in a waiting process of its owner, or a new one; a job without an owner in a
   * process of its own. As renderIsolated otherwise.
   */
  async render(
    job: RenderJob,
    onProgress: (progress: RenderProgress) => void = () => {},
    signal?: AbortSignal,
  ): Promise<{ pages: number; bytes: number }> {
    if (job.owner === undefined || this.#closed) {
      return renderIsolated(job, this.#isolation, onProgress, signal)
    }
    signal?.throwIfAborted()
    const office = job.settings.office?.program
    // The office program is part of the process's view of the host: a process is reused for
    // the same one only.
    const key = JSON.stringify([job.owner, office ?? null])
    const renderer = this.#take(key) ?? (await RenderProcess.start(this.#isolation, office))
    try {
      return await renderer.render(job, onProgress, signal)
    } finally {
      if (renderer.ready && renderer.jobs < MAX_JOBS && !this.#closed) {
        this.#keep(key, renderer)
      } else {
        // Gone, folder and all, by the time the fax is answered.
        await renderer.close()
      }
    }
  }

  /** Lets every waiting process go. Renders in flight end as they would have. */
  async close(): Promise<void> {
    this.#closed = true
    const waiting = this.#waiting
    this.#waiting = []
    await Promise.all(
      waiting.map(async ({ process, timer }) => {
        clearTimeout(timer)
        await process.close()
      }),
    )
  }

  #take(key: string): RenderProcess | undefined {
    for (;;) {
      const index = this.#waiting.findIndex((each) => each.key === key)
      if (index < 0) {
        return undefined
      }
      const [taken] = this.#waiting.splice(index, 1)
      if (taken === undefined) {
        return undefined
      }
      clearTimeout(taken.timer)
      if (taken.process.ready) {
        return taken.process
      }
      // It died while it waited (the OOM killer, say): let go of it, and look again.
      void taken.process.close()
    }
  }

  #keep(key: string, process: RenderProcess): void {
    const timer = setTimeout(() => {
      this.#waiting = this.#waiting.filter((each) => each.process !== process)
      void process.close()
    }, IDLE_MS)
    timer.unref()
    this.#waiting.push({ process, key, timer })
    while (this.#waiting.length > MAX_WAITING) {
      const oldest = this.#waiting.shift()
      if (oldest !== undefined) {
        clearTimeout(oldest.timer)
        void oldest.process.close()
      }
    }
  }
}
