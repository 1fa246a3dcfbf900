/**
 * The server transactions of RFC 3261 §17.2, sans I/O: the INVITE server transaction
 * (Figure 7, with RFC 6026's Accepted state) and the non-INVITE server transaction (Figure 8).
 * The UA creates one for a request that matched no existing transaction (transaction-key.ts);
 * the request goes to the TU at once, the TU answers through `respond`, and retransmissions of
 * the request (and the ACK for a non-2xx) come in through `receive`.
 *
 * RFC 6026 Accepted, which this module implements: RFC 3261 ends the INVITE server
 * transaction as soon as the TU sends a 2xx, so an INVITE retransmitted after that would match
 * nothing and look like a new call. RFC 6026 keeps the transaction in "Accepted" for timer
 * L (64·T1): retransmitted INVITEs are absorbed, the TU's own retransmissions of its 2xx
 * (RFC 3261 §13.3.1.4, still the TU's job) go out through `respond`, and ACKs for the 2xx are
 * passed to the TU.
 */
import { TRYING_DELAY_MS, deriveSipTimers } from './sip-timers.js'
import {
  Transaction,
  type TransactionMessage,
  type TransactionOptions,
  statusClass,
} from './transactions.js'

export type InviteServerState = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated'

export interface InviteServerOptions<M> extends TransactionOptions {
  /** Builds a 100 (Trying) for the INVITE (RFC 3261 §8.2.6: no To tag, Timestamp copied). */
  readonly buildTrying: (invite: M) => M
  /** How long the TU may take before the transaction sends 100 itself. Default 200 ms. */
  readonly tryingDelayMs?: number
}

/** RFC 3261 Figure 7, with RFC 6026's Accepted state and timer L. */
export class InviteServerTransaction<M extends TransactionMessage> extends Transaction<
  M,
  Exclude<InviteServerState, 'terminated'>
> {
  readonly request: M
  /** The most recent provisional response, for a retransmitted INVITE in Proceeding. */
  #provisional: M | null = null
  /** The non-2xx final response, retransmitted by timer G and for each retransmitted INVITE. */
  #final: M | null = null

  constructor(invite: M, options: InviteServerOptions<M>) {
    super('proceeding', options)
    if (invite.kind !== 'request' || invite.method !== 'INVITE') {
      throw new RangeError('an INVITE server transaction starts with an INVITE')
    }
    this.request = invite
    // §17.2.1: "When a server transaction is constructed for a request, it enters the
    // "Proceeding" state. The server transaction MUST generate a 100 (Trying) response unless
    // it knows that the TU will generate a provisional or final response within 200 ms".
    // It cannot know, so it waits 200 ms for the TU and sends 100 if the TU has said nothing.
    this.emit({ type: 'to-tu', message: invite })
    this.startTimer('Trying', options.tryingDelayMs ?? TRYING_DELAY_MS, () => {
      const trying = options.buildTrying(invite)
      this.#provisional = trying
      this.emit({ type: 'send', message: trying })
    })
  }

  /**
   * The TU's response. Returns false (and sends nothing) when the transaction can no longer
   * send it: a second final response, or anything after Terminated.
   */
  respond(response: M): boolean {
    if (response.kind !== 'response') {
      return false
    }
    const kind = statusClass(response.status)
    if (kind === null) {
      return false
    }
    if (this.state === 'accepted') {
      // RFC 6026: in Accepted, the 2xx the TU retransmits is sent; nothing else is.
      if (kind !== 'success') {
        return false
      }
      this.emit({ type: 'send', message: response })
      return true
    }
    if (this.state !== 'proceeding') {
      return false
    }
    this.stopTimer('Trying')
    this.emit({ type: 'send', message: response })
    const timers = deriveSipTimers(this.timers, this.reliable)
    if (kind === 'provisional') {
      this.#provisional = response
    } else if (kind === 'success') {
      this.setState('accepted')
      this.startTimer('L', timers.transactionTimeoutMs, () => this.terminate())
    } else {
      // "While in the "Proceeding" state, if the TU passes a response with status code from
      // 300 to 699 to the server transaction, the response MUST be passed to the transport
      // layer for transmission, and the state machine MUST enter the "Completed" state. For
      // unreliable transports, timer G is set to fire in T1 seconds ... When the "Completed"
      // state is entered, timer H MUST be set to fire in 64*T1 seconds for all transports."
      this.#final = response
      this.setState('completed')
      if (timers.retransmitMs !== null) {
        this.#armTimerG(timers.retransmitMs)
      }
      this.startTimer('H', timers.transactionTimeoutMs, () => {
        // "If timer H fires while in the "Completed" state, it implies that the ACK was never
        // received. In this case, the server transaction MUST transition to the "Terminated"
        // state, and MUST indicate to the TU that a transaction failure has occurred."
        this.emit({ type: 'timeout', timer: 'H' })
        this.terminate()
      })
    }
    return true
  }

  /** A request matched to this transaction: the INVITE again, or the ACK. */
  receive(request: M): void {
    if (request.kind !== 'request') {
      return
    }
    if (request.method === 'INVITE') {
      // §17.2.1: "If a request retransmission is received while in the "Proceeding" state,
      // the most recent provisional response that was received from the TU MUST be passed to
      // the transport layer for retransmission." In Completed, the final response is resent
      // ("INVITE / send response", Figure 7). Confirmed and Accepted absorb it.
      if (this.state === 'proceeding' && this.#provisional !== null) {
        this.emit({ type: 'send', message: this.#provisional })
      } else if (this.state === 'completed' && this.#final !== null) {
        this.emit({ type: 'send', message: this.#final })
      }
      return
    }
    if (request.method !== 'ACK') {
      return
    }
    if (this.state === 'completed') {
      // "If an ACK is received while the server transaction is in the "Completed" state, the
      // server transaction MUST transition to the "Confirmed" state. As Timer G is ignored in
      // this state, any retransmissions of the response will cease." Timer I absorbs the
      // ACKs still on their way: T4 over UDP, zero over TCP.
      this.stopTimer('G', 'H')
      this.setState('confirmed')
      this.startTimer('I', deriveSipTimers(this.timers, this.reliable).timerIKMs, () =>
        this.terminate(),
      )
    } else if (this.state === 'accepted') {
      // RFC 6026: the ACK for the 2xx is passed to the TU (it stops retransmitting).
      this.emit({ type: 'to-tu', message: request })
    }
  }

  /** Timer G: T1, then doubling, but never more than T2 (§17.2.1). */
  #armTimerG(intervalMs: number): void {
    this.startTimer('G', intervalMs, () => {
      if (this.#final !== null) {
        this.emit({ type: 'send', message: this.#final })
      }
      this.#armTimerG(Math.min(2 * intervalMs, this.timers.t2Ms))
    })
  }
}

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated'

/** RFC 3261 Figure 8: a request other than INVITE or ACK. */
export class NonInviteServerTransaction<M extends TransactionMessage> extends Transaction<
  M,
  Exclude<NonInviteServerState, 'terminated'>
> {
  readonly request: M
  readonly #method: string
  #lastResponse: M | null = null

  constructor(request: M, options: TransactionOptions = {}) {
    super('trying', options)
    if (request.kind !== 'request' || request.method === 'INVITE' || request.method === 'ACK') {
      throw new RangeError(
        'a non-INVITE server transaction starts with a request other than INVITE or ACK',
      )
    }
    this.request = request
    this.#method = request.method
    // §17.2.2: "The state machine is initialized in the "Trying" state and is passed a request
    // other than INVITE or ACK when initialized. This request is passed up to the TU."
    this.emit({ type: 'to-tu', message: request })
  }

  /**
   * The TU's response. Returns false (and sends nothing) once a final response has gone:
   * "Any other final responses passed by the TU to the server transaction MUST be discarded
   * while in the "Completed" state."
   */
  respond(response: M): boolean {
    if (response.kind !== 'response') {
      return false
    }
    const kind = statusClass(response.status)
    if (kind === null || (this.state !== 'trying' && this.state !== 'proceeding')) {
      return false
    }
    this.#lastResponse = response
    this.emit({ type: 'send', message: response })
    if (kind === 'provisional') {
      this.setState('proceeding')
      return true
    }
    // "When the server transaction enters the "Completed" state, it MUST set Timer J to fire
    // in 64*T1 seconds for unreliable transports, and zero seconds for reliable transports."
    this.setState('completed')
    this.startTimer('J', deriveSipTimers(this.timers, this.reliable).timerJMs, () =>
      this.terminate(),
    )
    return true
  }

  /**
   * A retransmission of the request. In Trying it is discarded; in Proceeding "the most
   * recently sent provisional response MUST be passed to the transport layer for
   * retransmission"; in Completed the final response goes again.
   */
  receive(request: M): void {
    if (request.kind !== 'request' || request.method !== this.#method) {
      return
    }
    if (
      (this.state === 'proceeding' || this.state === 'completed') &&
      this.#lastResponse !== null
    ) {
      this.emit({ type: 'send', message: this.#lastResponse })
    }
  }
}
