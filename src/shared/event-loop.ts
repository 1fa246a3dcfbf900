/**
 * Long work shared fairly. A loop that would hold the event loop for milliseconds (a page of a
 * thousand records) does its work a slice at a time and awaits `nextSlice()` between slices.
 * The slices of every such loop share a budget per turn of the event loop: within it, the slice
 * next in line goes on at once; past it, the rest wait for the next turn, after the I/O that
 * arrived meanwhile (other requests) has been handled. Slices are served in the order they
 * asked, so no long loop starves another.
 */

/** Slice time per turn of the event loop, shared by all the loops that take slices. */
export const SLICE_BUDGET_MS = 0.25

class FairSlices {
  readonly #budgetMs: number
  readonly #waiting: (() => void)[] = []
  #turnStartedAt = Number.NEGATIVE_INFINITY
  #turnScheduled = false

  constructor(budgetMs: number) {
    this.#budgetMs = budgetMs
  }

  /** Resolves when the caller's next slice may run. */
  next(): Promise<void> {
    const turn = new Promise<void>((resolve) => this.#waiting.push(resolve))
    if (performance.now() - this.#turnStartedAt < this.#budgetMs) {
      this.#waiting.shift()?.()
    }
    this.#scheduleTurn()
    return turn
  }

  /** setImmediate: the callback runs after the I/O callbacks of the next loop iteration. */
  #scheduleTurn(): void {
    if (this.#turnScheduled || this.#waiting.length === 0) {
      return
    }
    this.#turnScheduled = true
    setImmediate(() => {
      this.#turnScheduled = false
      this.#turnStartedAt = performance.now()
      this.#waiting.shift()?.()
      this.#scheduleTurn()
    })
  }
}

const slices = new FairSlices(SLICE_BUDGET_MS)

/** Resolves when the caller's next slice of long work may run (see above). */
export function nextSlice(): Promise<void> {
  return slices.next()
}
