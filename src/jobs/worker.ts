/**
 * A worker: claims due jobs of the kinds it has handlers for, one at a time, and runs them. While
 * a handler runs, the worker renews the job's lease every third of the lease, so a long render
 * keeps its job and a dead worker's job is taken over once its lease runs out (job-queue.ts). A
 * handler that returns completes its job; one that throws gets it back later, with a growing
 * delay. `stop()` lets the job in hand finish (the process then exits cleanly) and claims no more.
 */
import type { ClaimedJob, JobKind, JobQueue } from '../domain/job-queue.js'
import type { Clock } from '../shared/clock.js'

/**
 * Runs one job. Resolving completes it; resolving with `laterAtMs` gives it back to run again
 * then (the work could not start yet, e.g. its destination is busy); throwing means "it failed,
 * try again after a growing delay". The job's attempts say how often it was claimed.
 */
export type JobHandler = (job: ClaimedJob) => Promise<void | { readonly laterAtMs: number }>

export interface WorkerOptions {
  /** Unique among the workers sharing the queue (leases are checked by name). */
  readonly name: string
  readonly leaseMs: number
  /** How long to wait before looking again when no job is due. */
  readonly idleMs: number
}

export interface WorkerEvents {
  /** A handler threw; the job runs again at `retryAtMs`. */
  onFailure?(job: ClaimedJob, error: unknown, retryAtMs: number): void
  /** The lease was lost (expired and taken over): the result of this run is not recorded. */
  onLeaseLost?(job: ClaimedJob): void
}

const FIRST_RETRY_MS = 5_000
const LONGEST_RETRY_MS = 10 * 60_000

/** Delay before the next try after `attempts` failed ones: 5 s, 10 s, 20 s, … up to 10 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1))
}

export class Worker {
  readonly #jobs: JobQueue
  readonly #clock: Clock
  readonly #handlers: Partial<Record<JobKind, JobHandler>>
  readonly #options: WorkerOptions
  readonly #events: WorkerEvents
  #running = false
  #loop: Promise<void> | undefined
  #wake: (() => void) | undefined

  constructor(
    jobs: JobQueue,
    clock: Clock,
    handlers: Partial<Record<JobKind, JobHandler>>,
    options: WorkerOptions,
    events: WorkerEvents = {},
  ) {
    this.#jobs = jobs
    this.#clock = clock
    this.#handlers = handlers
    this.#options = options
    this.#events = events
  }

  start(): void {
    if (this.#running) {
      return
    }
    this.#running = true
    this.#loop = this.#run()
  }

  /** Claims no more jobs; resolves when the job in hand (if any) is finished and recorded. */
  async stop(): Promise<void> {
    this.#running = false
    this.#wake?.()
    await this.#loop
  }

  /** Runs due jobs until none is left; for operators and tests. Answers how many ran. */
  async drain(): Promise<number> {
    let ran = 0
    while (await this.#runOne()) {
      ran++
    }
    return ran
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const ran = await this.#runOne()
      if (!ran && this.#running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#options.idleMs)
          this.#wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        this.#wake = undefined
      }
    }
  }

  /** Claims and runs one job; false when none was due. */
  async #runOne(): Promise<boolean> {
    const kinds = Object.keys(this.#handlers) as JobKind[]
    const { name, leaseMs } = this.#options
    const job = await this.#jobs.claim({ kinds, worker: name, leaseMs, nowMs: this.#clock.now() })
    if (job === null) {
      return false
    }
    const handler = this.#handlers[job.kind]
    let held = true
    const heartbeat = setInterval(
      () => {
        const now = this.#clock.now()
        void this.#jobs.heartbeat(job.id, name, now + leaseMs, now).then(
          (kept) => {
            held &&= kept
          },
          () => {
            // A failed heartbeat is retried at the next beat; the lease has margin for it.
          },
        )
      },
      Math.max(1, Math.floor(leaseMs / 3)),
    )
    try {
      if (handler === undefined) {
        throw new Error(`no handler for ${job.kind} jobs`)
      }
      const result = await handler(job)
      clearInterval(heartbeat)
      const recorded =
        held &&
        (result === undefined
          ? await this.#jobs.complete(job.id, name)
          : await this.#jobs.release(job.id, name, result.laterAtMs))
      if (!recorded) {
        this.#events.onLeaseLost?.(job)
      }
    } catch (error) {
      clearInterval(heartbeat)
      const retryAtMs = this.#clock.now() + retryDelayMs(job.attempts)
      if (await this.#jobs.release(job.id, name, retryAtMs)) {
        this.#events.onFailure?.(job, error, retryAtMs)
      } else {
        this.#events.onLeaseLost?.(job)
      }
    }
    return true
  }
}
