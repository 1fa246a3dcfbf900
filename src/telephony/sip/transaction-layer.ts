/**
 * The transaction layer of RFC 3261 §17, sans I/O: every client and server transaction of one
 * SIP endpoint, the matching of each incoming message to its transaction (transaction-key.ts),
 * and their timers under one clock. The UA core above it (user-agent.ts) sends requests and
 * answers requests through it, and hears what no transaction claims: new requests, the ACK for
 * a 2xx, and retransmitted 2xx responses to an INVITE (§13.2.2.4, §17.1.1.2: those are the
 * core's business).
 *
 * Where a message goes is data: a request to the peer it is sent to, a response to where its
 * request came from (§18.2.2 with RFC 3581's rport: the source address and port of the request,
 * which is also what gets through a NAT). Sent messages pile up until `takeSends()`.
 */
import { InviteClientTransaction, NonInviteClientTransaction } from './client-transaction.js'
import { cancelFor, randomSipIds, responseFor, type SipIdGenerator } from './request-factory.js'
import { InviteServerTransaction, NonInviteServerTransaction } from './server-transaction.js'
import { parseCSeq, parseNameAddr, parseVia } from './sip-headers.js'
import { SipHeaders, type SipMessage, type SipRequest, type SipResponse } from './sip-message.js'
import {
  cancelTargetKey,
  clientTransactionKey,
  serverTransactionKey,
  type ServerMatchFields,
} from './transaction-key.js'
import type { SipTimerValues } from './sip-timers.js'
import type { Transaction, TransactionOutput } from './transactions.js'

/** A transport address: where a message goes or came from. */
export interface SipPeer {
  readonly address: string
  readonly port: number
}

export interface OutgoingDatagram {
  readonly message: SipMessage
  readonly to: SipPeer
}

/** What the sender of a request hears back from its client transaction. */
export interface ClientTransactionHandler {
  /** Every response passed up: provisional, then at most one final (2xx retransmissions bypass). */
  onResponse(response: SipResponse): void
  /** Timer B or F fired, or the transport failed: treat as a 408 (§8.1.3.1). */
  onTimeout(): void
}

/** A request that started a server transaction, for the UA core to answer. */
export interface IncomingRequest {
  readonly request: SipRequest
  readonly from: SipPeer
  /**
   * Sends a response through the request's server transaction; false when it can take no
   * more (a second final response). A 2xx to an INVITE is sent once: the UA core repeats it
   * until the ACK (§13.3.1.4) with `respond` again, which the Accepted state lets through.
   */
  respond(response: SipResponse): boolean
  /** For an INVITE: told when a CANCEL for it arrived (the layer has answered the CANCEL 200). */
  onCancel?: () => void
}

/** What the transaction layer passes to the UA core. */
export interface TransactionUser {
  /** A new request (not a retransmission, not an ACK). */
  onRequest(incoming: IncomingRequest): void
  /** An ACK that matched no server transaction: the ACK for a 2xx (§17.2.3, §13.3.1.4). */
  onAck(ack: SipRequest, from: SipPeer): void
  /** A response no client transaction claims: a retransmitted 2xx to an INVITE, or noise. */
  onStrayResponse(response: SipResponse, from: SipPeer): void
  /** An INVITE server transaction gave up waiting for the ACK of its non-2xx (timer H). */
  onAckTimeout?(incoming: IncomingRequest): void
}

export interface TransactionLayerOptions {
  readonly timers?: Partial<SipTimerValues>
  /** For the To tags of the responses the layer makes itself (to CANCEL). */
  readonly ids?: SipIdGenerator
}

type AnyTransaction = Transaction<SipMessage, string> & {
  receive(message: SipMessage): void
}

interface ClientEntry {
  readonly transaction: InviteClientTransaction<SipMessage> | NonInviteClientTransaction<SipMessage>
  readonly to: SipPeer
  readonly handler: ClientTransactionHandler
}

interface ServerEntry {
  readonly transaction: InviteServerTransaction<SipMessage> | NonInviteServerTransaction<SipMessage>
  readonly from: SipPeer
  readonly incoming: IncomingRequest
  /** The To tag of the TU's responses so far, for the response to a CANCEL (§9.2). */
  toTag?: string
}

export class TransactionLayer {
  readonly #user: TransactionUser
  readonly #timers: Partial<SipTimerValues>
  readonly #ids: SipIdGenerator
  readonly #clients = new Map<string, ClientEntry>()
  readonly #servers = new Map<string, ServerEntry>()
  #sends: OutgoingDatagram[] = []
  #now = 0

  constructor(user: TransactionUser, options: TransactionLayerOptions = {}) {
    this.#user = user
    this.#timers = options.timers ?? {}
    this.#ids = options.ids ?? randomSipIds
  }

  /** Time on this layer's clock: the sum of what `advance` was given. */
  get now(): number {
    return this.#now
  }

  /** How many transactions are alive (for tests and for a process draining before exit). */
  get size(): number {
    return this.#clients.size + this.#servers.size
  }

  /** The time until the next transaction timer fires, or null when none runs. */
  get nextTimerInMs(): number | null {
    let next: number | null = null
    for (const entry of [...this.#clients.values(), ...this.#servers.values()]) {
      const due = entry.transaction.nextTimerInMs
      if (due !== null && (next === null || due < next)) {
        next = due
      }
    }
    return next
  }

  /**
   * Sends `request` (not ACK, not CANCEL) to `to` in a new client transaction. The request's
   * top Via branch keys the transaction, so each request needs a new branch (the factories in
   * request-factory.ts and dialog.ts give one).
   */
  sendRequest(request: SipRequest, to: SipPeer, handler: ClientTransactionHandler): void {
    if (request.method === 'ACK' || request.method === 'CANCEL') {
      throw new RangeError(`${request.method} is not sent through sendRequest`)
    }
    const key = clientKeyOf(request, request.method)
    const options = { timers: this.#timers }
    const transaction =
      request.method === 'INVITE'
        ? new InviteClientTransaction<SipMessage>(request, {
            ...options,
            buildAck: (invite, response) =>
              ackForFailure(invite as SipRequest, response as SipResponse),
          })
        : new NonInviteClientTransaction<SipMessage>(request, options)
    this.#clients.set(key, { transaction, to, handler })
    this.#drainClient(key)
  }

  /**
   * Cancels an INVITE this layer sent (§9.1): a CANCEL in a transaction of its own, only once
   * a provisional response came ("If no provisional response has been received, the CANCEL
   * request MUST NOT be sent"): returns false until then, and the caller tries again on the
   * first 1xx. The INVITE's own transaction then ends with the 487 the far end sends.
   */
  cancel(invite: SipRequest): boolean {
    const entry = this.#clients.get(clientKeyOf(invite, 'INVITE'))
    if (entry === undefined || entry.transaction.state !== 'proceeding') {
      return false
    }
    const cancel = cancelFor(invite)
    const key = clientKeyOf(cancel, 'CANCEL')
    if (this.#clients.has(key)) {
      return true
    }
    const transaction = new NonInviteClientTransaction<SipMessage>(cancel, {
      timers: this.#timers,
    })
    this.#clients.set(key, {
      transaction,
      to: entry.to,
      handler: { onResponse: () => undefined, onTimeout: () => undefined },
    })
    this.#drainClient(key)
    return true
  }

  /** Sends a message outside any transaction: the ACK for a 2xx, a 2xx retransmission. */
  sendDirect(message: SipMessage, to: SipPeer): void {
    this.#sends.push({ message, to })
  }

  /**
   * A message from the network, parsed and with its mandatory headers checked by the caller
   * (checkMandatoryHeaders).
   */
  receive(message: SipMessage, from: SipPeer): void {
    if (message.kind === 'response') {
      this.#receiveResponse(message, from)
    } else {
      this.#receiveRequest(message, from)
    }
  }

  /** Moves every transaction's clock on by `ms`; their timers fire in order. */
  advance(ms: number): void {
    this.#now += ms
    for (const key of [...this.#clients.keys()]) {
      this.#clients.get(key)?.transaction.advance(ms)
      this.#drainClient(key)
    }
    for (const key of [...this.#servers.keys()]) {
      this.#servers.get(key)?.transaction.advance(ms)
      this.#drainServer(key)
    }
  }

  takeSends(): OutgoingDatagram[] {
    const sends = this.#sends
    this.#sends = []
    return sends
  }

  #receiveResponse(response: SipResponse, from: SipPeer): void {
    const method = parseCSeq(response.headers.get('CSeq') ?? '').method
    const key = clientKeyOf(response, method)
    const entry = this.#clients.get(key)
    if (entry === undefined) {
      this.#user.onStrayResponse(response, from)
      return
    }
    entry.transaction.receive(response)
    this.#drainClient(key)
  }

  #receiveRequest(request: SipRequest, from: SipPeer): void {
    const fields = serverFieldsOf(request)
    const key = serverTransactionKey(fields)
    const existing = this.#servers.get(key)
    if (existing !== undefined) {
      ;(existing.transaction as AnyTransaction).receive(request)
      this.#drainServer(key)
      return
    }
    if (request.method === 'ACK') {
      this.#user.onAck(request, from)
      return
    }
    if (request.method === 'CANCEL') {
      this.#receiveCancel(request, from, fields, key)
      return
    }
    this.#startServer(request, from, key)
  }

  /**
   * §9.2: "If the UAS did not find a matching transaction for the CANCEL according to the
   * procedure above, it SHOULD respond to the CANCEL with a 481 ... If the transaction for the
   * original request still exists, the behavior of the UAS on receiving a CANCEL request
   * depends on whether it has already sent a final response ... the CANCEL request has no
   * effect on the processing of the original request ... If the original request was an
   * INVITE, the UAS SHOULD immediately respond to the INVITE with a 487 ... Regardless of the
   * method of the original request, as long as the CANCEL matched an existing transaction, the
   * UAS answers the CANCEL request itself with a 200 (OK) response." The 487 is the UA core's
   * (told through onCancel), since only it knows whether it has answered.
   */
  #receiveCancel(cancel: SipRequest, from: SipPeer, fields: ServerMatchFields, key: string): void {
    const target = this.#servers.get(cancelTargetKey(fields))
    const transaction = new NonInviteServerTransaction<SipMessage>(cancel, { timers: this.#timers })
    const incoming: IncomingRequest = {
      request: cancel,
      from,
      respond: (response) => transaction.respond(response),
    }
    this.#servers.set(key, { transaction, from, incoming })
    transaction.takeOutputs() // the to-tu of the CANCEL: the layer answers it itself
    if (target === undefined) {
      transaction.respond(
        responseFor(cancel, 481, 'Call/Transaction Does Not Exist', { toTag: this.#ids.tag() }),
      )
      this.#drainServer(key)
      return
    }
    // §9.2: "The To tag of the response to the CANCEL and the To tag in the response to the
    // original request SHOULD be the same."
    transaction.respond(responseFor(cancel, 200, 'OK', { toTag: target.toTag ?? this.#ids.tag() }))
    this.#drainServer(key)
    if (target.transaction.state === 'proceeding') {
      target.incoming.onCancel?.()
    }
  }

  #startServer(request: SipRequest, from: SipPeer, key: string): void {
    let transaction: ServerEntry['transaction']
    if (request.method === 'INVITE') {
      transaction = new InviteServerTransaction<SipMessage>(request, {
        timers: this.#timers,
        buildTrying: (invite) => responseFor(invite as SipRequest, 100, 'Trying'),
      })
    } else {
      transaction = new NonInviteServerTransaction<SipMessage>(request, { timers: this.#timers })
    }
    const entry: ServerEntry = {
      transaction,
      from,
      incoming: {
        request,
        from,
        respond: (response) => {
          entry.toTag ??= parseNameAddr(response.headers.get('To') ?? '').tag
          const sent = transaction.respond(response)
          this.#drainServer(key)
          return sent
        },
      },
    }
    const incoming = entry.incoming
    this.#servers.set(key, entry)
    transaction.takeOutputs() // the request itself, passed up below
    this.#user.onRequest(incoming)
    this.#drainServer(key)
  }

  #drainClient(key: string): void {
    const entry = this.#clients.get(key)
    if (entry === undefined) {
      return
    }
    for (const output of entry.transaction.takeOutputs()) {
      this.#clientOutput(key, entry, output)
    }
  }

  #clientOutput(key: string, entry: ClientEntry, output: TransactionOutput<SipMessage>): void {
    switch (output.type) {
      case 'send':
        this.#sends.push({ message: output.message, to: entry.to })
        return
      case 'to-tu':
        if (output.message.kind === 'response') {
          entry.handler.onResponse(output.message)
        }
        return
      case 'timeout':
      case 'transport-error':
        entry.handler.onTimeout()
        return
      case 'terminated':
        this.#clients.delete(key)
        return
    }
  }

  #drainServer(key: string): void {
    const entry = this.#servers.get(key)
    if (entry === undefined) {
      return
    }
    for (const output of entry.transaction.takeOutputs()) {
      switch (output.type) {
        case 'send':
          this.#sends.push({ message: output.message, to: entry.from })
          break
        case 'to-tu':
          // Only the ACK for a 2xx in Accepted (RFC 6026) comes up this way.
          if (output.message.kind === 'request' && output.message.method === 'ACK') {
            this.#user.onAck(output.message, entry.from)
          }
          break
        case 'timeout':
          this.#user.onAckTimeout?.(entry.incoming)
          break
        case 'transport-error':
          break
        case 'terminated':
          this.#servers.delete(key)
          break
      }
    }
  }
}

function clientKeyOf(message: SipMessage, method: string): string {
  const via = parseVia(message.headers.get('Via') ?? '')
  return clientTransactionKey({ branch: via.branch ?? '', method })
}

function serverFieldsOf(request: SipRequest): ServerMatchFields {
  const via = parseVia(request.headers.get('Via') ?? '')
  return {
    method: request.method,
    branch: via.branch,
    sentBy: via.port === undefined ? via.host : `${via.host}:${via.port}`,
    requestUri: request.uri,
    callId: request.headers.get('Call-ID') ?? '',
    fromTag: parseNameAddr(request.headers.get('From') ?? '').tag,
    cseqNumber: parseCSeq(request.headers.get('CSeq') ?? '').seq,
  }
}

/**
 * §17.1.1.3: the ACK for a non-2xx final response. "The ACK request constructed by the client
 * transaction MUST contain values for the Call-ID, From, and Request-URI that are equal to the
 * values of those header fields in the request passed to the transport by the client
 * transaction ... The To header field in the ACK MUST equal the To header field in the
 * response being acknowledged ... The ACK MUST contain a single Via header field, and this
 * MUST be equal to the top Via header field of the original request ... The CSeq header field
 * in the ACK MUST contain the same value for the sequence number as was present in the
 * original request, but the method parameter MUST be equal to "ACK". If the INVITE request
 * whose response is being acknowledged had Route header fields, those header fields MUST
 * appear in the ACK."
 */
export function ackForFailure(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new SipHeaders()
    .append('Via', invite.headers.get('Via') ?? '')
    .append('Max-Forwards', invite.headers.get('Max-Forwards') ?? '70')
    .append('From', invite.headers.get('From') ?? '')
    .append('To', response.headers.get('To') ?? '')
    .append('Call-ID', invite.headers.get('Call-ID') ?? '')
    .append('CSeq', `${parseCSeq(invite.headers.get('CSeq') ?? '').seq} ACK`)
  for (const route of invite.headers.getLines('Route')) {
    headers.append('Route', route)
  }
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers, body: new Uint8Array() }
}
