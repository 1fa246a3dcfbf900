/**
 * A worker: claims due jobs of the kinds it has handlers for and runs them, up to a number of
 * each kind at once (`slots`: a process can make several calls while it renders one fax, and a
 * webhook target that hangs holds a webhook slot, not a call). While a handler runs, the worker
 * renews the job's lease every third of the lease, so a long render keeps its job and a dead
 * worker's job is taken over once its lease runs out (job-queue.ts). A handler that returns
 * completes its job; one that throws gets it back later, with a growing delay. Recording that
 * end waits out an unavailable store while the worker holds the lease, so a job done during a
 * database outage is recorded as done when the database returns. `stop()` lets the jobs in hand
 * finish (the process then exits cleanly) and claims no more.
 *
 * Each handler gets an AbortSignal, aborted (with a JobAbortedError) when a heartbeat finds the
 * lease lost, since the job may now be running elsewhere, and when the worker has been stopping
 * for `stopGraceMs` and the job is still running: a call in progress is cut off, and its job is
 * left for the next worker to end as it stood (send-fax-job.ts). Waiting (the idle wait, the
 * heartbeats, the grace) goes through the injected Timers, beside the Clock, so tests drive it.
 */
import type { ClaimedJob, JobKind, JobQueue } from '../domain/job-queue.js'
import type { StoreUnavailableError } from '../domain/store-unavailable.js'
import type { Clock } from '../shared/clock.js'
import { systemTimers, type CancelTimer, type Timers } from '../shared/timers.js'
import { untilStoreAnswers } from '../use-cases/until-store-answers.js'

/**
 * Runs one job. Resolving completes it (resolving with CompletedByHandler: the handler did, in
 * its own commit); resolving with `laterAtMs` gives it back to run again
 * then (the work could not start yet, e.g. its destination is busy), or sooner when whoever frees
 * `waitingFor` makes it due (JobQueue.release); throwing means "it failed, try again after a
 * growing delay". The job's attempts say how often it was claimed. `signal` aborts when the
 * handler should give up at once: its reason is a JobAbortedError.
 */
export type JobHandler = (
  job: ClaimedJob,
  signal: AbortSignal,
) => Promise<
  void | { readonly laterAtMs: number; readonly waitingFor?: string } | CompletedByHandler
>

/**
 * A handler's answer when its own transaction completed the job (JobQueue.complete's statement,
 * in the commit that recorded the work's outcome): the worker has nothing left to record.
 */
export interface CompletedByHandler {
  readonly completed: true
}

/** Why a job's signal aborted: its lease was lost, or the worker is stopping and out of grace. */
export class JobAbortedError extends Error {
  readonly why: 'lease-lost' | 'stopping'
  constructor(job: ClaimedJob, why: JobAbortedError['why']) {
    super(
      why === 'lease-lost'
        ? `the lease on ${job.kind} job ${job.id} was lost: another worker may be running it`
        : `the worker stopped before ${job.kind} job ${job.id} finished`,
    )
    this.name = 'JobAbortedError'
    this.why = why
  }
}

/** How long stop() lets the jobs in hand run before aborting them, by default. */
export const DEFAULT_STOP_GRACE_MS = 30_000

export interface WorkerOptions {
  /** Unique among the workers sharing the queue (leases are checked by name). */
  readonly name: string
  readonly leaseMs: number
  /** How long to wait before looking again when no job is due. */
  readonly idleMs: number
  /**
   * How many jobs of each kind may run at once. Without it the worker runs one job at a time,
   * of whichever kind; a kind left out of it gets one slot.
   */
  readonly slots?: Partial<Record<JobKind, number>>
  /**
   * After stop(), how long the jobs in hand may run before their signals abort (stop() still
   * waits for them to end); DEFAULT_STOP_GRACE_MS when not given.
   */
  readonly stopGraceMs?: number
  /** How the worker waits: idle waits, heartbeats, the stop grace; the system's by default. */
  readonly timers?: Timers
}

export interface WorkerEvents {
  /** A handler threw; the job runs again at `retryAtMs`. */
  onFailure?(job: ClaimedJob, error: unknown, retryAtMs: number): void
  /**
   * The lease was lost (expired and taken over): the result of this run is not recorded.
   * `error` is what the handler threw, when it threw.
   */
  onLeaseLost?(job: ClaimedJob, error?: unknown): void
  /**
   * A handler threw (`error`) and giving the job back failed too (`queueError`, e.g. the
   * database was unreachable): the job runs again once its lease runs out. Reported instead of
   * onQueueError, so the job's own error is never lost.
   */
  onUnrecordedFailure?(job: ClaimedJob, error: unknown, queueError: unknown): void
  /**
   * Recording a job's end found the store unavailable (`tries` times so far): the worker holds
   * the job's lease and tries again, until the store answers or the job's signal aborts.
   */
  onStoreUnavailable?(job: ClaimedJob, error: StoreUnavailableError, tries: number): void
  /**
   * The queue could not be read or written (a claim, or recording a finished job); the worker
   * goes on, and a job it held is claimed again when its lease runs out.
   */
  onQueueError?(error: unknown): void
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
  readonly #limits: ReadonlyMap<JobKind, number>
  /** Jobs in hand, whatever their kind, at most. */
  readonly #totalLimit: number
  readonly #inHand = new Map<JobKind, number>()
  readonly #finishing = new Set<Promise<void>>()
  /** The signals of the jobs in hand (drain's included), aborted once the stop grace is over. */
  readonly #inProgress = new Map<AbortController, ClaimedJob>()
  readonly #timers: Timers
  /** A job ended since the loop last looked for work: its slot is free, so look again. */
  #jobEnded = false
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
    this.#timers = options.timers ?? systemTimers
    const kinds = Object.keys(handlers) as JobKind[]
    const limits = new Map(kinds.map((kind) => [kind, slotCount(options.slots?.[kind], kind)]))
    this.#limits = limits
    this.#totalLimit =
      options.slots === undefined ? 1 : [...limits.values()].reduce((sum, n) => sum + n, 0)
  }

  /** The kinds of job this worker claims: those it has a handler for. */
  get kinds(): readonly JobKind[] {
    return [...this.#limits.keys()]
  }

  start(): void {
    if (this.#running) {
      return
    }
    this.#running = true
    this.#loop = this.#run()
  }

  /**
   * Claims no more jobs; resolves when the jobs in hand are finished and recorded. Those still
   * running after `stopGraceMs` have their signals aborted.
   */
  async stop(): Promise<void> {
    this.#running = false
    this.#wake?.()
    const cancelGrace = this.#timers.after(
      this.#options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS,
      () => {
        for (const [controller, job] of this.#inProgress) {
          controller.abort(new JobAbortedError(job, 'stopping'))
        }
      },
    )
    try {
      await this.#loop
    } finally {
      cancelGrace()
    }
  }

  /** Runs due jobs, one at a time, until none is left; for operators and tests. Answers how many ran. */
  async drain(): Promise<number> {
    let ran = 0
    for (;;) {
      const job = await this.#claim([...this.#limits.keys()])
      if (job === null) {
        return ran
      }
      await this.#execute(job)
      ran++
    }
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#jobEnded = false
      const kinds = this.#kindsWithASlot()
      const job = kinds.length === 0 ? null : await this.#claim(kinds).catch(this.#queueError)
      if (job !== undefined && job !== null) {
        this.#take(job)
        continue
      }
      if (this.#running && !this.#jobEnded) {
        // Nothing due, or every slot taken: look again after a while, or when a job ends.
        await new Promise<void>((resolve) => {
          const cancel = this.#timers.after(this.#options.idleMs, resolve)
          this.#wake = () => {
            cancel()
            resolve()
          }
        })
        this.#wake = undefined
      }
    }
    await Promise.all(this.#finishing)
  }

  #kindsWithASlot(): JobKind[] {
    let total = 0
    for (const count of this.#inHand.values()) {
      total += count
    }
    if (total >= this.#totalLimit) {
      return []
    }
    return [...this.#limits]
      .filter(([kind, limit]) => (this.#inHand.get(kind) ?? 0) < limit)
      .map(([kind]) => kind)
  }

  /** Runs a claimed job beside the others in hand; its end frees its slot and wakes the loop. */
  #take(job: ClaimedJob): void {
    this.#inHand.set(job.kind, (this.#inHand.get(job.kind) ?? 0) + 1)
    const finishing: Promise<void> = this.#execute(job).finally(() => {
      this.#inHand.set(job.kind, (this.#inHand.get(job.kind) ?? 1) - 1)
      this.#finishing.delete(finishing)
      // Wakes the loop if it sleeps; if it is claiming, it looks again instead of sleeping.
      this.#jobEnded = true
      this.#wake?.()
    })
    this.#finishing.add(finishing)
  }

  readonly #queueError = (error: unknown): undefined => {
    this.#events.onQueueError?.(error)
    return undefined
  }

  async #claim(kinds: JobKind[]): Promise<ClaimedJob | null> {
    const { name, leaseMs } = this.#options
    return this.#jobs.claim({ kinds, worker: name, leaseMs, nowMs: this.#clock.now() })
  }

  /**
   * Runs one claimed job and records its end; never throws. The lease is renewed, and the job's
   * signal can abort, until its end is recorded: recording waits out an unavailable store
   * (untilStoreAnswers), so a job that finished during an outage is recorded as finished when the
   * store returns, not taken over as interrupted once its lease runs out.
   */
  async #execute(job: ClaimedJob): Promise<void> {
    const { name, leaseMs } = this.#options
    const controller = new AbortController()
    this.#inProgress.set(controller, job)
    let held = true
    const heartbeat: CancelTimer = this.#timers.every(
      Math.max(1, Math.floor(leaseMs / 3)),
      async () => {
        const now = this.#clock.now()
        try {
          if (!(await this.#jobs.heartbeat(job.id, name, now + leaseMs, now)) && held) {
            // Someone else may be running the job now: whatever this run does is not recorded.
            held = false
            heartbeat()
            controller.abort(new JobAbortedError(job, 'lease-lost'))
          }
        } catch {
          // A failed heartbeat is retried at the next beat; the lease has margin for it.
        }
      },
    )
    try {
      const ran = await this.#runHandler(job, controller.signal)
      await this.#record(job, ran, controller.signal, () => held)
    } finally {
      heartbeat()
      this.#inProgress.delete(controller)
    }
  }

  async #runHandler(job: ClaimedJob, signal: AbortSignal): Promise<Ran> {
    const handler = this.#handlers[job.kind]
    try {
      if (handler === undefined) {
        throw new Error(`no handler for ${job.kind} jobs`)
      }
      return { failed: false, result: await handler(job, signal) }
    } catch (error) {
      return { failed: true, error }
    }
  }

  /** Completes the job, gives it back for later, or gives it back after a failure. */
  async #record(
    job: ClaimedJob,
    ran: Ran,
    signal: AbortSignal,
    held: () => boolean,
  ): Promise<void> {
    const { name } = this.#options
    const write = (attempt: () => Promise<boolean>): Promise<boolean> =>
      untilStoreAnswers(attempt, {
        signal,
        timers: this.#timers,
        onUnavailable: (error, tries) => this.#events.onStoreUnavailable?.(job, error, tries),
      })
    try {
      if (!ran.failed) {
        const { result } = ran
        if (result !== undefined && 'completed' in result) {
          return
        }
        const recorded =
          held() &&
          (await write(() =>
            result === undefined
              ? this.#jobs.complete(job.id, name)
              : this.#jobs.release(job.id, name, result.laterAtMs, result.waitingFor),
          ))
        if (!recorded) {
          this.#events.onLeaseLost?.(job)
        }
        return
      }
      const retryAtMs = this.#clock.now() + retryDelayMs(job.attempts)
      if (held() && (await write(() => this.#jobs.release(job.id, name, retryAtMs)))) {
        this.#events.onFailure?.(job, ran.error, retryAtMs)
      } else {
        this.#events.onLeaseLost?.(job, ran.error)
      }
    } catch (queueError) {
      if (!held()) {
        // The store answered again, but the lease had run out and the job was taken.
        this.#events.onLeaseLost?.(job, ran.failed ? ran.error : undefined)
      } else if (ran.failed && this.#events.onUnrecordedFailure) {
        this.#events.onUnrecordedFailure(job, ran.error, queueError)
      } else {
        this.#queueError(queueError)
      }
    }
  }
}

/** How a handler's run ended: with its result, or with what it threw. */
type Ran =
  | { readonly failed: false; readonly result: Awaited<ReturnType<JobHandler>> }
  | { readonly failed: true; readonly error: unknown }

function slotCount(configured: number | undefined, kind: JobKind): number {
  const count = configured ?? 1
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`slots for ${kind} jobs must be a whole number ≥ 1, not ${count}`)
  }
  return count
}
