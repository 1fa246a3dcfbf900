/**
 * Typed readers and builders for the header fields a user agent acts on: Via, the name-addr
 * headers (From, To, Contact, Route…), CSeq, Call-ID, Max-Forwards, Expires, the session timer
 * headers of RFC 4028, and the Digest challenge and credentials of RFC 3261 §22 (RFC 2617
 * syntax). Each reader takes one header value, as SipHeaders.get/getAll return it, and gives a
 * plain object or throws a SipParseError ('bad-header'); each builder takes the object back and
 * gives the value, refusing ('bad-argument') what would not parse.
 *
 * The digest computation itself lives in digest.ts; this file only reads and writes the fields.
 */
import {
  MAX_DELTA_SECONDS,
  formatParams,
  isToken,
  isWsp,
  parseDeltaSeconds,
  parseParams,
  quote,
  readQuotedString,
  splitOutside,
  trimLws,
  type SipParams,
} from './sip-grammar.js'
import { SipParseError } from './sip-parse-error.js'
import { formatHostPort, formatUri, isAbsoluteUri, parseHostPort, type Uri } from './sip-uri.js'

function bad(message: string): never {
  throw new SipParseError('bad-header', message)
}

function badArgument(message: string): never {
  throw new SipParseError('bad-argument', message)
}

// ---- Via (RFC 3261 §20.42, §18.2.1; RFC 3581) ------------------------------------------------

/**
 * RFC 3261 §8.1.1.7: "The branch ID inserted by an element compliant with this specification
 * MUST always begin with the characters "z9hG4bK"."
 */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK'

/**
 *     via-parm         = sent-protocol LWS sent-by *( SEMI via-params )
 *     sent-protocol    = protocol-name SLASH protocol-version SLASH transport
 *     sent-by          = host [ COLON port ]
 *     via-params       = via-ttl / via-maddr / via-received / via-branch / via-extension
 */
export interface Via {
  /** `SIP/2.0`. */
  readonly protocol: string
  /** Upper-cased: `UDP`, `TCP`, `TLS`… */
  readonly transport: string
  readonly host: string
  readonly port: number | undefined
  /** Every parameter, branch and the rest included (lower-case names, values as written). */
  readonly params: SipParams
  readonly branch: string | undefined
  /** The source address a server saw, added by it (RFC 3261 §18.2.1). */
  readonly received: string | undefined
  /** RFC 3581: the source port a server filled in, or null where the client only asks for it. */
  readonly rport: number | null | undefined
}

export interface ViaInit {
  readonly protocol?: string
  readonly transport: string
  readonly host: string
  readonly port?: number
  /** Other parameters, written first, in order; the fields below replace their namesakes. */
  readonly params?: SipParams
  readonly branch?: string
  readonly received?: string
  /** A number, or null for the bare `;rport` a client adds to ask for it. */
  readonly rport?: number | null
}

/** Reads one via-parm (one element of getAll('Via')). */
export function parseVia(value: string): Via {
  const [first = '', ...paramParts] = splitOutside(value, ';')
  const slash1 = first.indexOf('/')
  const slash2 = slash1 < 0 ? -1 : first.indexOf('/', slash1 + 1)
  if (slash2 < 0) {
    bad(`Via without a sent-protocol: "${value}"`)
  }
  const name = trimLws(first.slice(0, slash1))
  const version = trimLws(first.slice(slash1 + 1, slash2))
  const tail = first.slice(slash2 + 1).replace(/^[ \t]+/, '')
  const space = tail.search(/[ \t]/)
  const transport = space < 0 ? tail : tail.slice(0, space)
  if (!isToken(name) || !isToken(version) || !isToken(transport) || space < 0) {
    bad(`bad Via sent-protocol or no sent-by: "${value}"`)
  }
  const { host, port } = parseHostPort(trimLws(tail.slice(space)), 'bad-header')
  const params = parseParams(paramParts, 'Via')
  const branch = params.get('branch')
  if (branch === null || (branch !== undefined && !isToken(branch))) {
    bad(`bad Via branch in "${value}"`)
  }
  const received = params.get('received')
  if (received === null || received === '') {
    bad(`Via received without a value in "${value}"`)
  }
  const rportText = params.get('rport')
  let rport: number | null | undefined = rportText === null ? null : undefined
  if (typeof rportText === 'string') {
    if (!/^[0-9]{1,5}$/.test(rportText) || Number(rportText) > 65535) {
      bad(`bad Via rport in "${value}"`)
    }
    rport = Number(rportText)
  }
  return {
    protocol: `${name.toUpperCase()}/${version}`,
    transport: transport.toUpperCase(),
    host,
    port,
    params,
    branch,
    received,
    rport,
  }
}

export function formatVia(via: ViaInit): string {
  const protocol = via.protocol ?? 'SIP/2.0'
  if (!/^[A-Za-z0-9\-.!%*_+`'~]+\/[A-Za-z0-9\-.!%*_+`'~]+$/.test(protocol)) {
    badArgument(`bad Via protocol "${protocol}"`)
  }
  if (!isToken(via.transport)) {
    badArgument(`bad Via transport "${via.transport}"`)
  }
  const params = new Map(via.params ?? [])
  if (via.branch !== undefined) {
    if (!isToken(via.branch)) {
      badArgument(`bad branch "${via.branch}"`)
    }
    params.set('branch', via.branch)
  }
  if (via.received !== undefined) {
    params.set('received', via.received)
  }
  if (via.rport !== undefined) {
    params.set('rport', via.rport === null ? null : String(via.rport))
  }
  const sentBy = formatHostPort(via.host, via.port)
  return `${protocol}/${via.transport.toUpperCase()} ${sentBy}${formatParams(params)}`
}

// ---- name-addr: From, To, Contact, Route, Record-Route (RFC 3261 §20.10, §20.20, §20.39) -------

/**
 *     name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *     display-name = *(token LWS)/ quoted-string
 *     from-spec    = ( name-addr / addr-spec ) *( SEMI from-param )
 *
 * §20.10: "Even if the "display-name" is empty, the "name-addr" form MUST be used if the
 * "addr-spec" contains a comma, semicolon, or question mark", so without angle brackets the
 * URI ends at the first `;` and what follows are header parameters.
 */
export interface NameAddr {
  /** Unquoted; undefined when there is none. */
  readonly displayName: string | undefined
  /** The URI as written; parseUri reads sip:, sips: and tel:. */
  readonly uri: string
  /** Header parameters (tag, expires, q, +sip.instance…): lower-case names, values as written. */
  readonly params: SipParams
  readonly tag: string | undefined
  /** Contact's `expires` parameter (RFC 3261 §20.10, §10.2.1.1), in seconds. */
  readonly expires: number | undefined
}

export interface NameAddrInit {
  readonly displayName?: string
  readonly uri: string | Uri
  readonly params?: SipParams
  readonly tag?: string
  readonly expires?: number
}

/** Contact's wildcard, meaning all bindings, in a REGISTER that removes them (§10.2.2). */
export const CONTACT_WILDCARD = '*'

/** Reads one name-addr or addr-spec with its parameters (one element of getAll('Contact')). */
export function parseNameAddr(value: string): NameAddr {
  const text = trimLws(value)
  let displayName: string | undefined
  let uri: string
  let rest: string
  if (text.startsWith('"')) {
    const quoted = readQuotedString(text, 0)
    displayName = quoted.value
    ;({ uri, rest } = readAngled(trimLws(text.slice(quoted.end)), value))
  } else {
    const angle = text.indexOf('<')
    if (angle >= 0) {
      const before = trimLws(text.slice(0, angle))
      if (/[";,>]/.test(before)) {
        bad(`bad display name in "${value}"`)
      }
      displayName = before === '' ? undefined : before
      ;({ uri, rest } = readAngled(text.slice(angle), value))
    } else {
      const semicolon = text.indexOf(';')
      uri = trimLws(semicolon < 0 ? text : text.slice(0, semicolon))
      rest = semicolon < 0 ? '' : text.slice(semicolon)
    }
  }
  if (!isAbsoluteUri(uri)) {
    bad(`bad URI "${uri}" in "${value}"`)
  }
  rest = trimLws(rest)
  if (rest !== '' && !rest.startsWith(';')) {
    bad(`text after the address in "${value}"`)
  }
  const params = parseParams(rest === '' ? [] : splitOutside(rest.slice(1), ';'), 'name-addr')
  const tag = params.get('tag')
  if (tag === null || (tag !== undefined && !isToken(tag))) {
    bad(`bad tag in "${value}"`)
  }
  const expiresText = params.get('expires')
  if (expiresText === null) {
    bad(`expires without a value in "${value}"`)
  }
  const expires =
    expiresText === undefined ? undefined : parseDeltaSeconds(expiresText, 'Contact expires')
  return { displayName, uri, params, tag, expires }
}

function readAngled(text: string, value: string): { uri: string; rest: string } {
  const close = text.indexOf('>')
  if (!text.startsWith('<') || close < 0) {
    bad(`expected <URI> in "${value}"`)
  }
  return { uri: trimLws(text.slice(1, close)), rest: text.slice(close + 1) }
}

/** Always the name-addr form, so the URI's own `;` and `?` stay inside the brackets. */
export function formatNameAddr(init: NameAddrInit): string {
  const uri = typeof init.uri === 'string' ? init.uri : formatUri(init.uri)
  if (!isAbsoluteUri(uri)) {
    badArgument(`bad URI "${uri}"`)
  }
  const params = new Map(init.params ?? [])
  if (init.tag !== undefined) {
    if (!isToken(init.tag)) {
      badArgument(`bad tag "${init.tag}"`)
    }
    params.set('tag', init.tag)
  }
  if (init.expires !== undefined) {
    params.set('expires', formatDelta(init.expires))
  }
  const name = init.displayName === undefined ? '' : `${quote(init.displayName)} `
  return `${name}<${uri}>${formatParams(params)}`
}

// ---- CSeq, Call-ID, Max-Forwards, Expires (RFC 3261 §20.16, §20.8, §20.22, §20.19) -----------

export interface CSeq {
  readonly seq: number
  readonly method: string
}

/**
 *     CSeq = "CSeq" HCOLON 1*DIGIT LWS Method
 *
 * §8.1.1.5: "The sequence number MUST be expressible as a 32-bit unsigned integer".
 */
export function parseCSeq(value: string): CSeq {
  const match = /^([0-9]{1,10})[ \t]+([^ \t]+)$/.exec(trimLws(value))
  const seq = Number(match?.[1])
  const method = match?.[2] ?? ''
  if (!match || seq > 2 ** 32 - 1 || !isToken(method)) {
    bad(`bad CSeq "${value}"`)
  }
  return { seq, method }
}

export function formatCSeq(cseq: CSeq): string {
  if (!Number.isInteger(cseq.seq) || cseq.seq < 0 || cseq.seq > 2 ** 32 - 1) {
    badArgument(`bad CSeq number ${cseq.seq}`)
  }
  if (!isToken(cseq.method)) {
    badArgument(`bad method "${cseq.method}"`)
  }
  return `${cseq.seq} ${cseq.method}`
}

/**
 *     callid = word [ "@" word ]
 *     word   = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" /
 *              "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}" )
 *
 * Call-IDs compare case-sensitively (§20.8), so the value is returned as it is.
 */
export function parseCallId(value: string): string {
  const callId = trimLws(value)
  if (
    !/^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(?:@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?$/.test(
      callId,
    )
  ) {
    bad(`bad Call-ID "${value}"`)
  }
  return callId
}

/** §8.1.1.6: "The Max-Forwards value is an integer in the range 0-255". */
export function parseMaxForwards(value: string): number {
  const text = trimLws(value)
  if (!/^[0-9]{1,3}$/.test(text) || Number(text) > 255) {
    bad(`bad Max-Forwards "${value}"`)
  }
  return Number(text)
}

/** Expires = "Expires" HCOLON delta-seconds, clamped to 2³² − 1 (§20.19). */
export function parseExpires(value: string): number {
  return parseDeltaSeconds(value, 'Expires')
}

function formatDelta(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_DELTA_SECONDS) {
    badArgument(`bad delta-seconds ${seconds}`)
  }
  return String(seconds)
}

// ---- Session timers (RFC 4028 §4) --------------------------------------------------------------

/** RFC 4028 §4: the Min-SE floor, "MUST NOT be less than 90 seconds". */
export const MIN_SESSION_EXPIRES_SECONDS = 90

/**
 *     Session-Expires  = ("Session-Expires" / "x") HCOLON delta-seconds *(SEMI se-params)
 *     se-params        = refresher-param / generic-param
 *     refresher-param  = "refresher" EQUAL  ("uas" / "uac")
 */
export interface SessionExpires {
  readonly deltaSeconds: number
  /** Who refreshes; undefined when the header leaves it to the answerer to choose. */
  readonly refresher: 'uac' | 'uas' | undefined
  readonly params: SipParams
}

export function parseSessionExpires(value: string): SessionExpires {
  const [delta = '', ...paramParts] = splitOutside(value, ';')
  const deltaSeconds = parseDeltaSeconds(delta, 'Session-Expires')
  const params = parseParams(paramParts, 'Session-Expires')
  const refresherText = params.get('refresher')?.toLowerCase()
  let refresher: 'uac' | 'uas' | undefined
  if (refresherText === 'uac' || refresherText === 'uas') {
    refresher = refresherText
  } else if (params.has('refresher')) {
    bad(`bad refresher in Session-Expires "${value}"`)
  }
  return { deltaSeconds, refresher, params }
}

export function formatSessionExpires(init: {
  readonly deltaSeconds: number
  readonly refresher?: 'uac' | 'uas'
}): string {
  const refresher = init.refresher === undefined ? '' : `;refresher=${init.refresher}`
  if (init.refresher !== undefined && init.refresher !== 'uac' && init.refresher !== 'uas') {
    badArgument(`bad refresher ${String(init.refresher)}`)
  }
  return `${formatDelta(init.deltaSeconds)}${refresher}`
}

/** Min-SE = "Min-SE" HCOLON delta-seconds *(SEMI generic-param): the seconds. */
export function parseMinSe(value: string): number {
  const [delta = '', ...paramParts] = splitOutside(value, ';')
  parseParams(paramParts, 'Min-SE')
  return parseDeltaSeconds(delta, 'Min-SE')
}

export function formatMinSe(deltaSeconds: number): string {
  return formatDelta(deltaSeconds)
}

// ---- Authentication: WWW-Authenticate, Proxy-Authenticate, (Proxy-)Authorization (§22, §25) ---

/**
 *     challenge   = ("Digest" LWS digest-cln *(COMMA digest-cln)) / other-challenge
 *     auth-param  = auth-param-name EQUAL ( token / quoted-string )
 *
 * The commas between parameters are why these headers are never split by getAll: a quoted
 * qop list ("auth,auth-int") or a nonce may hold commas of its own.
 */
export interface AuthHeader {
  /** As written: `Digest`, `Basic`… (compare case-insensitively). */
  readonly scheme: string
  /** Lower-case names; quoted values unquoted. */
  readonly params: ReadonlyMap<string, string>
}

const AUTH_PARAM_NAME = /[A-Za-z0-9\-.!%*_+`'~]+/y
/** A bare value: a token, leniently (anything up to white space, a comma or a quote). */
const AUTH_PARAM_TOKEN = /[^\s,"]+/y

/** Reads a challenge or credentials of any scheme in the auth-param form. */
export function parseAuthHeader(value: string): AuthHeader {
  const text = trimLws(value)
  const space = text.search(/[ \t]/)
  const scheme = space < 0 ? text : text.slice(0, space)
  if (!isToken(scheme)) {
    bad(`bad authentication scheme in "${value}"`)
  }
  const params = new Map<string, string>()
  let at = space < 0 ? text.length : space
  const skipLws = (): void => {
    while (at < text.length && isWsp(text.charCodeAt(at))) {
      at++
    }
  }
  skipLws()
  while (at < text.length) {
    AUTH_PARAM_NAME.lastIndex = at
    const nameMatch = AUTH_PARAM_NAME.exec(text)
    if (!nameMatch) {
      bad(`bad auth-param at ${at} in "${value}"`)
    }
    const name = nameMatch[0].toLowerCase()
    at += nameMatch[0].length
    skipLws()
    if (text[at] !== '=') {
      bad(`auth-param ${name} without "=" in "${value}"`)
    }
    at++
    skipLws()
    let paramValue: string
    if (text[at] === '"') {
      const quoted = readQuotedString(text, at)
      paramValue = quoted.value
      at = quoted.end
    } else {
      AUTH_PARAM_TOKEN.lastIndex = at
      const token = AUTH_PARAM_TOKEN.exec(text)
      if (!token) {
        bad(`auth-param ${name} without a value in "${value}"`)
      }
      paramValue = token[0]
      at += paramValue.length
    }
    if (params.has(name)) {
      bad(`auth-param ${name} given twice in "${value}"`)
    }
    params.set(name, paramValue)
    skipLws()
    if (at < text.length) {
      if (text[at] !== ',') {
        bad(`expected "," at ${at} in "${value}"`)
      }
      at++
      skipLws()
    }
  }
  return { scheme, params }
}

/** A Digest challenge from a 401's WWW-Authenticate or a 407's Proxy-Authenticate. */
export interface DigestChallengeHeader {
  readonly realm: string
  readonly nonce: string
  readonly opaque: string | undefined
  /** As sent (`MD5`, `MD5-sess`, `SHA-256`…); RFC 2617 §3.2.1: absent means MD5. */
  readonly algorithm: string | undefined
  /** The qop-options offered (`auth`, `auth-int`); empty for an RFC 2069 challenge. */
  readonly qop: readonly string[]
  /** RFC 2617 §3.2.1: "the previous request from the client was rejected because the nonce
   * value was stale" — retry with the new nonce without asking the user again. */
  readonly stale: boolean
  readonly domain: string | undefined
  /** Every parameter, the ones above included. */
  readonly params: ReadonlyMap<string, string>
}

export function parseDigestChallenge(value: string): DigestChallengeHeader {
  const { scheme, params } = parseAuthHeader(value)
  if (scheme.toLowerCase() !== 'digest') {
    bad(`not a Digest challenge: "${value}"`)
  }
  const realm = params.get('realm')
  const nonce = params.get('nonce')
  if (realm === undefined || nonce === undefined) {
    bad(`Digest challenge without realm or nonce: "${value}"`)
  }
  const qop = (params.get('qop') ?? '')
    .split(',')
    .map((option) => trimLws(option))
    .filter((option) => option !== '')
  return {
    realm,
    nonce,
    opaque: params.get('opaque'),
    algorithm: params.get('algorithm'),
    qop,
    stale: params.get('stale')?.toLowerCase() === 'true',
    domain: params.get('domain'),
    params,
  }
}

export interface DigestChallengeInit {
  readonly realm: string
  readonly nonce: string
  readonly opaque?: string
  readonly algorithm?: string
  readonly qop?: readonly string[]
  readonly stale?: boolean
  readonly domain?: string
}

/** `Digest realm="…", nonce="…", …` with the quoting of RFC 3261 §25 (digest-cln). */
export function formatDigestChallenge(init: DigestChallengeInit): string {
  const parts = [`realm=${quote(init.realm)}`]
  if (init.domain !== undefined) {
    parts.push(`domain=${quote(init.domain)}`)
  }
  parts.push(`nonce=${quote(init.nonce)}`)
  if (init.opaque !== undefined) {
    parts.push(`opaque=${quote(init.opaque)}`)
  }
  if (init.stale !== undefined) {
    parts.push(`stale=${init.stale ? 'TRUE' : 'FALSE'}`)
  }
  if (init.algorithm !== undefined) {
    parts.push(`algorithm=${authToken(init.algorithm)}`)
  }
  if (init.qop !== undefined && init.qop.length > 0) {
    parts.push(`qop=${quote(init.qop.map(authToken).join(','))}`)
  }
  return `Digest ${parts.join(', ')}`
}

/** Digest credentials from an Authorization or Proxy-Authorization header. */
export interface DigestCredentialsHeader {
  readonly username: string
  readonly realm: string
  readonly nonce: string
  readonly uri: string
  readonly response: string
  readonly algorithm: string | undefined
  readonly cnonce: string | undefined
  readonly opaque: string | undefined
  readonly qop: string | undefined
  /** nc: the nonce count, 8 hex digits as sent. */
  readonly nc: string | undefined
  readonly params: ReadonlyMap<string, string>
}

export function parseDigestCredentials(value: string): DigestCredentialsHeader {
  const { scheme, params } = parseAuthHeader(value)
  if (scheme.toLowerCase() !== 'digest') {
    bad(`not Digest credentials: "${value}"`)
  }
  const required = (name: string): string =>
    params.get(name) ?? bad(`Digest credentials without ${name}: "${value}"`)
  return {
    username: required('username'),
    realm: required('realm'),
    nonce: required('nonce'),
    uri: required('uri'),
    response: required('response'),
    algorithm: params.get('algorithm'),
    cnonce: params.get('cnonce'),
    opaque: params.get('opaque'),
    qop: params.get('qop'),
    nc: params.get('nc'),
    params,
  }
}

export type DigestCredentialsInit = Omit<
  DigestCredentialsHeader,
  'params' | 'algorithm' | 'cnonce' | 'opaque' | 'qop' | 'nc'
> &
  Partial<Pick<DigestCredentialsHeader, 'algorithm' | 'cnonce' | 'opaque' | 'qop' | 'nc'>>

/**
 * `Digest username="…", …`. RFC 3261 §25 quotes username, realm, nonce, uri, response, cnonce
 * and opaque, and leaves algorithm, qop (message-qop) and nc (8LHEX) bare.
 */
export function formatDigestCredentials(init: DigestCredentialsInit): string {
  const parts = [
    `username=${quote(init.username)}`,
    `realm=${quote(init.realm)}`,
    `nonce=${quote(init.nonce)}`,
    `uri=${quote(init.uri)}`,
    `response=${quote(init.response)}`,
  ]
  if (init.algorithm !== undefined) {
    parts.push(`algorithm=${authToken(init.algorithm)}`)
  }
  if (init.cnonce !== undefined) {
    parts.push(`cnonce=${quote(init.cnonce)}`)
  }
  if (init.opaque !== undefined) {
    parts.push(`opaque=${quote(init.opaque)}`)
  }
  if (init.qop !== undefined) {
    parts.push(`qop=${authToken(init.qop)}`)
  }
  if (init.nc !== undefined) {
    if (!/^[0-9a-fA-F]{8}$/.test(init.nc)) {
      badArgument(`nc must be 8 hex digits, not "${init.nc}"`)
    }
    parts.push(`nc=${init.nc}`)
  }
  return `Digest ${parts.join(', ')}`
}

function authToken(text: string): string {
  if (!isToken(text)) {
    badArgument(`"${text}" is not a token`)
  }
  return text
}
