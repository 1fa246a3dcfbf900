/**
 * The client transactions of RFC 3261 §17.1, sans I/O: the INVITE client transaction (Figure 5)
 * and the non-INVITE client transaction (Figure 6). The TU creates one with the request it
 * wants sent; the transaction queues that request at once, retransmits it over UDP, gives the
 * responses to the TU, and ends. Responses reach it through `receive` once transaction-key.ts
 * has matched them to it.
 *
 * The INVITE client transaction follows RFC 3261 as written: a 2xx terminates it, and the ACK
 * for a 2xx (and for its retransmissions, which then arrive with no transaction) is the UA
 * core's business (§13.2.2.4). RFC 6026's Accepted state is used on the server side only
 * (server-transaction.ts).
 */
import { deriveSipTimers } from './sip-timers.js'
import {
  Transaction,
  type TransactionMessage,
  type TransactionOptions,
  statusClass,
} from './transactions.js'

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'terminated'

export interface InviteClientOptions<M> extends TransactionOptions {
  /**
   * Builds the ACK for a non-2xx final response (RFC 3261 §17.1.1.3): the INVITE's
   * Request-URI, Call-ID, From, CSeq number, top Via and Route headers; the response's To
   * (with its tag); CSeq method ACK.
   */
  readonly buildAck: (invite: M, response: M) => M
}

/** RFC 3261 Figure 5. */
export class InviteClientTransaction<M extends TransactionMessage> extends Transaction<
  M,
  Exclude<InviteClientState, 'terminated'>
> {
  readonly request: M
  readonly #buildAck: (invite: M, response: M) => M
  #ack: M | null = null

  constructor(invite: M, options: InviteClientOptions<M>) {
    super('calling', options)
    if (invite.kind !== 'request' || invite.method !== 'INVITE') {
      throw new RangeError('an INVITE client transaction starts with an INVITE')
    }
    this.request = invite
    this.#buildAck = options.buildAck
    const timers = deriveSipTimers(this.timers, this.reliable)

    // §17.1.1.2: "The initial state, "calling", MUST be entered when the TU initiates a new
    // client transaction with an INVITE request. The client transaction MUST pass the request
    // to the transport layer for transmission". Over an unreliable transport timer A starts
    // at T1; timer B at 64*T1 in any case.
    this.emit({ type: 'send', message: invite })
    if (timers.retransmitMs !== null) {
      this.#armTimerA(timers.retransmitMs)
    }
    this.startTimer('B', timers.transactionTimeoutMs, () => {
      // "If the client transaction is still in the "Calling" state when timer B fires, the
      // client transaction SHOULD inform the TU that a timeout has occurred."
      this.emit({ type: 'timeout', timer: 'B' })
      this.terminate()
    })
  }

  /** A response matched to this transaction. Requests and odd status codes are ignored. */
  receive(response: M): void {
    if (response.kind !== 'response') {
      return
    }
    const kind = statusClass(response.status)
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        if (kind === 'provisional') {
          // "In the "Proceeding" state, the client transaction SHOULD NOT retransmit the
          // request any longer." Timer B belongs to Calling (Figure 5): once the far end is
          // ringing, how long to wait for an answer is the TU's choice (it may CANCEL).
          this.stopTimer('A', 'B')
          this.setState('proceeding')
          this.emit({ type: 'to-tu', message: response })
        } else if (kind === 'success') {
          // "reception of a 2xx response MUST cause the client transaction to enter the
          // "Terminated" state, and the response MUST be passed up to the TU."
          this.emit({ type: 'to-tu', message: response })
          this.terminate()
        } else if (kind === 'failure') {
          this.#complete(response)
        }
        return
      case 'completed':
        // "Any retransmissions of the final response that are received while in the
        // "Completed" state MUST cause the ACK to be re-passed to the transport layer for
        // retransmission, but the newly received response MUST NOT be passed up to the TU."
        if (kind === 'failure' && this.#ack !== null) {
          this.emit({ type: 'send', message: this.#ack })
        }
        return
      case 'terminated':
        return
    }
  }

  /**
   * 300–699 in Calling or Proceeding (§17.1.1.2): the transaction sends the ACK itself "even
   * if the transport is reliable", then passes the response to the TU; timer D (32 s over UDP,
   * zero over TCP) keeps it there to acknowledge retransmitted finals.
   */
  #complete(response: M): void {
    this.stopTimer('A', 'B')
    this.setState('completed')
    // The ACK goes out before the TU hears of the response, so that whatever the TU sends
    // next (the INVITE again with credentials, a BYE after a refused re-INVITE) follows it on
    // the wire, as the call flows of RFC 3665 show and as strict peers expect.
    this.#ack = this.#buildAck(this.request, response)
    this.emit({ type: 'send', message: this.#ack })
    this.emit({ type: 'to-tu', message: response })
    this.startTimer('D', deriveSipTimers(this.timers, this.reliable).timerDMs, () =>
      this.terminate(),
    )
  }

  /** "...the request is retransmitted with intervals that double after each transmission." */
  #armTimerA(intervalMs: number): void {
    this.startTimer('A', intervalMs, () => {
      this.emit({ type: 'send', message: this.request })
      this.#armTimerA(2 * intervalMs)
    })
  }
}

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated'

/** RFC 3261 Figure 6: every request but INVITE and ACK (ACK has no transaction of its own). */
export class NonInviteClientTransaction<M extends TransactionMessage> extends Transaction<
  M,
  Exclude<NonInviteClientState, 'terminated'>
> {
  readonly request: M

  constructor(request: M, options: TransactionOptions = {}) {
    super('trying', options)
    if (request.kind !== 'request' || request.method === 'INVITE' || request.method === 'ACK') {
      throw new RangeError(
        'a non-INVITE client transaction starts with a request other than INVITE or ACK',
      )
    }
    this.request = request
    const timers = deriveSipTimers(this.timers, this.reliable)

    // §17.1.2.2: "When entering this state, the client transaction SHOULD set timer F to fire
    // in 64*T1 seconds. The request MUST be passed to the transport layer for transmission.
    // If an unreliable transport is in use, the client transaction MUST set timer E to fire
    // in T1 seconds."
    this.emit({ type: 'send', message: request })
    if (timers.retransmitMs !== null) {
      this.#armTimerE(timers.retransmitMs)
    }
    this.startTimer('F', timers.transactionTimeoutMs, () => {
      // "If Timer F fires while the client transaction is still in the "Trying" state, the
      // client transaction SHOULD inform the TU about the timeout" (likewise in Proceeding).
      this.emit({ type: 'timeout', timer: 'F' })
      this.terminate()
    })
  }

  /** A response matched to this transaction. Requests and odd status codes are ignored. */
  receive(response: M): void {
    if (response.kind !== 'response') {
      return
    }
    const kind = statusClass(response.status)
    if (kind === null || (this.state !== 'trying' && this.state !== 'proceeding')) {
      // Completed "exists to buffer any additional response retransmissions": they end here.
      return
    }
    this.emit({ type: 'to-tu', message: response })
    if (kind === 'provisional') {
      this.setState('proceeding')
      return
    }
    // A final response (200–699): Completed, and timer K (T4 over UDP, zero over TCP).
    this.stopTimer('E', 'F')
    this.setState('completed')
    this.startTimer('K', deriveSipTimers(this.timers, this.reliable).timerIKMs, () =>
      this.terminate(),
    )
  }

  /**
   * Timer E: in Trying it doubles, "MIN(2*T1, T2)", "MIN(4*T1, T2)", …; "If Timer E fires
   * while in the "Proceeding" state, the request MUST be passed to the transport layer for
   * retransmission, and Timer E MUST be reset with a value of T2 seconds."
   */
  #armTimerE(intervalMs: number): void {
    this.startTimer('E', intervalMs, () => {
      this.emit({ type: 'send', message: this.request })
      const next =
        this.state === 'proceeding' ? this.timers.t2Ms : Math.min(2 * intervalMs, this.timers.t2Ms)
      this.#armTimerE(next)
    })
  }
}
