/**
 * The one way the modelled carriers let time pass: a Wait, injected so that tests run instantly
 * and see every wait, and so that a carrier does no hidden I/O. timerWait is the real one.
 */
import { setTimeout as delay } from 'node:timers/promises'

/**
 * Resolves after `ms` milliseconds; rejects (with an AbortError) as soon as `signal` aborts,
 * also when it already has.
 */
export type Wait = (ms: number, signal: AbortSignal) => Promise<void>

/** A Wait on a Node timer, cleared when the signal aborts. */
export const timerWait: Wait = async (ms, signal) => {
  await delay(Math.max(0, ms), undefined, { signal })
}
