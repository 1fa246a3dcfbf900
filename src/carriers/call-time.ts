/**
 * The time a modelled call takes, phase by phase (dialling, training, a page, hang-up): each
 * phase is scaled by the carrier's time scale, spent through the Wait port, and added to the
 * call's duration once it has passed. A phase the call is aborted before or during is not
 * counted: the model has no clock to say how much of it went by.
 */
import type { Wait } from './wait.js'

/** Throws unless `timeScale` is a finite number ≥ 0 (1 = realistic, 0 = instant). */
export function checkTimeScale(timeScale: number): number {
  if (!Number.isFinite(timeScale) || timeScale < 0) {
    throw new RangeError(`A time scale is a finite number ≥ 0, not ${timeScale}`)
  }
  return timeScale
}

export class CallTime {
  readonly #wait: Wait
  readonly #timeScale: number
  readonly #signal: AbortSignal
  #elapsedMs = 0

  constructor(wait: Wait, timeScale: number, signal: AbortSignal) {
    this.#wait = wait
    this.#timeScale = checkTimeScale(timeScale)
    this.#signal = signal
  }

  /** The scaled time of the phases that have passed. */
  get elapsedMs(): number {
    return this.#elapsedMs
  }

  /**
   * Lets a phase of `realisticMs` (at time scale 1) pass. Answers false, without waiting, when
   * the call is aborted; false also when it is aborted during the wait, which then ends at once.
   * Any other failure of the wait is thrown.
   */
  async spend(realisticMs: number): Promise<boolean> {
    if (this.#signal.aborted) {
      return false
    }
    const scaledMs = Math.round(realisticMs * this.#timeScale)
    try {
      await this.#wait(scaledMs, this.#signal)
    } catch (error) {
      if (this.#signal.aborted) {
        return false
      }
      throw error
    }
    this.#elapsedMs += scaledMs
    return !this.#signal.aborted
  }
}
