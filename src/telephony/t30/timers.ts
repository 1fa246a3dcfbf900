/**
 * The T.30 timers (T.30 §5.4.3), in milliseconds. The engine keeps them as deadlines on the time
 * its caller gives it through `advance(ms)`; it never reads a clock.
 */
export interface T30Timers {
  /** T1, 35 ± 5 s: "the time for the two stations to identify each other" in phase B. */
  readonly t1: number
  /** T2, 6 ± 1 s: how long a station waits for a command (spandsp uses 7 s). */
  readonly t2: number
  /** T4, 3 s ± 15 %: how long a station waits for a response before repeating its command. */
  readonly t4: number
  /** T5, 60 ± 5 s: how long an ECM sender waits for a receiver that is not ready (RNR). */
  readonly t5: number
  /**
   * Once a response has begun (its carrier is up), how long to wait for its frames to end
   * (spandsp: 3 s after the flags begin; each frame received restarts it).
   */
  readonly frameEnd: number
  /** Silence in the middle of a reception after which it is over (spandsp: 15 s). */
  readonly midReceptionSilence: number
}

/**
 * The values spandsp uses by default (t30.c: DEFAULT_TIMER_T1 35 s, T2 7 s, T4 3.45 s, T5 65 s),
 * which sit inside T.30's tolerances and leave room for a T.38 round trip.
 */
export const DEFAULT_TIMERS: T30Timers = {
  t1: 35_000,
  t2: 7_000,
  t4: 3_450,
  t5: 65_000,
  frameEnd: 3_000,
  midReceptionSilence: 15_000,
}

/** "A command ... repeated ... up to three times" with no response, then DCN (T.30 §5.4.3.1). */
export const MAX_COMMAND_TRIES = 3
