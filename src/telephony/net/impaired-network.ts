/**
 * A model of the IP path between two T.38 endpoints, on virtual time: each datagram may be lost,
 * duplicated, delayed (a base delay plus jitter) and so reordered. It carries the loopback
 * carrier's calls and the impaired-line tests, so that every simulated fax crosses the same
 * kind of network a real one does (spandsp's test suite does the same with its G.1050 model).
 * Seeded: the same seed gives the same losses.
 */
import { type SeededRandom, seededRandom } from '../../shared/seeded-random.js'

export interface Impairments {
  /** Probability that a datagram is lost, 0 to 1. */
  readonly loss: number
  /** Probability that a datagram arrives twice. */
  readonly duplication: number
  /** One-way delay, ms. */
  readonly delayMs: number
  /** Extra delay spread evenly over 0 … jitterMs; datagrams overtake each other when it exceeds their spacing. */
  readonly jitterMs: number
}

export const CLEAN_LINE: Impairments = { loss: 0, duplication: 0, delayMs: 20, jitterMs: 0 }

export type Side = 'a' | 'b'

interface InFlight {
  readonly at: number
  readonly order: number
  readonly to: Side
  readonly datagram: Uint8Array
}

export class ImpairedNetwork {
  readonly #impairments: Impairments
  readonly #random: SeededRandom
  #inFlight: InFlight[] = []
  #order = 0
  /** Datagrams sent and lost, for reports. */
  sent = 0
  lost = 0

  constructor(impairments: Impairments, seed = 1) {
    for (const [name, p] of [
      ['loss', impairments.loss],
      ['duplication', impairments.duplication],
    ] as const) {
      if (!(p >= 0 && p <= 1)) {
        throw new RangeError(`${name} is a probability from 0 to 1, not ${p}`)
      }
    }
    if (!(impairments.delayMs >= 0) || !(impairments.jitterMs >= 0)) {
      throw new RangeError('delay and jitter are milliseconds ≥ 0')
    }
    this.#impairments = impairments
    this.#random = seededRandom(seed)
  }

  /** `from` sends a datagram at time `now`. */
  send(from: Side, datagram: Uint8Array, now: number): void {
    this.sent++
    const to: Side = from === 'a' ? 'b' : 'a'
    if (this.#random.chance(this.#impairments.loss)) {
      this.lost++
      return
    }
    const copies = this.#random.chance(this.#impairments.duplication) ? 2 : 1
    for (let i = 0; i < copies; i++) {
      const at =
        now + this.#impairments.delayMs + this.#random.between(0, this.#impairments.jitterMs)
      this.#inFlight.push({ at, order: this.#order++, to, datagram })
    }
  }

  /** The datagrams that have arrived by `now`, in arrival order, taken off the network. */
  arrivals(now: number): { to: Side; datagram: Uint8Array }[] {
    const due = this.#inFlight.filter((d) => d.at <= now)
    if (due.length === 0) {
      return []
    }
    this.#inFlight = this.#inFlight.filter((d) => d.at > now)
    due.sort((x, y) => x.at - y.at || x.order - y.order)
    return due.map(({ to, datagram }) => ({ to, datagram }))
  }
}
