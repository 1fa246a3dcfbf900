/**
 * faxd's SIP user agent core (RFC 3261 §8, §12–§15), sans I/O: datagrams and time go in,
 * datagrams and events come out. It parses what arrives (a malformed request is answered 400,
 * 505 or 513 as §8.2 and §21 say, a malformed response dropped), hands each message to its
 * transaction (transaction-layer.ts), and each dialog's requests to its call (sip-call.ts).
 * New INVITEs become incoming calls for the owner to accept or reject; OPTIONS (a trunk's
 * keep-alive) is answered 200.
 *
 * The owner (sip-service.ts, the shell with the socket) calls `receive` for each datagram and
 * `advance` as time passes, then sends what `takeDatagrams` gives and acts on `takeEvents`.
 */
import { checkMandatoryHeaders, parseSipMessage, serializeSipMessage } from './sip-message.js'
import type { SipMessage, SipRequest, SipResponse } from './sip-message.js'
import { SipHeaders } from './sip-message.js'
import { SipParseError } from './sip-parse-error.js'
import { parseExpires, parseMinSe, parseNameAddr, parseSessionExpires } from './sip-headers.js'
import { parseUri } from './sip-uri.js'
import { dialogIdOfIncomingRequest, dialogKey } from './dialog.js'
import {
  ALLOW_HEADER,
  SUPPORTED_OPTIONS,
  randomSipIds,
  responseFor,
  type LocalVia,
  type SipIdGenerator,
} from './request-factory.js'
import {
  SipCall,
  type CallEnvironment,
  type CallTarget,
  type SipCallEvent,
  type SipCallSettings,
} from './sip-call.js'
import { TransactionLayer, type IncomingRequest, type SipPeer } from './transaction-layer.js'
import type { SipTimerValues } from './sip-timers.js'

export interface UserAgentSettings {
  readonly call: SipCallSettings
  /** Our top Via (sent-by is our SIP address and port). */
  readonly localVia: LocalVia
  /** Our Contact URI. */
  readonly contact: string
  readonly timers?: Partial<SipTimerValues>
  readonly ids?: SipIdGenerator
  readonly random?: () => number
}

export interface OutgoingDatagram {
  readonly octets: Uint8Array
  readonly to: SipPeer
}

export type UserAgentEvent =
  /** An INVITE for a new call: accept(mediaPort) it or reject() it. */
  | { readonly type: 'incoming-call'; readonly call: SipCall; readonly invite: SipRequest }
  | { readonly type: 'call-event'; readonly call: SipCall; readonly event: SipCallEvent }
  /** A datagram that was not SIP, or a message we could not take (for the logs). */
  | { readonly type: 'bad-message'; readonly from: SipPeer; readonly detail: string }

export class SipUserAgent {
  readonly layer: TransactionLayer
  readonly #settings: UserAgentSettings
  readonly #calls = new Set<SipCall>()
  #datagrams: OutgoingDatagram[] = []
  #events: UserAgentEvent[] = []

  constructor(settings: UserAgentSettings) {
    this.#settings = settings
    this.layer = new TransactionLayer(
      {
        onRequest: (incoming) => this.#onRequest(incoming),
        onAck: (ack) => this.#callOf(ack)?.receiveAck(ack),
        onStrayResponse: (response) => this.#onStrayResponse(response),
      },
      {
        ...(settings.timers === undefined ? {} : { timers: settings.timers }),
        ...(settings.ids === undefined ? {} : { ids: settings.ids }),
      },
    )
  }

  /** Calls not yet ended (for the channel count and for tests). */
  get calls(): readonly SipCall[] {
    return [...this.#calls]
  }

  /** Places a call to `target` through `peer` (the trunk); our media is on `mediaPort`. */
  placeCall(target: CallTarget, peer: SipPeer, mediaPort: number): SipCall {
    const call = SipCall.place(this.#environment(peer), this.#settings.call, target, mediaPort)
    this.#calls.add(call)
    this.#flush()
    return call
  }

  /** One datagram from `from`. Never throws: whatever arrives, the agent keeps serving. */
  receive(octets: Uint8Array, from: SipPeer): void {
    let message: SipMessage
    try {
      message = parseSipMessage(octets)
      checkMandatoryHeaders(message)
    } catch (error) {
      this.#malformed(error, from)
      this.#flush()
      return
    }
    try {
      if (message.kind === 'request') {
        const unsupported = unsupportedRequirements(message)
        if (unsupported.length > 0) {
          // §8.2.2.3: "If a UAS does not understand an option-tag listed in a Require header
          // field, it MUST respond by generating a response with status code 420 (Bad
          // Extension). The UAS MUST add an Unsupported header field".
          if (message.method !== 'ACK' && message.method !== 'CANCEL') {
            this.layer.sendDirect(
              responseFor(message, 420, 'Bad Extension', {
                ...this.#newTag(),
                extraHeaders: [['Unsupported', unsupported.join(', ')]],
              }),
              from,
            )
          }
          this.#flush()
          return
        }
      }
      this.layer.receive(message, from)
    } catch (error) {
      // A message whose headers parse but that our state machines cannot use (a CSeq out of
      // range, say): answer 400 if it was a request, and carry on.
      this.#events.push({ type: 'bad-message', from, detail: (error as Error).message })
      if (message.kind === 'request' && message.method !== 'ACK') {
        this.#tryReply(message, 400, 'Bad Request', from)
      }
    }
    this.#flush()
  }

  advance(ms: number): void {
    this.layer.advance(ms)
    for (const call of this.#calls) {
      call.advance(ms)
    }
    this.#flush()
  }

  /** Ms until something is due (a retransmission, a call's timer), or null when nothing is. */
  get nextTimerInMs(): number | null {
    let next = this.layer.nextTimerInMs
    for (const call of this.#calls) {
      const due = call.nextTimerInMs
      if (due !== null && (next === null || due < next)) {
        next = due
      }
    }
    return next
  }

  takeDatagrams(): OutgoingDatagram[] {
    this.#flush()
    const datagrams = this.#datagrams
    this.#datagrams = []
    return datagrams
  }

  takeEvents(): UserAgentEvent[] {
    this.#flush()
    const events = this.#events
    this.#events = []
    return events
  }

  /** Collects what the layer sends and what calls report; forgets calls that ended. */
  #flush(): void {
    for (const { message, to } of this.layer.takeSends()) {
      this.#datagrams.push({ octets: serializeSipMessage(message), to })
    }
    for (const call of this.#calls) {
      for (const event of call.takeEvents()) {
        this.#events.push({ type: 'call-event', call, event })
      }
      if (call.state === 'ended') {
        this.#calls.delete(call)
      }
    }
  }

  #environment(peer: SipPeer): CallEnvironment {
    return {
      layer: this.layer,
      localVia: this.#settings.localVia,
      contact: this.#settings.contact,
      peer,
      ids: this.#settings.ids ?? randomSipIds,
      ...(this.#settings.random === undefined ? {} : { random: this.#settings.random }),
    }
  }

  #onRequest(incoming: IncomingRequest): void {
    const request = incoming.request
    if (dialogIdOfIncomingRequest(request) !== null) {
      const call = this.#callOf(request)
      if (call === undefined) {
        // §12.2.2: "If the UAS receives a request with a To tag that does not match any
        // existing dialog, the UAS ... SHOULD respond with a 481".
        incoming.respond(responseFor(request, 481, 'Call/Transaction Does Not Exist'))
      } else {
        call.receiveRequest(incoming)
      }
      return
    }
    switch (request.method) {
      case 'INVITE': {
        const fault = inviteFault(request)
        if (fault !== null) {
          // §21.4.1: "The request could not be understood due to malformed syntax. The
          // Reason-Phrase SHOULD identify the syntax problem in more detail".
          incoming.respond(responseFor(request, 400, fault, this.#newTag()))
          return
        }
        const call = SipCall.incoming(
          this.#environment(incoming.from),
          this.#settings.call,
          incoming,
        )
        this.#calls.add(call)
        this.#events.push({ type: 'incoming-call', call, invite: request })
        return
      }
      case 'OPTIONS':
        incoming.respond(responseFor(request, 200, 'OK', this.#newTag()))
        return
      case 'BYE':
      case 'INFO':
      case 'UPDATE':
        incoming.respond(
          responseFor(request, 481, 'Call/Transaction Does Not Exist', this.#newTag()),
        )
        return
      default:
        // §8.2.1: a method the UAS recognises but does not support gets 405 with Allow.
        incoming.respond(
          responseFor(request, 405, 'Method Not Allowed', {
            ...this.#newTag(),
            extraHeaders: [['Allow', ALLOW_HEADER]],
          }),
        )
    }
  }

  /**
   * §8.2.6.2: a response to a request outside a dialog gets a To tag of ours ("the UAS MUST
   * add a tag to the To header field in the response"); responseFor leaves a To that already
   * has one as it is.
   */
  #newTag(): { readonly toTag: string } {
    return { toTag: (this.#settings.ids ?? randomSipIds).tag() }
  }

  #onStrayResponse(response: SipResponse): void {
    const callId = response.headers.get('Call-ID')
    for (const call of this.#calls) {
      if (call.callId === callId) {
        call.receiveStrayResponse(response)
      }
    }
  }

  /** The call whose dialog a request from the far end belongs to. */
  #callOf(request: SipRequest): SipCall | undefined {
    const id = dialogIdOfIncomingRequest(request)
    if (id === null) {
      return undefined
    }
    const key = dialogKey(id)
    for (const call of this.#calls) {
      const dialog = call.dialogId
      if (dialog !== null && dialogKey(dialog) === key) {
        return call
      }
    }
    return undefined
  }

  /**
   * §18.2.1 / §8.2: a request that does not parse is answered when enough of it was read to
   * address a response (its Via, From, To, Call-ID and CSeq); a response that does not parse
   * is dropped.
   */
  #malformed(error: unknown, from: SipPeer): void {
    const detail = error instanceof Error ? error.message : String(error)
    this.#events.push({ type: 'bad-message', from, detail })
    if (!(error instanceof SipParseError) || error.statusForReply === undefined) {
      return
    }
    const partial = error.request
    if (partial === undefined || partial.method === 'ACK') {
      return
    }
    const request: SipRequest = {
      kind: 'request',
      method: partial.method,
      uri: partial.uri,
      headers: new SipHeaders(),
      body: new Uint8Array(),
    }
    try {
      for (const [name, value] of partial.headers) {
        request.headers.append(name, value)
      }
    } catch {
      return
    }
    const phrase =
      error.statusForReply === 505
        ? 'Version Not Supported'
        : error.statusForReply === 513
          ? 'Message Too Large'
          : 'Bad Request'
    this.#tryReply(request, error.statusForReply, phrase, from)
  }

  /** A response built from whatever headers the request had; dropped if it cannot be built. */
  #tryReply(request: SipRequest, status: number, phrase: string, from: SipPeer): void {
    // Via routes the response (§18.2.2); From, To and CSeq are copied into it. A missing
    // Call-ID is one of the faults a 400 reports (§21.4.1), so it is not needed here.
    const required = ['Via', 'From', 'To', 'CSeq']
    if (!required.every((name) => request.headers.has(name))) {
      return
    }
    try {
      const response = responseFor(request, status, phrase, this.#newTag())
      if (!request.headers.has('Call-ID')) {
        response.headers.delete('Call-ID')
      }
      serializeSipMessage(response)
      this.layer.sendDirect(response, from)
    } catch {
      // Not even a reply can be made of it: drop it, as §18.2.1 allows.
    }
  }
}

/** Option tags in Require that we do not support (only `timer`, RFC 4028). */
function unsupportedRequirements(request: SipRequest): string[] {
  return request.headers
    .getAll('Require')
    .map((tag) => tag.trim())
    .filter(
      (tag) =>
        tag !== '' &&
        !SUPPORTED_OPTIONS.some((option) => option.toLowerCase() === tag.toLowerCase()),
    )
}

/**
 * What is wrong with a new INVITE's headers that a call needs, or null: its Contact (§8.1.1.8:
 * one SIP or SIPS URI, the dialog's remote target), and the session-timer and expiry headers
 * when present. Checked before the number is looked up, so a malformed INVITE is answered 400
 * whatever number it calls.
 */
function inviteFault(invite: SipRequest): string | null {
  const contacts = invite.headers.getAll('Contact')
  if (contacts.length !== 1) {
    return contacts.length === 0 ? 'Missing Contact' : 'More than one Contact'
  }
  try {
    const uri = parseUri(parseNameAddr(contacts[0]!).uri)
    if (uri.scheme !== 'sip' && uri.scheme !== 'sips') {
      return 'Contact is not a SIP URI'
    }
  } catch {
    return 'Bad Contact'
  }
  const readers: readonly [string, (value: string) => unknown][] = [
    ['Session-Expires', parseSessionExpires],
    ['Min-SE', parseMinSe],
    ['Expires', parseExpires],
  ]
  for (const [name, read] of readers) {
    const value = invite.headers.get(name)
    if (value !== undefined) {
      try {
        read(value)
      } catch {
        return `Bad ${name}`
      }
    }
  }
  return null
}
