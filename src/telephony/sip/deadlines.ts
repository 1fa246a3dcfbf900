/**
 * Named deadlines on a clock that only `advance` moves: the timers of the UA core (a call's
 * session refresh, its re-INVITE to T.38, a 2xx resent until the ACK). Setting a name again
 * replaces its deadline. Due deadlines fire in time order, each at its own instant.
 */
export class Deadlines<Name extends string> {
  readonly #deadlines = new Map<Name, { at: number; fire: () => void }>()
  #now = 0

  get now(): number {
    return this.#now
  }

  set(name: Name, inMs: number, fire: () => void): void {
    this.#deadlines.set(name, { at: this.#now + Math.max(0, inMs), fire })
  }

  clear(...names: Name[]): void {
    for (const name of names) {
      this.#deadlines.delete(name)
    }
  }

  clearAll(): void {
    this.#deadlines.clear()
  }

  has(name: Name): boolean {
    return this.#deadlines.has(name)
  }

  /** Ms until the next deadline, or null when none is set. */
  get nextInMs(): number | null {
    let next: number | null = null
    for (const { at } of this.#deadlines.values()) {
      next = next === null ? at : Math.min(next, at)
    }
    return next === null ? null : Math.max(0, next - this.#now)
  }

  advance(ms: number): void {
    const until = this.#now + ms
    for (;;) {
      let due: [Name, { at: number; fire: () => void }] | null = null
      for (const entry of this.#deadlines) {
        if (entry[1].at <= until && (due === null || entry[1].at < due[1].at)) {
          due = entry
        }
      }
      if (due === null) {
        break
      }
      this.#deadlines.delete(due[0])
      this.#now = due[1].at
      due[1].fire()
    }
    this.#now = until
  }
}
