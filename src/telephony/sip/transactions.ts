/**
 * What the four RFC 3261 §17 transaction state machines share, sans I/O: the messages they
 * see, the outputs they give, and the deadlines that stand for their timers. The machines
 * themselves are in client-transaction.ts (Figures 5 and 6) and server-transaction.ts
 * (Figures 7 and 8); transaction-key.ts says which transaction a message belongs to.
 *
 * A transaction reads nothing of a message but whether it is a request (and its method) or a
 * response (and its status). The UA passes its own message type, as long as it carries those
 * fields, or wraps its messages in `{ kind, method | status, payload }`; what goes out is the
 * very object that came in. The few messages a transaction makes itself (the ACK for a non-2xx
 * final response, the 100 Trying) it asks the UA to build through the functions it is given.
 *
 * Time enters only through `advance(ms)`; a timer that falls due fires there, in order, at its
 * own instant. Outputs pile up until `takeOutputs()`. No timers, no sockets.
 */
import { DEFAULT_SIP_TIMERS, type SipTimerName, type SipTimerValues } from './sip-timers.js'

/** The least a transaction must know of a request. */
export interface TransactionRequestLike {
  readonly kind: 'request'
  /** Case-sensitive, as SIP methods are (RFC 3261 §7.1). */
  readonly method: string
}

/** The least a transaction must know of a response. */
export interface TransactionResponseLike {
  readonly kind: 'response'
  readonly status: number
}

export type TransactionMessage = TransactionRequestLike | TransactionResponseLike

/** What a transaction asks of its user, taken with `takeOutputs()`. */
export type TransactionOutput<M> =
  /** Give this message to the transport, to the transaction's peer. */
  | { readonly type: 'send'; readonly message: M }
  /** Give this message to the transaction user (the UA core: dialogs, the call). */
  | { readonly type: 'to-tu'; readonly message: M }
  /** Timer B, F or H fired: no answer (a client), no ACK (an INVITE server). */
  | { readonly type: 'timeout'; readonly timer: 'B' | 'F' | 'H' }
  /** The transport reported that it could not send (RFC 3261 §17.1.4, §17.2.4). */
  | { readonly type: 'transport-error' }
  /** The transaction is over; forget it. Always the last output. */
  | { readonly type: 'terminated' }

export interface TransactionOptions {
  /** T1, T2, T4; the rest follow from them (sip-timers.ts). Defaults per RFC 3261 Table 4. */
  readonly timers?: Partial<SipTimerValues>
  /** TCP/TLS/SCTP: no retransmissions, and the lingering timers are zero. Default false (UDP). */
  readonly reliable?: boolean
}

/** Where a status sits: 1xx, 2xx, or 300 to 699; null for a number outside 100–699. */
export function statusClass(status: number): 'provisional' | 'success' | 'failure' | null {
  if (!Number.isInteger(status) || status < 100 || status > 699) {
    return null
  }
  return status < 200 ? 'provisional' : status < 300 ? 'success' : 'failure'
}

interface Deadline {
  readonly at: number
  readonly fire: () => void
}

/**
 * When two timers fall due at the same instant, the one that ends the transaction fires first,
 * so that nothing is retransmitted at the moment the transaction gives up.
 */
const FIRING_ORDER: readonly SipTimerName[] = [
  'B',
  'F',
  'H',
  'D',
  'I',
  'J',
  'K',
  'L',
  'A',
  'E',
  'G',
  'Trying',
]

/** The clock, the timers and the outputs of one transaction; `S` is its live states. */
export abstract class Transaction<M, S extends string> {
  readonly timers: SipTimerValues
  readonly reliable: boolean
  #state: S | 'terminated'
  #now = 0
  #outputs: TransactionOutput<M>[] = []
  readonly #deadlines = new Map<SipTimerName, Deadline>()

  protected constructor(initial: S, options: TransactionOptions) {
    this.timers = { ...DEFAULT_SIP_TIMERS, ...options.timers }
    this.reliable = options.reliable ?? false
    this.#state = initial
  }

  get state(): S | 'terminated' {
    return this.#state
  }

  get terminated(): boolean {
    return this.#state === 'terminated'
  }

  /** Transaction time: the sum of what `advance` has been given. */
  get now(): number {
    return this.#now
  }

  /**
   * How long until the next timer fires, or null when none runs: a real-time shell may sleep
   * that long and then call `advance` with the time that actually passed.
   */
  get nextTimerInMs(): number | null {
    const next = this.#nextDeadline()
    return next === null ? null : next[1].at - this.#now
  }

  /** Whether timer `name` is running (for tests and logs). */
  isRunning(name: SipTimerName): boolean {
    return this.#deadlines.has(name)
  }

  /** Lets `ms` of transaction time pass; timers that fall due fire in order. */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw new RangeError(`time moves forward by a finite amount, not ${ms}`)
    }
    const until = this.#now + ms
    for (;;) {
      const next = this.#nextDeadline()
      if (next === null || next[1].at > until) {
        break
      }
      this.#deadlines.delete(next[0])
      this.#now = next[1].at
      next[1].fire()
    }
    this.#now = until
  }

  takeOutputs(): TransactionOutput<M>[] {
    const outputs = this.#outputs
    this.#outputs = []
    return outputs
  }

  /** RFC 3261 §17.1.4 / §17.2.4: the transport could not send; tell the TU and end. */
  transportError(): void {
    if (this.terminated) {
      return
    }
    this.emit({ type: 'transport-error' })
    this.terminate()
  }

  protected emit(output: TransactionOutput<M>): void {
    this.#outputs.push(output)
  }

  protected setState(state: S): void {
    this.#state = state
  }

  /**
   * Starts (or restarts) timer `name` to fire `ms` from now. A zero duration (the reliable
   * transports' D, I, J, K) fires at once: "zero seconds" leaves nothing to wait for.
   */
  protected startTimer(name: SipTimerName, ms: number, fire: () => void): void {
    this.#deadlines.delete(name)
    if (ms <= 0) {
      fire()
      return
    }
    this.#deadlines.set(name, { at: this.#now + ms, fire })
  }

  protected stopTimer(...names: SipTimerName[]): void {
    for (const name of names) {
      this.#deadlines.delete(name)
    }
  }

  /** Enters Terminated: every timer stops, and the TU hears `terminated`. */
  protected terminate(): void {
    if (this.terminated) {
      return
    }
    this.#deadlines.clear()
    this.#state = 'terminated'
    this.emit({ type: 'terminated' })
  }

  #nextDeadline(): [SipTimerName, Deadline] | null {
    let best: [SipTimerName, Deadline] | null = null
    for (const entry of this.#deadlines) {
      if (
        best === null ||
        entry[1].at < best[1].at ||
        (entry[1].at === best[1].at &&
          FIRING_ORDER.indexOf(entry[0]) < FIRING_ORDER.indexOf(best[0]))
      ) {
        best = entry
      }
    }
    return best
  }
}
