/**
 * Timers: how a loop waits (the worker's idle wait, its heartbeats, its stop grace), injected
 * beside the Clock so that the two tell one time. systemTimers are Node's; ManualTimers fire
 * only when a test moves its ManualClock forward through them, so a test drives heartbeats and
 * waits without sleeping.
 */
import type { ManualClock } from './clock.js'

/** Cancels a timer; harmless once it has fired or been cancelled. */
export type CancelTimer = () => void

/**
 * What a timer calls. It may answer a promise (work the timer started): the system timers
 * ignore it (the callback must not reject); ManualTimers.advance awaits it.
 */
export type TimerCallback = () => void | Promise<void>

export interface Timers {
  /** Calls `callback` once, `ms` from now. */
  after(ms: number, callback: TimerCallback): CancelTimer
  /** Calls `callback` every `ms`, the first time `ms` from now, until cancelled. */
  every(ms: number, callback: TimerCallback): CancelTimer
}

export const systemTimers: Timers = {
  after: (ms, callback) => {
    const timer = setTimeout(() => void callback(), ms)
    return () => clearTimeout(timer)
  },
  every: (ms, callback) => {
    const timer = setInterval(() => void callback(), ms)
    return () => clearInterval(timer)
  },
}

interface ManualTimer {
  dueAtMs: number
  /** From the order of scheduling: timers due at the same time fire in that order. */
  readonly order: number
  readonly everyMs: number | null
  readonly callback: TimerCallback
}

/** Timers on a ManualClock: nothing fires until `advance` moves the clock past it. */
export class ManualTimers implements Timers {
  readonly #clock: ManualClock
  readonly #timers = new Set<ManualTimer>()
  readonly #waiters: { count: number; resolve: () => void }[] = []
  #scheduled = 0

  constructor(clock: ManualClock) {
    this.#clock = clock
  }

  /** Timers scheduled and neither fired (once) nor cancelled. */
  get pending(): number {
    return this.#timers.size
  }

  after(ms: number, callback: TimerCallback): CancelTimer {
    return this.#schedule(ms, null, callback)
  }

  every(ms: number, callback: TimerCallback): CancelTimer {
    return this.#schedule(ms, Math.max(1, ms), callback)
  }

  /** Resolves once at least `count` timers are pending (at once if they are). */
  async waitForTimers(count = 1): Promise<void> {
    if (this.#timers.size >= count) {
      return
    }
    await new Promise<void>((resolve) => this.#waiters.push({ count, resolve }))
  }

  /**
   * Moves the clock forward by `ms`, stopping at each timer due on the way (those already
   * overdue first) to fire it with the clock at its time, and awaits what each callback answers.
   * A repeating timer fires as often as its period fits (once for the time it was overdue).
   */
  async advance(ms: number): Promise<void> {
    const targetMs = this.#clock.now() + ms
    for (;;) {
      const next = [...this.#timers]
        .filter((timer) => timer.dueAtMs <= targetMs)
        .sort((a, b) => a.dueAtMs - b.dueAtMs || a.order - b.order)[0]
      if (next === undefined) {
        break
      }
      this.#clock.set(Math.max(this.#clock.now(), next.dueAtMs))
      if (next.everyMs === null) {
        this.#timers.delete(next)
      } else {
        next.dueAtMs = this.#clock.now() + next.everyMs
      }
      await next.callback()
    }
    this.#clock.set(Math.max(this.#clock.now(), targetMs))
  }

  #schedule(ms: number, everyMs: number | null, callback: TimerCallback): CancelTimer {
    const timer: ManualTimer = {
      dueAtMs: this.#clock.now() + Math.max(0, ms),
      order: this.#scheduled++,
      everyMs,
      callback,
    }
    this.#timers.add(timer)
    for (const waiter of this.#waiters.filter((w) => this.#timers.size >= w.count)) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
      waiter.resolve()
    }
    return () => {
      this.#timers.delete(timer)
    }
  }
}
