/**
 * SIP messages as data: a request or a response, its header fields in order, and its body
 * octets; parseSipMessage turns one datagram into one, serializeSipMessage turns one back into
 * octets. This is RFC 3261 §7 (message format) with §18.3 (framing) for datagrams. It does no
 * I/O and knows nothing of transactions or dialogs; the transaction layer reads the headers it
 * needs through sip-headers.ts, after checkMandatoryHeaders has vouched for them.
 *
 * Parsing is total and bounded: any octets parse or throw a SipParseError, and the work is
 * linear in at most MAX_MESSAGE_OCTETS. On parse, compact header names are expanded, folded
 * lines are unfolded, CRLFs before the start line are skipped (§7.5), bare LF line ends are
 * accepted, and Content-Length decides where the body ends. On serialize, lines end in CRLF
 * and Content-Length is always written from the body's length.
 */
import { concatOctets } from '../../shared/octets.js'
import { hasControl, isToken, isWsp, splitOutside, trimLws } from './sip-grammar.js'
import {
  parseCSeq,
  parseCallId,
  parseMaxForwards,
  parseNameAddr,
  parseVia,
  type CSeq,
  type NameAddr,
  type Via,
} from './sip-headers.js'
import { SipParseError, type PartialSipRequest, type SipParseErrorCode } from './sip-parse-error.js'
import { isAbsoluteUri } from './sip-uri.js'

/** The largest message parsed. A UDP datagram cannot be larger; a TCP stream can. */
export const MAX_MESSAGE_OCTETS = 65_536
/** The most header fields (lines once unfolded) in one message. */
export const MAX_HEADER_FIELDS = 200
/** The longest start line, header line, or header once unfolded. */
export const MAX_LINE_OCTETS = 8_192

export interface SipRequest {
  readonly kind: 'request'
  /** Case-sensitive (§7.1): `INVITE`, `ACK`, `BYE`, `CANCEL`, `REGISTER`, `OPTIONS`… */
  readonly method: string
  /** The Request-URI as written; parseUri reads it. */
  readonly uri: string
  readonly headers: SipHeaders
  readonly body: Uint8Array
}

export interface SipResponse {
  readonly kind: 'response'
  /** 100–699. */
  readonly status: number
  readonly reason: string
  readonly headers: SipHeaders
  readonly body: Uint8Array
}

export type SipMessage = SipRequest | SipResponse

/**
 * Compact forms: RFC 3261 §7.3.3 (i m e l c f s k t v), RFC 6665 (o Event, u Allow-Events),
 * RFC 3515 (r Refer-To), RFC 3892 (b Referred-By), RFC 4028 (x Session-Expires), RFC 3841
 * (a Accept-Contact, j Reject-Contact, d Request-Disposition), RFC 8224 (y Identity).
 */
const COMPACT_FORMS = new Map([
  ['i', 'Call-ID'],
  ['m', 'Contact'],
  ['e', 'Content-Encoding'],
  ['l', 'Content-Length'],
  ['c', 'Content-Type'],
  ['f', 'From'],
  ['s', 'Subject'],
  ['k', 'Supported'],
  ['t', 'To'],
  ['v', 'Via'],
  ['o', 'Event'],
  ['u', 'Allow-Events'],
  ['r', 'Refer-To'],
  ['b', 'Referred-By'],
  ['x', 'Session-Expires'],
  ['a', 'Accept-Contact'],
  ['j', 'Reject-Contact'],
  ['d', 'Request-Disposition'],
  ['y', 'Identity'],
])

/** Headers whose spelling we write as the RFCs do, whatever case they arrived in. */
const CANONICAL_NAMES = new Map(
  [
    ...COMPACT_FORMS.values(),
    'Accept',
    'Accept-Encoding',
    'Accept-Language',
    'Alert-Info',
    'Allow',
    'Authentication-Info',
    'Authorization',
    'Call-Info',
    'Content-Disposition',
    'Content-Language',
    'CSeq',
    'Date',
    'Error-Info',
    'Expires',
    'History-Info',
    'In-Reply-To',
    'Max-Forwards',
    'Min-Expires',
    'Min-SE',
    'MIME-Version',
    'Organization',
    'P-Asserted-Identity',
    'P-Preferred-Identity',
    'Path',
    'Priority',
    'Privacy',
    'Proxy-Authenticate',
    'Proxy-Authorization',
    'Proxy-Require',
    'RAck',
    'Reason',
    'Record-Route',
    'Reply-To',
    'Require',
    'Retry-After',
    'Route',
    'RSeq',
    'Server',
    'Service-Route',
    'Timestamp',
    'Unsupported',
    'User-Agent',
    'Warning',
    'WWW-Authenticate',
  ].map((name) => [name.toLowerCase(), name]),
)

/**
 * Headers whose grammar is a comma list (`#element`, RFC 3261 §7.3.1: "it MUST be possible to
 * combine the multiple header field rows into one "field-name: field-value" pair"). Others are
 * never split: WWW-Authenticate, Authorization and Proxy-* carry commas between parameters of
 * one challenge, Date has one after the weekday, and unknown headers may be anything.
 */
const LIST_HEADERS = new Set([
  'accept',
  'accept-contact',
  'accept-encoding',
  'accept-language',
  'alert-info',
  'allow',
  'allow-events',
  'call-info',
  'contact',
  'content-encoding',
  'content-language',
  'error-info',
  'history-info',
  'in-reply-to',
  'p-asserted-identity',
  'p-preferred-identity',
  'path',
  'proxy-require',
  'reason',
  'record-route',
  'reject-contact',
  'request-disposition',
  'require',
  'route',
  'service-route',
  'supported',
  'unsupported',
  'via',
  'warning',
])

/** The name as we store and write it: compact forms expanded, known names spelled as the RFCs. */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase()
  return COMPACT_FORMS.get(lower) ?? CANONICAL_NAMES.get(lower) ?? name
}

function keyOf(name: string): string {
  return canonicalHeaderName(name).toLowerCase()
}

interface Field {
  readonly name: string
  readonly key: string
  readonly value: string
}

/**
 * The header fields of one message, in order, repeats kept. Names are looked up without
 * regard to case or compact form (`get('v')`, `get('VIA')` and `get('Via')` are one header).
 * Values are stored trimmed; a name that is not a token or a value with CR, LF or another
 * control character is refused ('bad-argument').
 */
export class SipHeaders implements Iterable<readonly [name: string, value: string]> {
  #fields: Field[] = []

  constructor(entries: Iterable<readonly [name: string, value: string]> = []) {
    for (const [name, value] of entries) {
      this.append(name, value)
    }
  }

  /** The number of header lines. */
  get size(): number {
    return this.#fields.length
  }

  has(name: string): boolean {
    const key = keyOf(name)
    return this.#fields.some((field) => field.key === key)
  }

  /** The first value: for a list header (Via, Contact…) its first element, else the first line. */
  get(name: string): string | undefined {
    const key = keyOf(name)
    for (const field of this.#fields) {
      if (field.key === key) {
        if (!LIST_HEADERS.has(key)) {
          return field.value
        }
        const first = splitList(field.value)[0]
        if (first !== undefined) {
          return first
        }
      }
    }
    return undefined
  }

  /**
   * Every value in order. For a list header each line is split at commas outside quoted
   * strings and `<…>` (empty elements dropped); other headers give one value per line.
   */
  getAll(name: string): string[] {
    const key = keyOf(name)
    const values: string[] = []
    for (const field of this.#fields) {
      if (field.key === key) {
        if (LIST_HEADERS.has(key)) {
          values.push(...splitList(field.value))
        } else {
          values.push(field.value)
        }
      }
    }
    return values
  }

  /** Each line's value as it stands, never split. */
  getLines(name: string): string[] {
    const key = keyOf(name)
    return this.#fields.filter((field) => field.key === key).map((field) => field.value)
  }

  /** Replaces the first line of `name` in place and removes the others, or appends one. */
  set(name: string, value: string): this {
    const field = makeField(name, value)
    const at = this.#fields.findIndex((f) => f.key === field.key)
    if (at < 0) {
      this.#fields.push(field)
      return this
    }
    this.#fields = this.#fields.filter((f, i) => i <= at || f.key !== field.key)
    this.#fields[at] = field
    return this
  }

  /** Adds a line after all others. */
  append(name: string, value: string): this {
    this.#fields.push(makeField(name, value))
    return this
  }

  /** Adds a line before the first line of the same header (a new top Via), or first of all. */
  prepend(name: string, value: string): this {
    const field = makeField(name, value)
    const at = this.#fields.findIndex((f) => f.key === field.key)
    this.#fields.splice(Math.max(at, 0), 0, field)
    return this
  }

  /** Removes every line of `name`; true if there was one. */
  delete(name: string): boolean {
    const key = keyOf(name)
    const before = this.#fields.length
    this.#fields = this.#fields.filter((field) => field.key !== key)
    return this.#fields.length < before
  }

  clone(): SipHeaders {
    return new SipHeaders(this)
  }

  *entries(): IterableIterator<readonly [name: string, value: string]> {
    for (const field of this.#fields) {
      yield [field.name, field.value]
    }
  }

  [Symbol.iterator](): IterableIterator<readonly [name: string, value: string]> {
    return this.entries()
  }
}

function makeField(name: string, value: string): Field {
  const canonical = canonicalHeaderName(name)
  if (!isToken(canonical)) {
    throw new SipParseError('bad-argument', `"${name}" is not a header name`)
  }
  if (hasControl(value)) {
    throw new SipParseError('bad-argument', `a control character in the value of ${canonical}`)
  }
  return { name: canonical, key: canonical.toLowerCase(), value: trimLws(value) }
}

function splitList(value: string): string[] {
  return splitOutside(value, ',').filter((part) => part !== '')
}

// ---- parsing -------------------------------------------------------------------------------

const LF = 0x0a
const CR = 0x0d
const utf8 = new TextDecoder('utf-8')

type StartLine =
  | { readonly kind: 'request'; readonly method: string; readonly uri: string }
  | { readonly kind: 'response'; readonly status: number; readonly reason: string }

/** Thrown inside the parser; the caller adds the reply status and what was read. */
class Fault extends Error {
  readonly code: SipParseErrorCode
  readonly statusForReply: number

  constructor(code: SipParseErrorCode, message: string, statusForReply = 400) {
    super(message)
    this.code = code
    this.statusForReply = statusForReply
  }
}

/** Parses one datagram's worth of octets into a message, or throws a SipParseError. */
export function parseSipMessage(octets: Uint8Array): SipMessage {
  // §7.5: "Implementations processing SIP messages over stream-oriented transports MUST
  // ignore any CRLF appearing before the start-line"; datagrams get the same courtesy.
  let at = 0
  while (at < octets.length && (octets[at] === CR || octets[at] === LF)) {
    at++
  }
  if (at === octets.length) {
    throw new SipParseError('bad-start-line', 'no start line (empty, or only CRLF)')
  }
  let start: StartLine
  let requestLine: { method: string; uri: string } | undefined
  const fields: [string, string][] = []
  const partial = (): PartialSipRequest | undefined =>
    requestLine && { ...requestLine, headers: fields.map(([n, v]) => [n, v] as const) }
  const toError = (fault: Fault): SipParseError =>
    new SipParseError(fault.code, `SIP: ${fault.message}`, {
      statusForReply: requestLine ? fault.statusForReply : undefined,
      request: partial(),
    })
  try {
    const first = readLine(octets, at)
    at = first.next
    start = parseStartLine(first.text)
  } catch (error) {
    if (!(error instanceof Fault)) {
      throw error
    }
    // A request line with a bad method or URI but SIP/2.0 at its end is still a request that
    // deserves a 400; read what headers we can so that the reply can be built.
    const requestLike = error instanceof RequestLineFault ? error : undefined
    if (requestLike) {
      requestLine = { method: requestLike.method, uri: requestLike.uri }
      try {
        readHeaderSection(octets, at, fields)
      } catch (ignored) {
        if (!(ignored instanceof Fault)) {
          throw ignored
        }
      }
    }
    throw toError(error)
  }
  if (start.kind === 'request') {
    requestLine = { method: start.method, uri: start.uri }
  }
  try {
    if (octets.length > MAX_MESSAGE_OCTETS) {
      throw new Fault('too-large', `message of ${octets.length} octets`, 513)
    }
    const bodyStart = readHeaderSection(octets, at, fields)
    const headers = new SipHeaders(fields)
    const body = readBody(octets, bodyStart, headers)
    return start.kind === 'request'
      ? { kind: 'request', method: start.method, uri: start.uri, headers, body }
      : { kind: 'response', status: start.status, reason: start.reason, headers, body }
  } catch (error) {
    throw error instanceof Fault ? toError(error) : error
  }
}

/** A request line that ends in a SIP version but is bad otherwise (or is not SIP/2.0). */
class RequestLineFault extends Fault {
  readonly method: string
  readonly uri: string

  constructor(
    code: SipParseErrorCode,
    message: string,
    method: string,
    uri: string,
    statusForReply = 400,
  ) {
    super(code, message, statusForReply)
    this.method = method
    this.uri = uri
  }
}

/** The next line from `from`, without its CRLF or LF. */
function readLine(octets: Uint8Array, from: number): { text: string; next: number } {
  const window = octets.subarray(from, from + MAX_LINE_OCTETS + 2)
  const lf = window.indexOf(LF)
  if (lf < 0) {
    if (window.length === MAX_LINE_OCTETS + 2) {
      throw new Fault('too-large', `a line longer than ${MAX_LINE_OCTETS} octets`, 513)
    }
    throw new Fault('truncated', 'the header section does not end with an empty line')
  }
  const end = lf > 0 && window[lf - 1] === CR ? lf - 1 : lf
  if (end > MAX_LINE_OCTETS) {
    throw new Fault('too-large', `a line longer than ${MAX_LINE_OCTETS} octets`, 513)
  }
  return { text: utf8.decode(window.subarray(0, end)), next: from + lf + 1 }
}

const SIP_VERSION = /^SIP\/[0-9]+\.[0-9]+$/i

/**
 *     Request-Line = Method SP Request-URI SP SIP-Version CRLF
 *     Status-Line  = SIP-Version SP Status-Code SP Reason-Phrase CRLF
 *
 * §7.1: "The SIP-Version string is case-insensitive". A reason phrase may be empty, and we
 * accept a status line that leaves out the SP before it.
 */
function parseStartLine(line: string): StartLine {
  if (hasControl(line)) {
    throw new Fault('bad-start-line', 'a control character in the start line')
  }
  if (/^SIP\//i.test(line)) {
    const match = /^(\S+) ([0-9]{3})(?: (.*))?$/.exec(line)
    const version = match?.[1] ?? ''
    const status = Number(match?.[2])
    if (!match || !SIP_VERSION.test(version) || status < 100 || status > 699) {
      throw new Fault('bad-start-line', `bad status line "${line.slice(0, 80)}"`)
    }
    if (version.toUpperCase() !== 'SIP/2.0') {
      throw new Fault('unsupported-version', `${version} response`)
    }
    return { kind: 'response', status, reason: match[3] ?? '' }
  }
  const parts = line.split(' ')
  const version = parts[parts.length - 1] ?? ''
  if (parts.length < 2 || !SIP_VERSION.test(version)) {
    throw new Fault('bad-start-line', `not a SIP start line: "${line.slice(0, 80)}"`)
  }
  const [method = '', uri = ''] = parts
  if (version.toUpperCase() !== 'SIP/2.0') {
    // §8.2.2: a request of another version is answered 505 (Version Not Supported).
    throw new RequestLineFault('unsupported-version', `${version} request`, method, uri, 505)
  }
  if (parts.length !== 3 || !isToken(method) || !isAbsoluteUri(uri)) {
    throw new RequestLineFault(
      'bad-start-line',
      `bad request line "${line.slice(0, 80)}"`,
      method,
      uri,
    )
  }
  return { kind: 'request', method, uri }
}

/**
 * Reads header lines from `from` into `fields` up to the empty line, and returns where the
 * body starts.
 *
 *     message-header = field-name HCOLON field-value CRLF   (HCOLON = *( SP / HTAB ) ":" SWS)
 *
 * §7.3.1: "Header fields can be extended over multiple lines by preceding each extra line with
 * at least one SP or horizontal tab (HT)"; the fold and its white space count as one SP.
 */
function readHeaderSection(octets: Uint8Array, from: number, fields: [string, string][]): number {
  let at = from
  for (;;) {
    const { text, next } = readLine(octets, at)
    at = next
    if (text === '') {
      return at
    }
    if (hasControl(text)) {
      throw new Fault('bad-header', 'a control character in a header line')
    }
    if (isWsp(text.charCodeAt(0))) {
      const last = fields[fields.length - 1]
      if (last === undefined) {
        throw new Fault('bad-header', 'a continuation line before any header')
      }
      const more = trimLws(text)
      last[1] = last[1] === '' ? more : more === '' ? last[1] : `${last[1]} ${more}`
      if (last[1].length > MAX_LINE_OCTETS) {
        throw new Fault('too-large', `${last[0]} longer than ${MAX_LINE_OCTETS} once unfolded`, 513)
      }
      continue
    }
    const colon = text.indexOf(':')
    const name = colon < 0 ? '' : text.slice(0, colon).replace(/[ \t]+$/, '')
    if (!isToken(name)) {
      throw new Fault('bad-header', `bad header line "${text.slice(0, 80)}"`)
    }
    if (fields.length === MAX_HEADER_FIELDS) {
      throw new Fault('too-large', `more than ${MAX_HEADER_FIELDS} header fields`, 513)
    }
    fields.push([canonicalHeaderName(name), trimLws(text.slice(colon + 1))])
  }
}

/**
 * §18.3: "If the transport packet ends before the end of the message body, this is considered
 * an error. If the message is a response, it MUST be discarded. If the message is a request,
 * the element SHOULD generate a 400 (Bad Request) response. If there are additional bytes in
 * the transport packet beyond the end of the body, they MUST be discarded." and (§20.14) with
 * no Content-Length on a datagram, "the message body continues until the end of the datagram".
 */
function readBody(octets: Uint8Array, bodyStart: number, headers: SipHeaders): Uint8Array {
  const lengths = headers.getLines('Content-Length')
  if (lengths.length === 0) {
    return octets.slice(bodyStart)
  }
  const first = lengths[0] ?? ''
  if (!lengths.every((value) => /^[0-9]{1,10}$/.test(value) && Number(value) === Number(first))) {
    throw new Fault('bad-content-length', `bad Content-Length "${lengths.join('", "')}"`)
  }
  const length = Number(first)
  if (bodyStart + length > octets.length) {
    throw new Fault(
      'bad-content-length',
      `Content-Length ${length} but ${octets.length - bodyStart} octets follow the headers`,
    )
  }
  return octets.slice(bodyStart, bodyStart + length)
}

// ---- serializing ---------------------------------------------------------------------------

const utf8Encoder = new TextEncoder()

/** The message as octets: CRLF line ends, full header names, Content-Length from the body. */
export function serializeSipMessage(message: SipMessage): Uint8Array {
  let text: string
  if (message.kind === 'request') {
    if (!isToken(message.method) || !isAbsoluteUri(message.uri)) {
      throw new SipParseError('bad-argument', `bad request line "${message.method} ${message.uri}"`)
    }
    text = `${message.method} ${message.uri} SIP/2.0\r\n`
  } else {
    const { status, reason } = message
    if (!Number.isInteger(status) || status < 100 || status > 699 || hasControl(reason)) {
      throw new SipParseError('bad-argument', `bad status line ${status} "${reason}"`)
    }
    text = `SIP/2.0 ${status} ${reason}\r\n`
  }
  const headers = message.headers.clone().set('Content-Length', String(message.body.length))
  for (const [name, value] of headers) {
    text += `${name}: ${value}\r\n`
  }
  text += '\r\n'
  return concatOctets([utf8Encoder.encode(text), message.body])
}

// ---- validation ----------------------------------------------------------------------------

/**
 * §8.1.1: "A valid SIP request formulated by a UAC MUST, at a minimum, contain the following
 * header fields: To, From, CSeq, Call-ID, Max-Forwards, and Via; all of these header fields
 * are mandatory in all SIP requests." A response carries all of them but Max-Forwards (§8.2.6.2).
 */
export const MANDATORY_REQUEST_HEADERS = [
  'To',
  'From',
  'CSeq',
  'Call-ID',
  'Max-Forwards',
  'Via',
] as const
export const MANDATORY_RESPONSE_HEADERS = ['To', 'From', 'CSeq', 'Call-ID', 'Via'] as const

/** The mandatory headers, read. */
export interface MandatoryHeaders {
  /** Top first. */
  readonly via: readonly Via[]
  readonly from: NameAddr
  readonly to: NameAddr
  readonly callId: string
  readonly cseq: CSeq
  /** Undefined in a response. */
  readonly maxForwards: number | undefined
}

/**
 * Checks that the mandatory headers are there, once each (Via may repeat), and well formed,
 * and that a request's CSeq method is its own (§8.1.1.5: "The method MUST match that of the
 * request"). Throws a SipParseError ('missing-header' or 'bad-header'); for a request its
 * statusForReply is 400, and §8.2 and §16.3 step 1 say to send it.
 */
export function checkMandatoryHeaders(message: SipMessage): MandatoryHeaders {
  const isRequest = message.kind === 'request'
  const fail = (code: SipParseErrorCode, text: string, cause?: unknown): never => {
    throw new SipParseError(code, `SIP: ${text}`, {
      statusForReply: isRequest ? 400 : undefined,
      request: isRequest
        ? { method: message.method, uri: message.uri, headers: [...message.headers] }
        : undefined,
      cause,
    })
  }
  const names = isRequest ? MANDATORY_REQUEST_HEADERS : MANDATORY_RESPONSE_HEADERS
  for (const name of names) {
    const lines = message.headers.getLines(name)
    if (lines.length === 0 || (name === 'Via' && message.headers.getAll(name).length === 0)) {
      fail('missing-header', `Missing ${name}`)
    }
    if (name !== 'Via' && lines.length > 1) {
      fail('bad-header', `${name} given ${lines.length} times`)
    }
  }
  const read = <T>(name: string, reader: (value: string) => T): T => {
    try {
      return reader(message.headers.get(name) ?? '')
    } catch (error) {
      return fail('bad-header', `Bad ${name}: ${(error as Error).message}`, error)
    }
  }
  const via = read('Via', () => message.headers.getAll('Via').map(parseVia))
  const cseq = read('CSeq', parseCSeq)
  if (isRequest && cseq.method !== message.method) {
    fail('bad-header', `CSeq method ${cseq.method} in a ${message.method} request`)
  }
  return {
    via,
    from: read('From', parseNameAddr),
    to: read('To', parseNameAddr),
    callId: read('Call-ID', parseCallId),
    cseq,
    maxForwards: isRequest ? read('Max-Forwards', parseMaxForwards) : undefined,
  }
}
