/**
 * A SIP dialog (RFC 3261 §12) as state and pure builders: made from the 2xx to an INVITE we
 * sent (UAC, §12.1.2) or from an INVITE we answer (UAS, §12.1.1), it builds the requests we
 * send inside it (§12.2.1.1: BYE, re-INVITE, UPDATE, INFO…), the ACK for a 2xx (§13.2.2.4),
 * and judges the requests the far end sends inside it (§12.2.2). It sends nothing and keeps
 * no timers: the caller hands each request to a client transaction (the ACK for a 2xx goes
 * straight to the transport, §17.1.1.3) and each response back through receiveResponse.
 *
 * Early dialogs (from a 1xx with a To tag) are not built: faxd answers calls with 200 and
 * places them without PRACK, so it only ever needs the confirmed dialog.
 */
import {
  MAX_FORWARDS,
  ALLOW_HEADER,
  SUPPORTED_HEADER,
  finishRequest,
  formatLocalVia,
  newBranch,
  randomSipIds,
  responseFor,
  withAuthorization,
  type ExtraHeader,
  type LocalVia,
  type SipIdGenerator,
} from './request-factory.js'
import type { DigestCredentials } from './digest.js'
import {
  formatCSeq,
  formatNameAddr,
  parseCSeq,
  parseNameAddr,
  parseVia,
  type NameAddr,
} from './sip-headers.js'
import { SipHeaders, type SipRequest, type SipResponse } from './sip-message.js'
import { SipParseError } from './sip-parse-error.js'
import { parseSipUri, formatUri, parseUri } from './sip-uri.js'

/** §12: "A dialog is identified at each UA with a dialog ID, which consists of a Call-ID value,
 * a local tag and a remote tag." */
export interface DialogId {
  readonly callId: string
  readonly localTag: string
  /** Undefined only for an RFC 2543 peer that sent no tag (§12.1.2: "the remote tag is null"). */
  readonly remoteTag: string | undefined
}

/** One string per dialog ID, for a Map of dialogs. */
export function dialogKey(id: DialogId): string {
  return JSON.stringify([id.callId, id.localTag, id.remoteTag ?? null])
}

/** The dialog ID a request we received belongs to (§12.2.2: local tag = To tag, remote = From). */
export function dialogIdOfIncomingRequest(request: SipRequest): DialogId | null {
  const callId = request.headers.get('Call-ID')
  const localTag = parseNameAddr(request.headers.get('To') ?? '').tag
  if (callId === undefined || localTag === undefined) {
    return null
  }
  return { callId, localTag, remoteTag: parseNameAddr(request.headers.get('From') ?? '').tag }
}

export interface InDialogRequestOptions {
  readonly body?: Uint8Array
  /** Default `application/sdp` when there is a body. */
  readonly contentType?: string
  readonly extraHeaders?: readonly ExtraHeader[]
}

/** Methods that refresh the remote target (§12.2: re-INVITE; RFC 3311: UPDATE). */
const TARGET_REFRESH = new Set(['INVITE', 'UPDATE'])

/** What receiveRequest says to do with a request from the far end. */
export type InDialogVerdict =
  /** Send `response` and do nothing else (500 out of order, 481 not this dialog). */
  | { readonly action: 'reject'; readonly response: SipResponse; readonly why: string }
  /** The ACK for our 2xx: stop resending it (§13.3.1.4). Nothing is sent back. */
  | { readonly action: 'ack' }
  /** A BYE: send `response` (200); the dialog is terminated (§15.1.2). */
  | { readonly action: 'bye'; readonly response: SipResponse }
  /** Anything else in order: the caller answers it (re-INVITE, UPDATE, INFO, OPTIONS…). */
  | { readonly action: 'process'; readonly targetRefreshed: boolean }

export interface UasDialogOptions {
  /** Our To tag, as put in the responses to the INVITE. */
  readonly localTag: string
  /** Our Contact URI, as put in the 2xx. */
  readonly contact: string
  readonly localVia: LocalVia
  /** The first CSeq we use in this dialog (§12.1.1: "The local sequence number MUST be empty";
   * §12.2.1.1 has us choose one). Default 1. */
  readonly initialLocalCSeq?: number
}

export interface DialogInit {
  readonly id: DialogId
  readonly localParty: NameAddr
  readonly remoteParty: NameAddr
  /** The last CSeq number we used; undefined while empty. */
  readonly localSeq: number | undefined
  readonly remoteSeq: number | undefined
  readonly remoteTarget: string
  /** In the order the Route headers of our requests list them. */
  readonly routeSet: readonly string[]
  readonly secure: boolean
  readonly localContact: string
  readonly localVia: LocalVia
}

export class Dialog {
  readonly id: DialogId
  /** From of our requests: the local URI, with display name and parameters, minus the tag. */
  readonly localParty: NameAddr
  readonly remoteParty: NameAddr
  readonly routeSet: readonly string[]
  /** §12.1.1, §12.1.2: set when the INVITE was sent over TLS to a SIPS Request-URI. */
  readonly secure: boolean
  readonly localContact: string
  readonly localVia: LocalVia
  #localSeq: number | undefined
  #remoteSeq: number | undefined
  #remoteTarget: string
  #terminated = false
  #ids: SipIdGenerator

  constructor(init: DialogInit, ids: SipIdGenerator = randomSipIds) {
    this.id = init.id
    this.localParty = init.localParty
    this.remoteParty = init.remoteParty
    this.#localSeq = init.localSeq
    this.#remoteSeq = init.remoteSeq
    this.#remoteTarget = init.remoteTarget
    this.routeSet = init.routeSet
    this.secure = init.secure
    this.localContact = init.localContact
    this.localVia = init.localVia
    this.#ids = ids
  }

  /**
   * §12.1.2, the UAC side, from the 2xx to `invite` (the INVITE as sent, the one with
   * credentials if it was challenged): "The route set MUST be set to the list of URIs in the
   * Record-Route header field from the response, taken in reverse order and preserving all URI
   * parameters. ... The remote target MUST be set to the URI from the Contact header field of
   * the response. The local sequence number MUST be set to the value of the sequence number in
   * the CSeq header field of the request. The remote sequence number MUST be empty ... The
   * call identifier component of the dialog ID MUST be set to the value of the Call-ID in the
   * request. The local tag component of the dialog ID MUST be set to the tag in the From field
   * in the request, and the remote tag component of the dialog ID MUST be set to the tag in
   * the To field of the response."
   */
  static fromInviteResponse(
    invite: SipRequest,
    response: SipResponse,
    ids: SipIdGenerator = randomSipIds,
  ): Dialog {
    if (invite.method !== 'INVITE' || response.status < 200 || response.status > 299) {
      throw new SipParseError('bad-argument', 'a UAC dialog comes from a 2xx to an INVITE')
    }
    const from = parseNameAddr(required(invite, 'From'))
    const to = parseNameAddr(required(response, 'To'))
    if (from.tag === undefined) {
      throw new SipParseError('bad-argument', 'our INVITE has no From tag')
    }
    const topVia = parseVia(required(invite, 'Via'))
    return new Dialog(
      {
        id: { callId: required(invite, 'Call-ID'), localTag: from.tag, remoteTag: to.tag },
        localParty: withoutTag(from),
        remoteParty: withoutTag(to),
        localSeq: parseCSeq(required(invite, 'CSeq')).seq,
        remoteSeq: undefined,
        remoteTarget: contactUri(response),
        routeSet: response.headers.getAll('Record-Route').reverse(),
        secure: isSecure(invite.uri, topVia.transport),
        localContact: parseNameAddr(required(invite, 'Contact')).uri,
        localVia: {
          host: topVia.host,
          transport: topVia.transport,
          ...(topVia.port === undefined ? {} : { port: topVia.port }),
          ...(topVia.rport === undefined ? {} : { rport: true }),
        },
      },
      ids,
    )
  }

  /**
   * §12.1.1, the UAS side, from an INVITE we answer with a 2xx: "The route set MUST be set to
   * the list of URIs in the Record-Route header field from the request, taken in order and
   * preserving all URI parameters. ... The remote target MUST be set to the URI from the
   * Contact header field of the request. The remote sequence number MUST be set to the value of
   * the sequence number in the CSeq header field of the request. The local sequence number MUST
   * be empty. The call identifier component of the dialog ID MUST be set to the value of the
   * Call-ID in the request. The local tag component of the dialog ID MUST be set to the tag in
   * the To field in the response to the request (which always includes a tag), and the remote
   * tag component of the dialog ID MUST be set to the tag from the From field in the request."
   */
  static fromInviteRequest(
    invite: SipRequest,
    options: UasDialogOptions,
    ids: SipIdGenerator = randomSipIds,
  ): Dialog {
    if (invite.method !== 'INVITE') {
      throw new SipParseError('bad-argument', 'a UAS dialog comes from an INVITE')
    }
    const from = parseNameAddr(required(invite, 'From'))
    const to = parseNameAddr(required(invite, 'To'))
    const topVia = parseVia(required(invite, 'Via'))
    const initial = options.initialLocalCSeq
    return new Dialog(
      {
        id: {
          callId: required(invite, 'Call-ID'),
          localTag: options.localTag,
          remoteTag: from.tag,
        },
        localParty: withoutTag(to),
        remoteParty: withoutTag(from),
        localSeq: initial === undefined ? undefined : initial - 1,
        remoteSeq: parseCSeq(required(invite, 'CSeq')).seq,
        remoteTarget: contactUri(invite),
        routeSet: invite.headers.getAll('Record-Route'),
        secure: isSecure(invite.uri, topVia.transport),
        localContact: options.contact,
        localVia: options.localVia,
      },
      ids,
    )
  }

  /** The URI our requests go to, the Contact of the far end's last target refresh. */
  get remoteTarget(): string {
    return this.#remoteTarget
  }

  /** The CSeq number of the last request we sent in the dialog; undefined while none. */
  get localSeq(): number | undefined {
    return this.#localSeq
  }

  get remoteSeq(): number | undefined {
    return this.#remoteSeq
  }

  /** After a BYE either way, or a 481/408 to one of our requests (§12.2.1.2). */
  get terminated(): boolean {
    return this.#terminated
  }

  terminate(): void {
    this.#terminated = true
  }

  /**
   * A request inside the dialog (§12.2.1.1), with the next local CSeq and a new branch. To,
   * From and Call-ID are the dialog's; Request-URI and Route come from the remote target and
   * the route set (routeRequest). INVITE and UPDATE, the target refresh requests, carry our
   * Contact ("it MUST contain a Contact header field"), Allow and Supported. ACK and CANCEL
   * are not made here: see createAck and cancelFor.
   */
  createRequest(method: string, options: InDialogRequestOptions = {}): SipRequest {
    if (method === 'ACK' || method === 'CANCEL') {
      throw new SipParseError('bad-argument', `${method} is built by createAck / cancelFor`)
    }
    // §12.2.1.1: "Requests within a dialog MUST contain strictly monotonically increasing and
    // contiguous CSeq sequence numbers (increasing-by-one) in each direction"; with the local
    // sequence number empty (UAS side), we start at 1.
    const seq = (this.#localSeq ?? 0) + 1
    if (seq > 2 ** 32 - 1) {
      throw new SipParseError('bad-argument', 'the local CSeq ran out of 32 bits')
    }
    this.#localSeq = seq
    const headers = this.#commonHeaders(method, seq)
    if (TARGET_REFRESH.has(method)) {
      headers
        .append('Contact', formatNameAddr({ uri: this.localContact }))
        .append('Allow', ALLOW_HEADER)
        .append('Supported', SUPPORTED_HEADER)
    }
    return finishRequest(method, this.routeRequest().requestUri, headers, options)
  }

  /**
   * The ACK for a 2xx to `invite` (§13.2.2.4): "The header fields of the ACK are constructed in
   * the same way as for any request sent within a dialog (see Section 12) with the exception of
   * the CSeq and the header fields related to authentication. The sequence number of the CSeq
   * header field MUST be the same as the INVITE being acknowledged, but the CSeq method MUST be
   * ACK. The ACK MUST contain the same credentials as the INVITE." A body is the answer when
   * the INVITE carried no offer. The local CSeq does not move.
   */
  createAck(invite: SipRequest, options: InDialogRequestOptions = {}): SipRequest {
    const seq = parseCSeq(required(invite, 'CSeq')).seq
    const headers = this.#commonHeaders('ACK', seq)
    for (const name of ['Authorization', 'Proxy-Authorization']) {
      for (const line of invite.headers.getLines(name)) {
        headers.append(name, line)
      }
    }
    return finishRequest('ACK', this.routeRequest().requestUri, headers, options)
  }

  /**
   * Where a request in this dialog goes, §12.2.1.1: "If the route set is empty, the UAC MUST
   * place the remote target URI into the Request-URI. The UAC MUST NOT add a Route header
   * field to the request. If the route set is not empty, and the first URI in the route set
   * contains the lr parameter (see Section 19.1.1), the UAC MUST place the remote target URI
   * into the Request-URI and MUST include a Route header field containing the route set
   * values in order, including all parameters. If the route set is not empty, and its first
   * URI does not contain the lr parameter, the UAC MUST place the first URI from the route set
   * into the Request-URI, stripping any parameters that are not allowed in a Request-URI. The
   * UAC MUST add a Route header field containing the remainder of the route set values in
   * order, including all parameters. The UAC MUST then place the remote target URI into the
   * Route header field as the last value."
   */
  routeRequest(): { readonly requestUri: string; readonly route: readonly string[] } {
    const [first, ...rest] = this.routeSet
    if (first === undefined) {
      return { requestUri: this.#remoteTarget, route: [] }
    }
    const firstUri = parseNameAddr(first).uri
    if (isLooseRouter(firstUri)) {
      return { requestUri: this.#remoteTarget, route: this.routeSet }
    }
    return {
      requestUri: asRequestUri(firstUri),
      route: [...rest, formatNameAddr({ uri: this.#remoteTarget })],
    }
  }

  /**
   * A request from the far end that belongs to this dialog (§12.2.2). ACK (for our 2xx) and
   * CANCEL share their INVITE's CSeq, so they skip the order check. For the rest: "If the
   * remote sequence number was not empty, but the sequence number of the request is lower
   * than the remote sequence number, the request is out of order and MUST be rejected with a
   * 500 (Server Internal Error) response." An equal number is refused too: the server
   * transaction absorbs retransmissions, so a new request with the last number is out of order.
   * A target refresh request replaces the remote target with its Contact.
   */
  receiveRequest(request: SipRequest): InDialogVerdict {
    const id = dialogIdOfIncomingRequest(request)
    if (
      id === null ||
      id.callId !== this.id.callId ||
      id.localTag !== this.id.localTag ||
      id.remoteTag !== this.id.remoteTag
    ) {
      return {
        action: 'reject',
        response: responseFor(request, 481, 'Call/Transaction Does Not Exist'),
        why: 'not this dialog',
      }
    }
    if (request.method === 'ACK') {
      return { action: 'ack' }
    }
    const seq = parseCSeq(required(request, 'CSeq')).seq
    if (request.method !== 'CANCEL') {
      if (this.#remoteSeq !== undefined && seq <= this.#remoteSeq) {
        return {
          action: 'reject',
          response: responseFor(request, 500, 'Server Internal Error'),
          why: `CSeq ${seq} after ${this.#remoteSeq}`,
        }
      }
      this.#remoteSeq = seq
    }
    if (request.method === 'BYE') {
      this.#terminated = true
      return { action: 'bye', response: responseFor(request, 200, 'OK') }
    }
    let targetRefreshed = false
    if (TARGET_REFRESH.has(request.method) && request.headers.has('Contact')) {
      // §12.2.2: "When a UAS receives a target refresh request, it MUST replace the dialog's
      // remote target URI with the URI from the Contact header field in that request, if
      // present."
      this.#remoteTarget = contactUri(request)
      targetRefreshed = true
    }
    return { action: 'process', targetRefreshed }
  }

  /**
   * A final response to a request we sent in the dialog (§12.2.1.2): a 2xx to a target
   * refresh request replaces the remote target with its Contact; "If the response for a
   * request within a dialog is a 481 (Call/Transaction Does Not Exist) or a 408 (Request
   * Timeout), the UAC SHOULD terminate the dialog."
   */
  receiveResponse(request: SipRequest, response: SipResponse): void {
    if (response.status === 481 || response.status === 408) {
      this.#terminated = true
      return
    }
    if (
      response.status >= 200 &&
      response.status < 300 &&
      TARGET_REFRESH.has(request.method) &&
      response.headers.has('Contact')
    ) {
      this.#remoteTarget = contactUri(response)
    }
  }

  /**
   * `request` (sent in this dialog and challenged with 401/407) again with credentials, under
   * the next local CSeq (withAuthorization in request-factory.ts); null when the challenge
   * cannot be answered.
   */
  withAuthorization(
    request: SipRequest,
    challengeResponse: SipResponse,
    credentials: DigestCredentials,
    nonceCount: number,
    cnonce: string,
  ): SipRequest | null {
    const seq = (this.#localSeq ?? 0) + 1
    const again = withAuthorization(request, challengeResponse, credentials, nonceCount, cnonce, {
      cseq: seq,
      ids: this.#ids,
    })
    if (again !== null) {
      this.#localSeq = seq
    }
    return again
  }

  #commonHeaders(method: string, seq: number): SipHeaders {
    const headers = new SipHeaders()
      .append('Via', formatLocalVia(this.localVia, newBranch(this.#ids)))
      .append('Max-Forwards', String(MAX_FORWARDS))
      .append('From', formatNameAddr(partyInit(this.localParty, this.id.localTag)))
      .append('To', formatNameAddr(partyInit(this.remoteParty, this.id.remoteTag)))
      .append('Call-ID', this.id.callId)
      .append('CSeq', formatCSeq({ seq, method }))
    for (const route of this.routeRequest().route) {
      headers.append('Route', route)
    }
    return headers
  }
}

function required(message: SipRequest | SipResponse, name: string): string {
  const value = message.headers.get(name)
  if (value === undefined) {
    throw new SipParseError('bad-argument', `no ${name} header`)
  }
  return value
}

function withoutTag(party: NameAddr): NameAddr {
  const params = new Map(party.params)
  params.delete('tag')
  return { ...party, params, tag: undefined }
}

function partyInit(party: NameAddr, tag: string | undefined): Parameters<typeof formatNameAddr>[0] {
  return {
    uri: party.uri,
    params: party.params,
    ...(party.displayName === undefined ? {} : { displayName: party.displayName }),
    ...(tag === undefined ? {} : { tag }),
  }
}

function contactUri(message: SipRequest | SipResponse): string {
  const contact = message.headers.get('Contact')
  if (contact === undefined) {
    throw new SipParseError('bad-argument', 'a dialog needs the Contact of the far end')
  }
  return parseNameAddr(contact).uri
}

/** §12.1.1/§12.1.2: "If the request arrived over TLS, and the Request-URI contained a SIPS URI,
 * the "secure" flag is set to TRUE." */
function isSecure(requestUri: string, transport: string): boolean {
  return transport.toUpperCase() === 'TLS' && requestUri.toLowerCase().startsWith('sips:')
}

/** Whether a route URI names a loose router (§19.1.1: the `lr` parameter). */
function isLooseRouter(uri: string): boolean {
  try {
    const parsed = parseUri(uri)
    return parsed.scheme !== 'tel' && parsed.params.has('lr')
  } catch {
    return false
  }
}

/**
 * A route URI made fit for a Request-URI: §19.1.1's table forbids the `method` parameter and
 * the `?headers` there.
 */
function asRequestUri(uri: string): string {
  try {
    const parsed = parseSipUri(uri)
    const params = new Map(parsed.params)
    params.delete('method')
    return formatUri({ ...parsed, params, headers: [] })
  } catch {
    return uri
  }
}
