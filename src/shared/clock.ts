/** Clocks: the system clock for the service, a settable one for tests. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

export class ManualClock implements Clock {
  #nowMs: number
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#nowMs = startMs
  }
  now(): number {
    return this.#nowMs
  }
  advance(ms: number): void {
    this.#nowMs += ms
  }
  set(ms: number): void {
    this.#nowMs = ms
  }
}
