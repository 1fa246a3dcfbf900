/**
 * SDP, the Session Description Protocol (RFC 4566): the text a SIP INVITE and its 200 carry
 * to say where each side wants its media (an audio stream of G.711 before the fax starts, a
 * T.38 `m=image … udptl t38` stream once it does). This file turns that text into a
 * SessionDescription and back, and knows nothing of audio or T.38: t38-sdp.ts reads the image
 * stream's attributes, sdp-offer-answer.ts the audio stream and our own descriptions.
 *
 * RFC 4566 §5: "An SDP session description consists of a number of lines of text of the form
 * <type>=<value> where <type> MUST be exactly one case-significant character and <value> is
 * structured text whose format depends on <type>." The lines come in a fixed order: session
 * lines (v, o, s, i, u, e, p, c, b, then t and r, then z, k, a), then for each stream an m line
 * followed by its own i, c, b, k and a lines.
 *
 * Parsing is total: any string either parses or throws an SdpError with a code. It is strict
 * where a mistake would send media to the wrong place (o, c, m, t, b lines must be well
 * formed, v must be 0, every stream needs a c line) and tolerant where peers are known to be
 * sloppy and nothing is lost by it, as §5 itself asks of line ends:
 *   - lines may end in LF alone ("parsers SHOULD be tolerant and also accept records terminated
 *     with a single newline character"), and blank lines are skipped;
 *   - fields may be separated by more than one space or a tab, and a line may end in spaces;
 *   - session-level lines may come in any order after v (only v must be first), since a
 *     misordered `a=` before `c=` changes nothing we read.
 * A line type RFC 4566 does not define fails the whole body, as §5 requires: "An SDP parser
 * MUST completely ignore any session description that contains a type letter that it does not
 * understand." Attributes we do not understand are kept, in order, for the reader to ignore.
 *
 * Bodies larger than MAX_SDP_CHARS, with more than MAX_SDP_LINES lines or a line longer than
 * MAX_SDP_LINE_CHARS are refused before any other work: a fax offer is well under 1 KB.
 */

/** The largest SDP body we read (characters). */
export const MAX_SDP_CHARS = 32_768
/** The most lines (not counting blank ones) an SDP body may have. */
export const MAX_SDP_LINES = 512
/** The longest single line. */
export const MAX_SDP_LINE_CHARS = 4096

export type SdpErrorCode =
  /** The body, its line count or one line is over the limits above. */
  | 'too-large'
  /** A line that is not `<letter>=<value>`, or that holds a NUL or a lone CR. */
  | 'bad-line'
  /** A type letter RFC 4566 does not define (§5: the whole description is ignored). */
  | 'unknown-type'
  /** A line where it may not be: v not first, a second o, a t inside a media section, … */
  | 'misplaced-line'
  /** No v, o, s or t line, or a stream with neither its own nor a session c line. */
  | 'missing-line'
  /** `v=` other than 0. */
  | 'bad-version'
  | 'bad-origin'
  /** Not `c=IN IP4 <address>` or `c=IN IP6 <address>`. */
  | 'bad-connection'
  | 'bad-bandwidth'
  | 'bad-time'
  /** An m line without media, port, protocol and at least one format, or a port over 65535. */
  | 'bad-media'
  /** An a line whose name is empty or not an RFC 4566 token. */
  | 'bad-attribute'
  /** formatSdp was given something it cannot write as SDP. */
  | 'bad-argument'

/** The one error the SDP parser and formatter throw. */
export class SdpError extends Error {
  override readonly name = 'SdpError'
  readonly code: SdpErrorCode

  constructor(code: SdpErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

/** o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (§5.2). */
export interface SdpOrigin {
  /** "-" when the host has no notion of user ids. */
  readonly username: string
  /** A numeric string in RFC 4566; kept as written, since peers differ in its size. */
  readonly sessionId: string
  /** Goes up by one each time the sender changes its description (RFC 3264 §8). */
  readonly sessionVersion: string
  readonly netType: string
  readonly addressType: string
  readonly address: string
}

/** c=IN <addrtype> <connection-address> (§5.7). Only the Internet network type is read. */
export interface SdpConnection {
  readonly addressType: 'IP4' | 'IP6'
  /** As written: an address, a host name, or for multicast `address/ttl[/count]`. */
  readonly address: string
}

/** b=<bwtype>:<bandwidth> (§5.8), e.g. `AS:64` (kilobits per second). */
export interface SdpBandwidth {
  readonly type: string
  readonly value: number
}

/** t=<start-time> <stop-time> (§5.9, NTP seconds; `t=0 0` is an unbounded session). */
export interface SdpTime {
  readonly start: number
  readonly stop: number
  /** The r lines after it (§5.10), as written. */
  readonly repeats: readonly string[]
}

/**
 * a=<attribute> (a property, `value` absent) or a=<attribute>:<value> (§5.13). Names are kept
 * as written; RFC 4566 makes them case-significant, though T.38 peers vary their case.
 */
export interface SdpAttribute {
  readonly name: string
  readonly value?: string
}

/** One media section: the m line (§5.14) and the lines after it. */
export interface SdpMedia {
  /** `audio`, `image`, `video`, … */
  readonly media: string
  /** 0 means the stream is declined or removed (RFC 3264 §6, §8.2). */
  readonly port: number
  /** `m=<media> <port>/<number of ports>`: present only when written. */
  readonly portCount?: number
  /** `RTP/AVP`, `udptl`, … */
  readonly proto: string
  /** RTP payload types, or `t38` for an image stream. */
  readonly formats: readonly string[]
  /** i= */
  readonly title?: string
  /** c= of this stream; when absent the session's applies (see mediaConnection). */
  readonly connection?: SdpConnection
  readonly bandwidths: readonly SdpBandwidth[]
  /** k= */
  readonly encryptionKey?: string
  /** In the order written. */
  readonly attributes: readonly SdpAttribute[]
}

export interface SessionDescription {
  readonly origin: SdpOrigin
  /** s= ("s= ", one space, when a session has no name). */
  readonly sessionName: string
  /** i= */
  readonly information?: string
  /** u= */
  readonly uri?: string
  /** e= lines */
  readonly emails: readonly string[]
  /** p= lines */
  readonly phones: readonly string[]
  readonly connection?: SdpConnection
  readonly bandwidths: readonly SdpBandwidth[]
  /** At least one. */
  readonly times: readonly SdpTime[]
  /** z= */
  readonly timeZones?: string
  /** k= */
  readonly encryptionKey?: string
  /** Session-level attributes, in the order written. */
  readonly attributes: readonly SdpAttribute[]
  readonly media: readonly SdpMedia[]
}

/** The address a stream's media goes to: its own c line, or else the session's (§5.7). */
export function mediaConnection(
  sd: SessionDescription,
  media: SdpMedia,
): SdpConnection | undefined {
  return media.connection ?? sd.connection
}

/** §9 token-char: visible ASCII except `"`, `(`, `)`, `,`, `/`, `:`, `;`, `<`…`@`, `[`, `\`, `]`. */
const TOKEN = /^[\x21\x23-\x27\x2a\x2b\x2d\x2e\x30-\x39\x41-\x5a\x5e-\x7e]+$/
/** proto = token *("/" token) */
const PROTO =
  /^[\x21\x23-\x27\x2a\x2b\x2d\x2e\x30-\x39\x41-\x5a\x5e-\x7e]+(?:\/[\x21\x23-\x27\x2a\x2b\x2d\x2e\x30-\x39\x41-\x5a\x5e-\x7e]+)*$/
/** A field of an o or c line (§9 non-ws-string): not empty, no blanks or control characters. */
const VISIBLE = { test: (field: string): boolean => field !== '' && !hasControlOrBlank(field) }

function hasControlOrBlank(field: string): boolean {
  for (let i = 0; i < field.length; i++) {
    const code = field.charCodeAt(i)
    if (code <= 0x20 || code === 0x7f) {
      return true
    }
  }
  return false
}
const DIGITS = /^[0-9]+$/
/** What no line may hold: NUL, or a CR that does not end the line (§9 byte-string). */
const FORBIDDEN = /[\0\r\n]/

/** The type letters of RFC 4566 §5, and the level each may appear at. */
const SESSION_ONLY = new Set(['v', 'o', 's', 'u', 'e', 'p', 't', 'r', 'z'])
const EITHER_LEVEL = new Set(['i', 'c', 'b', 'k', 'a', 'm'])

interface MediaDraft {
  media: string
  port: number
  portCount?: number
  proto: string
  formats: string[]
  title?: string
  connection?: SdpConnection
  bandwidths: SdpBandwidth[]
  encryptionKey?: string
  attributes: SdpAttribute[]
}

interface TimeDraft {
  start: number
  stop: number
  repeats: string[]
}

/** Parses an SDP body, or throws an SdpError. */
export function parseSdp(text: string): SessionDescription {
  if (typeof text !== 'string') {
    throw new SdpError('bad-argument', 'SDP: the body is not a string')
  }
  if (text.length > MAX_SDP_CHARS) {
    throw new SdpError('too-large', `SDP: ${text.length} characters (at most ${MAX_SDP_CHARS})`)
  }
  let origin: SdpOrigin | undefined
  let sessionName: string | undefined
  let information: string | undefined
  let uri: string | undefined
  let connection: SdpConnection | undefined
  let timeZones: string | undefined
  let encryptionKey: string | undefined
  const emails: string[] = []
  const phones: string[] = []
  const bandwidths: SdpBandwidth[] = []
  const times: TimeDraft[] = []
  const attributes: SdpAttribute[] = []
  const media: MediaDraft[] = []
  let current: MediaDraft | undefined
  let lineCount = 0

  const rawLines = text.split('\n')
  for (let index = 0; index < rawLines.length; index++) {
    const raw = rawLines[index] ?? ''
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.trim() === '') {
      continue
    }
    const at = `SDP line ${index + 1}`
    lineCount++
    if (lineCount > MAX_SDP_LINES) {
      throw new SdpError('too-large', `SDP: more than ${MAX_SDP_LINES} lines`)
    }
    if (line.length > MAX_SDP_LINE_CHARS) {
      throw new SdpError('too-large', `${at}: ${line.length} characters`)
    }
    if (FORBIDDEN.test(line)) {
      throw new SdpError('bad-line', `${at}: a NUL or a CR inside the line`)
    }
    // §5: "Whitespace MUST NOT be used on either side of the "=" sign."
    const type = line[0] ?? ''
    if (line[1] !== '=' || !/^[a-zA-Z]$/.test(type)) {
      throw new SdpError('bad-line', `${at}: not <letter>=<value>`)
    }
    const value = line.slice(2)
    if (!SESSION_ONLY.has(type) && !EITHER_LEVEL.has(type)) {
      throw new SdpError('unknown-type', `${at}: type letter "${type}" is not in RFC 4566`)
    }
    if (lineCount === 1 && type !== 'v') {
      throw new SdpError('missing-line', `${at}: an SDP body starts with v=`)
    }
    if (current !== undefined && SESSION_ONLY.has(type)) {
      throw new SdpError('misplaced-line', `${at}: ${type}= inside a media section`)
    }
    const once = <T>(previous: T | undefined, next: T): T => {
      if (previous !== undefined) {
        throw new SdpError('misplaced-line', `${at}: a second ${type}= line`)
      }
      return next
    }
    switch (type) {
      case 'v':
        if (lineCount !== 1) {
          throw new SdpError('misplaced-line', `${at}: v= after the first line`)
        }
        if (value.trim() !== '0') {
          throw new SdpError('bad-version', `${at}: v=${value} (only version 0 exists)`)
        }
        break
      case 'o':
        origin = once(origin, parseOrigin(value, at))
        break
      case 's':
        sessionName = once(sessionName, value)
        break
      case 'i':
        if (current === undefined) {
          information = once(information, value)
        } else {
          current.title = once(current.title, value)
        }
        break
      case 'u':
        uri = once(uri, value)
        break
      case 'e':
        emails.push(value)
        break
      case 'p':
        phones.push(value)
        break
      case 'c':
        if (current === undefined) {
          connection = once(connection, parseConnection(value, at))
        } else {
          current.connection = once(current.connection, parseConnection(value, at))
        }
        break
      case 'b':
        ;(current?.bandwidths ?? bandwidths).push(parseBandwidth(value, at))
        break
      case 't':
        times.push(parseTime(value, at))
        break
      case 'r': {
        const time = times[times.length - 1]
        if (time === undefined) {
          throw new SdpError('misplaced-line', `${at}: r= before any t=`)
        }
        time.repeats.push(value)
        break
      }
      case 'z':
        timeZones = once(timeZones, value)
        break
      case 'k':
        if (current === undefined) {
          encryptionKey = once(encryptionKey, value)
        } else {
          current.encryptionKey = once(current.encryptionKey, value)
        }
        break
      case 'a':
        ;(current?.attributes ?? attributes).push(parseAttribute(value, at))
        break
      case 'm':
        current = parseMediaLine(value, at)
        media.push(current)
        break
    }
  }

  if (lineCount === 0) {
    throw new SdpError('missing-line', 'SDP: the body is empty')
  }
  if (origin === undefined || sessionName === undefined || times.length === 0) {
    const missing = origin === undefined ? 'o=' : sessionName === undefined ? 's=' : 't='
    throw new SdpError('missing-line', `SDP: no ${missing} line`)
  }
  // §5.7: "A session description MUST contain either at least one "c=" field in each media
  // description or a single "c=" field at the session level." A declined stream (port 0)
  // carries no media, so we let it go without one.
  media.forEach((m, i) => {
    if (m.port !== 0 && m.connection === undefined && connection === undefined) {
      throw new SdpError('missing-line', `SDP: stream ${i} (${m.media}) has no c= line`)
    }
  })

  return {
    origin,
    sessionName,
    ...(information !== undefined && { information }),
    ...(uri !== undefined && { uri }),
    emails,
    phones,
    ...(connection !== undefined && { connection }),
    bandwidths,
    times,
    ...(timeZones !== undefined && { timeZones }),
    ...(encryptionKey !== undefined && { encryptionKey }),
    attributes,
    media,
  }
}

/** Splits a line's value at runs of spaces or tabs, ignoring them at either end. */
function fields(value: string): string[] {
  return value.split(/[ \t]+/).filter((field) => field !== '')
}

function parseOrigin(value: string, at: string): SdpOrigin {
  const parts = fields(value)
  const [username, sessionId, sessionVersion, netType, addressType, address] = parts
  if (
    parts.length !== 6 ||
    username === undefined ||
    sessionId === undefined ||
    sessionVersion === undefined ||
    netType === undefined ||
    addressType === undefined ||
    address === undefined ||
    !parts.every((part) => VISIBLE.test(part))
  ) {
    throw new SdpError('bad-origin', `${at}: o= needs 6 fields`)
  }
  return { username, sessionId, sessionVersion, netType, addressType, address }
}

function parseConnection(value: string, at: string): SdpConnection {
  const parts = fields(value)
  const [netType, addressType, address] = parts
  if (parts.length !== 3 || address === undefined || !VISIBLE.test(address)) {
    throw new SdpError('bad-connection', `${at}: c= needs <nettype> <addrtype> <address>`)
  }
  if (netType !== 'IN' || (addressType !== 'IP4' && addressType !== 'IP6')) {
    throw new SdpError('bad-connection', `${at}: c=${netType} ${addressType} (only IN IP4/IP6)`)
  }
  return { addressType, address }
}

function parseBandwidth(value: string, at: string): SdpBandwidth {
  const colon = value.indexOf(':')
  const type = value.slice(0, colon)
  const amount = value.slice(colon + 1).trim()
  if (colon < 0 || !TOKEN.test(type) || !DIGITS.test(amount) || amount.length > 15) {
    throw new SdpError('bad-bandwidth', `${at}: b= needs <bwtype>:<bandwidth>`)
  }
  return { type, value: Number(amount) }
}

function parseTime(value: string, at: string): TimeDraft {
  const parts = fields(value)
  const [start, stop] = parts
  const isTime = (s: string | undefined): s is string =>
    s !== undefined && DIGITS.test(s) && s.length <= 15
  if (parts.length !== 2 || !isTime(start) || !isTime(stop)) {
    throw new SdpError('bad-time', `${at}: t= needs <start-time> <stop-time> in decimal seconds`)
  }
  return { start: Number(start), stop: Number(stop), repeats: [] }
}

function parseAttribute(value: string, at: string): SdpAttribute {
  const trimmed = value.replace(/[ \t]+$/, '')
  const colon = trimmed.indexOf(':')
  const name = colon < 0 ? trimmed : trimmed.slice(0, colon)
  if (!TOKEN.test(name)) {
    throw new SdpError('bad-attribute', `${at}: attribute name "${name}" is not a token`)
  }
  return colon < 0 ? { name } : { name, value: trimmed.slice(colon + 1) }
}

/** m=<media> <port>[/<number of ports>] <proto> <fmt> ... (§5.14) */
function parseMediaLine(value: string, at: string): MediaDraft {
  const parts = fields(value)
  const [media, portField, proto, ...formats] = parts
  if (media === undefined || portField === undefined || proto === undefined) {
    throw new SdpError('bad-media', `${at}: m= needs <media> <port> <proto> <fmt> ...`)
  }
  if (!TOKEN.test(media) || !PROTO.test(proto)) {
    throw new SdpError('bad-media', `${at}: m=${media} ${portField} ${proto}: not tokens`)
  }
  // RFC 4566 §9: media-field = … 1*(SP fmt). RFC 3264 §6: even a declined stream keeps one.
  if (formats.length === 0 || !formats.every((format) => TOKEN.test(format))) {
    throw new SdpError('bad-media', `${at}: m= needs at least one format token`)
  }
  const match = /^([0-9]{1,5})(?:\/([0-9]{1,5}))?$/.exec(portField)
  const port = Number(match?.[1] ?? NaN)
  const count = match?.[2] === undefined ? undefined : Number(match[2])
  if (!(port <= 65535) || (count !== undefined && (count < 1 || count > 65535))) {
    throw new SdpError('bad-media', `${at}: port "${portField}"`)
  }
  return {
    media,
    port,
    ...(count !== undefined && { portCount: count }),
    proto,
    formats,
    bandwidths: [],
    attributes: [],
  }
}

/**
 * Writes a SessionDescription as SDP text, lines in RFC 4566 order, each ended by CRLF. Throws
 * an SdpError ('bad-argument') for what would not parse back: a value holding a line break
 * or a NUL, a field that is empty or holds a space, a port outside 0–65535, no t line, or a
 * stream with no c line of its own or of the session.
 */
export function formatSdp(sd: SessionDescription): string {
  const lines: string[] = ['v=0']
  const o = sd.origin
  lines.push(
    `o=${[o.username, o.sessionId, o.sessionVersion, o.netType, o.addressType, o.address]
      .map((field) => visible(field, 'o='))
      .join(' ')}`,
  )
  lines.push(`s=${text(sd.sessionName, 's=')}`)
  optional(lines, 'i', sd.information)
  optional(lines, 'u', sd.uri)
  sd.emails.forEach((email) => optional(lines, 'e', email))
  sd.phones.forEach((phone) => optional(lines, 'p', phone))
  if (sd.connection !== undefined) {
    lines.push(connectionLine(sd.connection))
  }
  sd.bandwidths.forEach((b) => lines.push(bandwidthLine(b)))
  if (sd.times.length === 0) {
    throw new SdpError('bad-argument', 'SDP: a description needs at least one t= line')
  }
  for (const time of sd.times) {
    lines.push(`t=${timeField(time.start)} ${timeField(time.stop)}`)
    time.repeats.forEach((repeat) => optional(lines, 'r', repeat))
  }
  optional(lines, 'z', sd.timeZones)
  optional(lines, 'k', sd.encryptionKey)
  sd.attributes.forEach((a) => lines.push(attributeLine(a)))
  sd.media.forEach((m, i) => {
    if (m.port !== 0 && m.connection === undefined && sd.connection === undefined) {
      throw new SdpError('bad-argument', `SDP: stream ${i} (${m.media}) has no connection`)
    }
    lines.push(mediaLine(m))
    optional(lines, 'i', m.title)
    if (m.connection !== undefined) {
      lines.push(connectionLine(m.connection))
    }
    m.bandwidths.forEach((b) => lines.push(bandwidthLine(b)))
    optional(lines, 'k', m.encryptionKey)
    m.attributes.forEach((a) => lines.push(attributeLine(a)))
  })
  return lines.map((line) => `${line}\r\n`).join('')
}

function optional(lines: string[], type: string, value: string | undefined): void {
  if (value !== undefined) {
    lines.push(`${type}=${text(value, `${type}=`)}`)
  }
}

/** A free-text value: anything but a line break or a NUL. */
function text(value: string, what: string): string {
  if (FORBIDDEN.test(value)) {
    throw new SdpError('bad-argument', `SDP: ${what} value holds a line break or a NUL`)
  }
  return value
}

function visible(value: string, what: string): string {
  if (!VISIBLE.test(value)) {
    throw new SdpError(
      'bad-argument',
      `SDP: ${what} field "${value}" is empty or holds a blank or a control character`,
    )
  }
  return value
}

function token(value: string, what: string, pattern = TOKEN): string {
  if (!pattern.test(value)) {
    throw new SdpError('bad-argument', `SDP: ${what} "${value}" is not an SDP token`)
  }
  return value
}

function wholeNumber(value: number, max: number, what: string): string {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new SdpError('bad-argument', `SDP: ${what} ${value} is not a whole number up to ${max}`)
  }
  return String(value)
}

function timeField(value: number): string {
  return wholeNumber(value, 999_999_999_999_999, 't=')
}

function connectionLine(c: SdpConnection): string {
  if (c.addressType !== 'IP4' && c.addressType !== 'IP6') {
    throw new SdpError('bad-argument', `SDP: address type ${String(c.addressType)}`)
  }
  return `c=IN ${c.addressType} ${visible(c.address, 'c=')}`
}

function bandwidthLine(b: SdpBandwidth): string {
  return `b=${token(b.type, 'b= type')}:${wholeNumber(b.value, 999_999_999_999_999, 'b=')}`
}

function attributeLine(a: SdpAttribute): string {
  const name = token(a.name, 'attribute name')
  if (a.value === undefined) {
    return `a=${name}`
  }
  // The parser drops trailing blanks, so a value ending in one would not come back the same.
  if (/[ \t]$/.test(a.value)) {
    throw new SdpError('bad-argument', `SDP: a=${name} value ends in a blank`)
  }
  return `a=${name}:${text(a.value, `a=${name}`)}`
}

function mediaLine(m: SdpMedia): string {
  const port =
    wholeNumber(m.port, 65535, 'port') +
    (m.portCount === undefined ? '' : `/${wholeNumber(m.portCount, 65535, 'port count')}`)
  if (m.portCount === 0) {
    throw new SdpError('bad-argument', 'SDP: a port count of 0')
  }
  if (m.formats.length === 0) {
    throw new SdpError('bad-argument', `SDP: m=${m.media} needs at least one format`)
  }
  const formats = m.formats.map((format) => token(format, 'format'))
  return `m=${token(m.media, 'media')} ${port} ${token(m.proto, 'proto', PROTO)} ${formats.join(' ')}`
}
