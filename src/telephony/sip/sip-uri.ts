/**
 * SIP and tel URIs: parse and format `sip:`, `sips:` (RFC 3261 §19.1) and `tel:` (RFC 3966),
 * the addresses in a Request-URI, From, To, Contact and Route. Escapes are undone on parse and
 * applied on format, so `user` holds what the user part means, not how it was written. The
 * password of `user:password@` is read and dropped (RFC 3261 §19.1.1: "its use is NOT
 * RECOMMENDED"). Any other scheme is refused with 'bad-uri' (a UAS answers such a Request-URI
 * with 416, §8.2.2.1).
 */
import { escapePercent, unescapePercent, type SipParams } from './sip-grammar.js'
import { SipParseError } from './sip-parse-error.js'

export interface SipUri {
  readonly scheme: 'sip' | 'sips'
  /** The user part, unescaped; undefined when the URI has none (`sip:example.com`). */
  readonly user: string | undefined
  /** A host name, an IPv4 address, or an IPv6 address without its brackets. */
  readonly host: string
  readonly port: number | undefined
  /** uri-parameters (`transport`, `user`, `lr`, `maddr`…): lower-case names, unescaped values. */
  readonly params: SipParams
  /** The `?name=value&…` headers, unescaped, in order. */
  readonly headers: readonly (readonly [name: string, value: string])[]
}

export interface TelUri {
  readonly scheme: 'tel'
  /** The number as written, with its visual separators: `+1-212-555-0100`, `7042`. */
  readonly number: string
  /** `ext`, `isub`, `phone-context` and others: lower-case names, unescaped values. */
  readonly params: SipParams
}

export type Uri = SipUri | TelUri

const MAX_URI_LENGTH = 4096

/**
 *     user            = 1*( unreserved / escaped / user-unreserved )
 *     unreserved      = alphanum / "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"
 *     user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
 *
 * `#` is allowed on parse too: dial strings such as `*67#` arrive unescaped from real phones.
 */
const USER = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/#]|%[0-9A-Fa-f]{2})+$/
const USER_KEEP = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
const PASSWORD = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,]|%[0-9A-Fa-f]{2})*$/
/** paramchar = param-unreserved / unreserved / escaped; param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$" */
const PARAM = /^(?:[A-Za-z0-9\-_.!~*'()[\]/:&+$]|%[0-9A-Fa-f]{2})+$/
const PARAM_KEEP = /[A-Za-z0-9\-_.!~*'()[\]/:&+$]/
/** hname, hvalue: hnv-unreserved / unreserved / escaped; hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$" */
const HNV = /^(?:[A-Za-z0-9\-_.!~*'()[\]/?:+$]|%[0-9A-Fa-f]{2})*$/
const HNV_KEEP = /[A-Za-z0-9\-_.!~*'()[\]/?:+$]/
/** hostname = *( domainlabel "." ) toplabel [ "." ] (with `_`, which some peers use), or IPv4. */
const HOSTNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9\-_.]*[A-Za-z0-9_.])?$/
/**
 * RFC 3966:
 *
 *     global-number-digits = "+" *phonedigit DIGIT *phonedigit
 *     local-number-digits  = *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex
 *
 * (checked as two patterns each, which cannot backtrack quadratically on a long number).
 */
function isTelephoneNumber(text: string): boolean {
  return (
    (/^\+[0-9\-.()]+$/.test(text) && /[0-9]/.test(text)) ||
    (/^[0-9A-Fa-f*#\-.()]+$/.test(text) && /[0-9A-Fa-f*#]/.test(text))
  )
}

function fail(message: string): never {
  throw new SipParseError('bad-uri', message)
}

/** Parses a `sip:`, `sips:` or `tel:` URI, or throws a SipParseError ('bad-uri'). */
export function parseUri(text: string): Uri {
  if (text.length > MAX_URI_LENGTH) {
    fail(`URI of ${text.length} characters`)
  }
  const colon = text.indexOf(':')
  const scheme = text.slice(0, Math.max(colon, 0)).toLowerCase()
  const rest = text.slice(colon + 1)
  if (scheme === 'sip' || scheme === 'sips') {
    return parseSip(scheme, rest, text)
  }
  if (scheme === 'tel') {
    return parseTel(rest, text)
  }
  return fail(`unsupported URI scheme in "${text}"`)
}

/** Parses a `sip:` or `sips:` URI; a `tel:` URI is refused too. */
export function parseSipUri(text: string): SipUri {
  const uri = parseUri(text)
  if (uri.scheme === 'tel') {
    return fail(`"${text}" is not a SIP URI`)
  }
  return uri
}

function parseSip(scheme: 'sip' | 'sips', rest: string, text: string): SipUri {
  // An unescaped "@" can only end the userinfo: params and headers must escape it.
  const at = rest.indexOf('@')
  let user: string | undefined
  if (at >= 0) {
    const userinfo = rest.slice(0, at)
    const passwordColon = userinfo.indexOf(':')
    const rawUser = passwordColon < 0 ? userinfo : userinfo.slice(0, passwordColon)
    if (!USER.test(rawUser)) {
      fail(`bad user part in "${text}"`)
    }
    if (passwordColon >= 0 && !PASSWORD.test(userinfo.slice(passwordColon + 1))) {
      fail(`bad password in "${text}"`)
    }
    user = unescapePercent(rawUser)
  }
  const afterUser = rest.slice(at + 1)
  const question = afterUser.indexOf('?')
  const beforeHeaders = question < 0 ? afterUser : afterUser.slice(0, question)
  const semicolon = beforeHeaders.indexOf(';')
  const hostPort = semicolon < 0 ? beforeHeaders : beforeHeaders.slice(0, semicolon)
  const { host, port } = parseHostPort(hostPort, 'bad-uri')
  const params = semicolon < 0 ? new Map() : parseUriParams(beforeHeaders.slice(semicolon + 1))
  const headers: (readonly [string, string])[] = []
  if (question >= 0) {
    for (const header of afterUser.slice(question + 1).split('&')) {
      const equals = header.indexOf('=')
      const name = equals < 0 ? header : header.slice(0, equals)
      const value = equals < 0 ? '' : header.slice(equals + 1)
      if (name === '' || equals < 0 || !HNV.test(name) || !HNV.test(value)) {
        fail(`bad header "${header}" in "${text}"`)
      }
      headers.push([unescapePercent(name), unescapePercent(value)])
    }
  }
  return { scheme, user, host, port, params, headers }
}

function parseUriParams(text: string): Map<string, string | null> {
  const params = new Map<string, string | null>()
  for (const param of text.split(';')) {
    const equals = param.indexOf('=')
    const name = equals < 0 ? param : param.slice(0, equals)
    if (!PARAM.test(name) || (equals >= 0 && !PARAM.test(param.slice(equals + 1)))) {
      fail(`bad URI parameter "${param}"`)
    }
    const key = unescapePercent(name).toLowerCase()
    if (params.has(key)) {
      fail(`URI parameter ${key} given twice`)
    }
    params.set(key, equals < 0 ? null : unescapePercent(param.slice(equals + 1)))
  }
  return params
}

function parseTel(rest: string, text: string): TelUri {
  const semicolon = rest.indexOf(';')
  const number = semicolon < 0 ? rest : rest.slice(0, semicolon)
  if (!isTelephoneNumber(number)) {
    fail(`bad telephone number in "${text}"`)
  }
  const params = semicolon < 0 ? new Map() : parseUriParams(rest.slice(semicolon + 1))
  return { scheme: 'tel', number, params }
}

/**
 *     hostport      = host [ ":" port ]
 *     host          = hostname / IPv4address / IPv6reference
 *     IPv6reference = "[" IPv6address "]"
 *
 * Also reads Via's sent-by, which allows LWS around the colon. The error code is the caller's.
 */
export function parseHostPort(
  text: string,
  code: 'bad-uri' | 'bad-header',
): { host: string; port: number | undefined } {
  const bad = (why: string): never => {
    throw new SipParseError(code, `${why} in "${text}"`)
  }
  let host: string
  let after: string
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close < 0) {
      return bad('unclosed IPv6 reference')
    }
    host = text.slice(1, close)
    if (!isIpv6(host)) {
      return bad('bad IPv6 address')
    }
    after = text.slice(close + 1)
  } else {
    const colon = text.indexOf(':')
    host = (colon < 0 ? text : text.slice(0, colon)).replace(/[ \t]+$/, '')
    if (!HOSTNAME.test(host)) {
      return bad('bad host')
    }
    after = colon < 0 ? '' : text.slice(colon)
  }
  after = after.replace(/^[ \t]+/, '')
  if (after === '') {
    return { host, port: undefined }
  }
  const digits = after.startsWith(':') ? after.slice(1).replace(/^[ \t]+/, '') : ''
  if (!/^[0-9]{1,5}$/.test(digits) || Number(digits) > 65535) {
    return bad('bad port')
  }
  return { host, port: Number(digits) }
}

/** RFC 4291 §2.2 text forms: eight groups, one `::`, an IPv4 tail. No zone index. */
export function isIpv6(text: string): boolean {
  if (text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) {
    return false
  }
  const halves = text.split('::')
  if (halves.length > 2) {
    return false
  }
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')))
  let count = 0
  for (const [i, group] of groups.entries()) {
    if (i === groups.length - 1 && group.includes('.')) {
      if (!isIpv4(group)) {
        return false
      }
      count += 2
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(group)) {
      count += 1
    } else {
      return false
    }
  }
  return halves.length === 2 ? count < 8 : count === 8
}

function isIpv4(text: string): boolean {
  const parts = text.split('.')
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255)
}

/** `host[:port]`, with brackets around an IPv6 address. */
export function formatHostPort(host: string, port?: number): string {
  let hostText: string
  if (host.includes(':')) {
    if (!isIpv6(host)) {
      throw new SipParseError('bad-argument', `bad IPv6 address "${host}"`)
    }
    hostText = `[${host}]`
  } else if (HOSTNAME.test(host)) {
    hostText = host
  } else {
    throw new SipParseError('bad-argument', `bad host "${host}"`)
  }
  if (port === undefined) {
    return hostText
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SipParseError('bad-argument', `bad port ${port}`)
  }
  return `${hostText}:${port}`
}

/** Writes a URI, escaping what its grammar does not allow as it stands. */
export function formatUri(uri: Uri): string {
  if (uri.scheme === 'tel') {
    if (!isTelephoneNumber(uri.number)) {
      throw new SipParseError('bad-argument', `bad telephone number "${uri.number}"`)
    }
    return `tel:${uri.number}${formatUriParams(uri.params)}`
  }
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') {
    throw new SipParseError('bad-argument', `unsupported URI scheme ${String(uri.scheme)}`)
  }
  let text = `${uri.scheme}:`
  if (uri.user !== undefined) {
    if (uri.user === '') {
      throw new SipParseError('bad-argument', 'an empty user part')
    }
    text += `${escapePercent(uri.user, USER_KEEP)}@`
  }
  text += formatHostPort(uri.host, uri.port)
  text += formatUriParams(uri.params)
  if (uri.headers.length > 0) {
    text += '?'
    text += uri.headers
      .map(([name, value]) => {
        if (name === '') {
          throw new SipParseError('bad-argument', 'a URI header without a name')
        }
        return `${escapePercent(name, HNV_KEEP)}=${escapePercent(value, HNV_KEEP)}`
      })
      .join('&')
  }
  return text
}

function formatUriParams(params: SipParams): string {
  let text = ''
  for (const [name, value] of params) {
    if (name === '' || value === '') {
      throw new SipParseError('bad-argument', `an empty URI parameter name or value (${name})`)
    }
    text += `;${escapePercent(name, PARAM_KEEP)}`
    if (value !== null) {
      text += `=${escapePercent(value, PARAM_KEEP)}`
    }
  }
  return text
}

/** True when `text` looks like an absolute URI (`scheme:rest`), whatever the scheme. */
export function isAbsoluteUri(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[A-Za-z][A-Za-z0-9+\-.]*:[^\s<>"\x00-\x1f\x7f]+$/.test(text)
}
