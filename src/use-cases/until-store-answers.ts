/**
 * Writing down what has already happened, through an outage. A call that has ended, or a job
 * that has finished, cannot be done again: its outcome exists only in the worker's memory until
 * it is stored. When the store is unavailable (StoreUnavailableError: the database restarting,
 * locked past its wait, its disk full), the write is tried again after a pause that grows from a
 * quarter of a second to five seconds, for as long as the caller's signal allows: the worker
 * holds the job's lease meanwhile, and aborts the signal when the lease is lost or the worker has
 * to stop. Any other error is thrown at once.
 */
import { StoreUnavailableError } from '../domain/store-unavailable.js'
import type { Timers } from '../shared/timers.js'

const FIRST_PAUSE_MS = 250
const LONGEST_PAUSE_MS = 5_000

export interface UntilStoreAnswersOptions {
  /** Once aborted, no further try: the last StoreUnavailableError is thrown. */
  readonly signal: AbortSignal
  readonly timers: Timers
  /** Each time the store could not answer, before the pause (for logs). */
  readonly onUnavailable?: (error: StoreUnavailableError, tries: number) => void
}

/**
 * Runs `work` until it does not fail with StoreUnavailableError. `work` runs at least once, even
 * when the signal has already aborted. It may run again after a try whose answer was lost, so
 * it must be safe to repeat: a transaction that checks what it changes.
 */
export async function untilStoreAnswers<T>(
  work: () => Promise<T>,
  options: UntilStoreAnswersOptions,
): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await work()
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || options.signal.aborted) {
        throw error
      }
      options.onUnavailable?.(error, tries)
      const pauseMs = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (tries - 1))
      if (!(await pause(pauseMs, options))) {
        throw error
      }
    }
  }
}

/** Waits `ms`; answers false when the signal aborted first. */
function pause(ms: number, { signal, timers }: UntilStoreAnswersOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const aborted = (): void => {
      cancel()
      resolve(false)
    }
    const cancel = timers.after(ms, () => {
      signal.removeEventListener('abort', aborted)
      resolve(true)
    })
    signal.addEventListener('abort', aborted, { once: true })
  })
}
