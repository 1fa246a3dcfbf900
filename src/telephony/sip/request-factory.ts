/**
 * Building the requests and responses a user agent sends outside a dialog, as data: a new
 * INVITE or OPTIONS (RFC 3261 §8.1.1), a response to any request (§8.2.6), the CANCEL of an
 * INVITE (§9.1), and a request re-issued with credentials after a 401 or 407 (§22.2, §22.3).
 * In-dialog requests are dialog.ts's job; it builds on the pieces here. Nothing here does I/O
 * or keeps state: the random tokens come from a SipIdGenerator the caller may replace, so a
 * test gets the same octets every run.
 *
 * What faxd says about itself: it implements INVITE, ACK, BYE, CANCEL and OPTIONS (Allow), and
 * the session timer of RFC 4028 (Supported: timer). INFO, UPDATE, PRACK and REFER are not
 * offered, so a peer will not send them; dialog.ts can still build them for a caller that must.
 */
import { randomBytes } from 'node:crypto'
import {
  authorizationHeaderValue,
  digestAlgorithmFrom,
  type DigestChallenge,
  type DigestCredentials,
  type DigestQop,
} from './digest.js'
import {
  BRANCH_MAGIC_COOKIE,
  formatCSeq,
  formatNameAddr,
  formatVia,
  parseAuthHeader,
  parseCSeq,
  parseDigestChallenge,
  parseNameAddr,
  parseVia,
  type DigestChallengeHeader,
} from './sip-headers.js'
import { SipHeaders, type SipRequest, type SipResponse } from './sip-message.js'
import { SipParseError } from './sip-parse-error.js'

/** §8.1.1.6: "A UAC MUST insert a Max-Forwards header field into each request it originates
 * with a value that SHOULD be 70." */
export const MAX_FORWARDS = 70

/** The methods faxd implements, for Allow (§20.5). */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS'] as const

/** The option tags faxd supports, for Supported (§20.37): the RFC 4028 session timer. */
export const SUPPORTED_OPTIONS = ['timer'] as const

export const ALLOW_HEADER = ALLOWED_METHODS.join(', ')
export const SUPPORTED_HEADER = SUPPORTED_OPTIONS.join(', ')

/** A header line to add as it is: `[name, value]`. */
export type ExtraHeader = readonly [name: string, value: string]

/**
 * Fresh random tokens. Each call must return a new one. §8.1.1.7: a branch "MUST always begin
 * with the characters "z9hG4bK""; §19.3: a tag needs "at least 32 bits of randomness"; §8.1.1.4:
 * "Use of cryptographically random identifiers (RFC 1750) in the generation of Call-IDs is
 * RECOMMENDED".
 */
export interface SipIdGenerator {
  /** A whole branch, magic cookie included. */
  branch(): string
  tag(): string
  callId(): string
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex')
}

/** node:crypto randomness: 64-bit branch and tag, 128-bit Call-ID. */
export const randomSipIds: SipIdGenerator = {
  branch: () => `${BRANCH_MAGIC_COOKIE}${randomHex(8)}`,
  tag: () => randomHex(8),
  callId: () => randomHex(16),
}

/** A new branch from `ids`, refused if it lacks the magic cookie. */
export function newBranch(ids: SipIdGenerator): string {
  const branch = ids.branch()
  if (!branch.startsWith(BRANCH_MAGIC_COOKIE)) {
    throw new SipParseError('bad-argument', `branch "${branch}" lacks ${BRANCH_MAGIC_COOKIE}`)
  }
  return branch
}

/** Where our top Via says we are, and what it asks for. */
export interface LocalVia {
  readonly host: string
  readonly port?: number
  /** `UDP`, `TCP`, `TLS`. */
  readonly transport: string
  /** Add a bare `;rport` (RFC 3581) so the answer comes back to the port we sent from. */
  readonly rport?: boolean
}

/** The Via header value for a new client transaction. */
export function formatLocalVia(via: LocalVia, branch: string): string {
  return formatVia({
    transport: via.transport,
    host: via.host,
    ...(via.port === undefined ? {} : { port: via.port }),
    branch,
    ...(via.rport === true ? { rport: null } : {}),
  })
}

export interface OutOfDialogRequestOptions {
  readonly requestUri: string
  readonly from: { readonly uri: string; readonly displayName?: string }
  readonly to: { readonly uri: string; readonly displayName?: string }
  /** Our Contact URI (§8.1.1.8), written in angle brackets. */
  readonly contact: string
  readonly localVia: LocalVia
  /** Default: a new one from the generator. */
  readonly callId?: string
  /** Default 1 (§8.1.1.5 allows any value below 2**31). */
  readonly cseq?: number
  /** A pre-loaded route (§8.1.1.1), e.g. `<sip:proxy.example.com;lr>`; loose routers only. */
  readonly route?: readonly string[]
  readonly body?: Uint8Array
  /** Default `application/sdp` when there is a body. */
  readonly contentType?: string
  readonly extraHeaders?: readonly ExtraHeader[]
}

/**
 * A request outside any dialog (§8.1.1): Request-URI and To from the target, From with a new
 * tag, a new Call-ID unless given, CSeq 1, Max-Forwards 70, one Via with a new branch, our
 * Contact, and for INVITE and OPTIONS our Allow and Supported.
 */
export function newRequest(
  method: string,
  options: OutOfDialogRequestOptions,
  ids: SipIdGenerator = randomSipIds,
): SipRequest {
  const headers = new SipHeaders()
    .append('Via', formatLocalVia(options.localVia, newBranch(ids)))
    .append('Max-Forwards', String(MAX_FORWARDS))
    // §8.1.1.2: "The To header field MUST NOT contain a tag" in a request outside a dialog;
    // §8.1.1.3: the From "MUST contain a new "tag" parameter, chosen by the UAC".
    .append('From', formatNameAddr({ ...options.from, tag: ids.tag() }))
    .append('To', formatNameAddr(options.to))
    .append('Call-ID', options.callId ?? ids.callId())
    .append('CSeq', formatCSeq({ seq: options.cseq ?? 1, method }))
  for (const route of options.route ?? []) {
    headers.append('Route', route)
  }
  // §8.1.1.8: "The Contact header field MUST be present and contain exactly one SIP or SIPS URI
  // in any request that can result in the establishment of a dialog."
  headers.append('Contact', formatNameAddr({ uri: options.contact }))
  if (method === 'INVITE' || method === 'OPTIONS') {
    headers.append('Allow', ALLOW_HEADER).append('Supported', SUPPORTED_HEADER)
  }
  return finishRequest(method, options.requestUri, headers, options)
}

/** An INVITE outside any dialog: newRequest('INVITE', …). */
export function newInvite(
  options: OutOfDialogRequestOptions,
  ids: SipIdGenerator = randomSipIds,
): SipRequest {
  return newRequest('INVITE', options, ids)
}

/** Adds Content-Type and the extra headers, and makes the request. */
export function finishRequest(
  method: string,
  uri: string,
  headers: SipHeaders,
  options: {
    readonly body?: Uint8Array
    readonly contentType?: string
    readonly extraHeaders?: readonly ExtraHeader[]
  },
): SipRequest {
  const body = options.body ?? new Uint8Array()
  if (body.length > 0) {
    headers.append('Content-Type', options.contentType ?? 'application/sdp')
  }
  for (const [name, value] of options.extraHeaders ?? []) {
    headers.append(name, value)
  }
  return { kind: 'request', method, uri, headers, body }
}

// ---- responses (§8.2.6) ----------------------------------------------------------------------

export interface ResponseOptions {
  /** Our To tag, added when the request's To has none (never to a 100, §8.2.6.2). */
  readonly toTag?: string
  /** Our Contact URI, for a dialog-creating response (§12.1.1) or a 3xx. */
  readonly contact?: string
  readonly body?: Uint8Array
  /** Default `application/sdp` when there is a body. */
  readonly contentType?: string
  readonly extraHeaders?: readonly ExtraHeader[]
}

/**
 * A response to `request` (§8.2.6.2): Via lines copied in order, From, Call-ID and CSeq
 * copied, To copied with `toTag` added when it has no tag and the status is not 100. A 100
 * copies Timestamp (§8.2.6.1). A response of 101–299 to an INVITE copies Record-Route (§12.1.1:
 * "The UAS MUST copy all Record-Route header field values from the request into the response
 * (including the URIs, URI parameters, and any Record-Route header field parameters, whether
 * they are known or unknown to the UAS) and MUST maintain the order of those values"); a 2xx to
 * an INVITE or OPTIONS carries Allow and Supported (§13.3.1.4, §11.2). `request` is one that
 * passed checkMandatoryHeaders (a To that does not parse throws).
 */
export function responseFor(
  request: SipRequest,
  status: number,
  reason: string,
  options: ResponseOptions = {},
): SipResponse {
  const headers = new SipHeaders()
  for (const via of request.headers.getLines('Via')) {
    headers.append('Via', via)
  }
  headers.append('From', request.headers.get('From') ?? '')
  const toValue = request.headers.get('To') ?? ''
  const to = parseNameAddr(toValue)
  headers.append(
    'To',
    to.tag === undefined && status !== 100 && options.toTag !== undefined
      ? formatNameAddr({
          uri: to.uri,
          params: to.params,
          tag: options.toTag,
          ...(to.displayName === undefined ? {} : { displayName: to.displayName }),
        })
      : toValue,
  )
  headers.append('Call-ID', request.headers.get('Call-ID') ?? '')
  headers.append('CSeq', request.headers.get('CSeq') ?? '')
  const timestamp = request.headers.get('Timestamp')
  if (status === 100 && timestamp !== undefined) {
    headers.append('Timestamp', timestamp)
  }
  if (request.method === 'INVITE' && status > 100 && status < 300) {
    for (const line of request.headers.getLines('Record-Route')) {
      headers.append('Record-Route', line)
    }
  }
  if (options.contact !== undefined) {
    headers.append('Contact', formatNameAddr({ uri: options.contact }))
  }
  if (
    status >= 200 &&
    status < 300 &&
    (request.method === 'INVITE' || request.method === 'OPTIONS')
  ) {
    headers.append('Allow', ALLOW_HEADER).append('Supported', SUPPORTED_HEADER)
  }
  const body = options.body ?? new Uint8Array()
  if (body.length > 0) {
    headers.append('Content-Type', options.contentType ?? 'application/sdp')
  }
  for (const [name, value] of options.extraHeaders ?? []) {
    headers.append(name, value)
  }
  return { kind: 'response', status, reason, headers, body }
}

// ---- CANCEL (§9.1) -----------------------------------------------------------------------------

/**
 * The CANCEL of `invite`. §9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and
 * From header fields in the CANCEL request MUST be identical to those in the request being
 * cancelled, including tags. A CANCEL constructed by a client MUST have only a single Via
 * header field value matching the top Via value in the request being cancelled. ... If the
 * request being cancelled contains a Route header field, the CANCEL request MUST include that
 * Route header field's values."
 */
export function cancelFor(invite: SipRequest): SipRequest {
  if (invite.method !== 'INVITE') {
    throw new SipParseError('bad-argument', `only an INVITE is cancelled, not ${invite.method}`)
  }
  const required = (name: string): string => {
    const value = invite.headers.get(name)
    if (value === undefined) {
      throw new SipParseError('bad-argument', `the INVITE has no ${name}`)
    }
    return value
  }
  const headers = new SipHeaders()
    .append('Via', required('Via'))
    .append('Max-Forwards', String(MAX_FORWARDS))
    .append('From', required('From'))
    .append('To', required('To'))
    .append('Call-ID', required('Call-ID'))
    .append('CSeq', formatCSeq({ seq: parseCSeq(required('CSeq')).seq, method: 'CANCEL' }))
  for (const route of invite.headers.getLines('Route')) {
    headers.append('Route', route)
  }
  return { kind: 'request', method: 'CANCEL', uri: invite.uri, headers, body: new Uint8Array() }
}

// ---- authentication (§22.2, §22.3) ---------------------------------------------------------

/** The header that answers each challenge header (§22.2 for 401, §22.3 for 407). */
const ANSWER_HEADER = {
  'WWW-Authenticate': 'Authorization',
  'Proxy-Authenticate': 'Proxy-Authorization',
} as const

export interface AuthorizationOptions {
  /** The CSeq number of the new request. Default: the old one plus 1 (a dialog passes its own). */
  readonly cseq?: number
  readonly ids?: SipIdGenerator
}

/**
 * `request` again with credentials for the challenge in `challengeResponse` (a 401 with
 * WWW-Authenticate or a 407 with Proxy-Authenticate), or null when it holds no Digest
 * challenge we can answer (an unknown algorithm, none at all): the 401/407 then stands.
 *
 * §22.2: "Once authentication credentials have been supplied ... the client SHOULD re-originate
 * the request with the same Call-ID, To, From, and Request-URI, ... The CSeq header field value
 * MUST be incremented by one" (and §8.1.3.5 adds that the new request is a new transaction, so
 * the top Via gets a new branch). Credentials already present for the same realm (a `stale`
 * nonce) are replaced; others are kept, as several proxies may each ask for theirs (§22.3).
 * The first Digest challenge with an algorithm digest.ts computes is answered.
 */
export function withAuthorization(
  request: SipRequest,
  challengeResponse: SipResponse,
  credentials: DigestCredentials,
  nonceCount: number,
  cnonce: string,
  options: AuthorizationOptions = {},
): SipRequest | null {
  const challengeHeader =
    challengeResponse.status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate'
  const answerHeader = ANSWER_HEADER[challengeHeader]
  const challenge = firstUsableChallenge(challengeResponse.headers.getLines(challengeHeader))
  if (challenge === null) {
    return null
  }
  const value = authorizationHeaderValue({
    challenge,
    credentials,
    method: request.method,
    uri: request.uri,
    body: request.body,
    nonceCount,
    cnonce,
  })
  const oldSeq = parseCSeq(request.headers.get('CSeq') ?? '').seq
  const topVia = parseVia(request.headers.get('Via') ?? '')
  const headers = new SipHeaders()
  let viaDone = false
  for (const [name, line] of request.headers) {
    const key = name.toLowerCase()
    if (key === 'via' && !viaDone) {
      // Only our own (top) Via: a UAC's request has just the one.
      const params = new Map(topVia.params)
      params.delete('branch')
      headers.append(
        'Via',
        formatVia({
          protocol: topVia.protocol,
          transport: topVia.transport,
          host: topVia.host,
          ...(topVia.port === undefined ? {} : { port: topVia.port }),
          params,
          branch: newBranch(options.ids ?? randomSipIds),
        }),
      )
      viaDone = true
    } else if (key === 'cseq') {
      headers.append(
        'CSeq',
        formatCSeq({ seq: options.cseq ?? oldSeq + 1, method: request.method }),
      )
    } else if (key === answerHeader.toLowerCase() && realmOf(line) === challenge.realm) {
      // replaced below
    } else if (key !== 'via') {
      headers.append(name, line)
    }
  }
  headers.append(answerHeader, value)
  return { ...request, headers }
}

function realmOf(credentialsLine: string): string | undefined {
  try {
    return parseAuthHeader(credentialsLine).params.get('realm')
  } catch {
    return undefined
  }
}

function firstUsableChallenge(lines: readonly string[]): DigestChallenge | null {
  for (const line of lines) {
    let parsed: DigestChallengeHeader
    try {
      parsed = parseDigestChallenge(line)
    } catch {
      continue // another scheme (Basic…) or a malformed one: try the next
    }
    const algorithm = digestAlgorithmFrom(parsed.algorithm ?? 'MD5')
    if (algorithm === null) {
      continue
    }
    const qop = parsed.qop
      .map((option) => option.toLowerCase())
      .filter((option): option is DigestQop => option === 'auth' || option === 'auth-int')
    if (parsed.qop.length > 0 && qop.length === 0) {
      continue // only qop options we do not know
    }
    return {
      realm: parsed.realm,
      nonce: parsed.nonce,
      algorithm,
      ...(parsed.opaque === undefined ? {} : { opaque: parsed.opaque }),
      ...(qop.length === 0 ? {} : { qop }),
    }
  }
  return null
}
