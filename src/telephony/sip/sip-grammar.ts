/**
 * The lexical rules of RFC 3261 §25.1 that header fields and URIs share: tokens, linear white
 * space, quoted strings, `;name=value` parameters, comma lists that must not split inside a
 * quoted string or a `<URI>`, and %HH escaping. Readers here are lenient where real peers are
 * sloppy (a parameter value with a character the grammar leaves out) and strict where leniency
 * would change meaning (an unterminated quoted string). They throw only SipParseError.
 */
import { SipParseError } from './sip-parse-error.js'

/**
 *     token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
 */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/

export function isToken(text: string): boolean {
  return TOKEN.test(text)
}

/** A character RFC 3261 never allows in a header value: the controls other than HT, and DEL. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/

export function hasControl(text: string): boolean {
  return CONTROL.test(text)
}

/** Strips SP and HT (LWS once unfolded) from both ends; not the Unicode spaces trim() takes. */
export function trimLws(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && isWsp(text.charCodeAt(start))) {
    start++
  }
  while (end > start && isWsp(text.charCodeAt(end - 1))) {
    end--
  }
  return text.slice(start, end)
}

export function isWsp(code: number): boolean {
  return code === 0x20 || code === 0x09
}

/**
 * Splits `text` at each `separator` outside quoted strings and angle brackets, trimming the
 * parts. Never throws: after an unterminated quote or `<` the rest is one part, which a reader
 * then refuses.
 */
export function splitOutside(text: string, separator: ',' | ';'): string[] {
  const parts: string[] = []
  let start = 0
  let inQuote = false
  let inAngle = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inQuote) {
      if (c === '\\') {
        i++
      } else if (c === '"') {
        inQuote = false
      }
    } else if (inAngle) {
      if (c === '>') {
        inAngle = false
      }
    } else if (c === '"') {
      inQuote = true
    } else if (c === '<') {
      inAngle = true
    } else if (c === separator) {
      parts.push(trimLws(text.slice(start, i)))
      start = i + 1
    }
  }
  parts.push(trimLws(text.slice(start)))
  return parts
}

/**
 * Reads the quoted string that starts at `text[at]` (which must be `"`).
 *
 *     quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE
 *     quoted-pair   = "\" (%x00-09 / %x0B-0C / %x0E-7F)
 */
export function readQuotedString(text: string, at: number): { value: string; end: number } {
  if (text[at] !== '"') {
    throw new SipParseError('bad-header', `expected a quoted string at ${at}`)
  }
  let value = ''
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i] as string
    if (c === '"') {
      return { value, end: i + 1 }
    }
    if (c === '\\') {
      i++
      const escaped = text[i]
      if (escaped === undefined) {
        break
      }
      value += escaped
    } else {
      value += c
    }
  }
  throw new SipParseError('bad-header', 'unterminated quoted string')
}

/** The whole of `text`, if it is one quoted string, unquoted; otherwise undefined. */
export function unquoteWhole(text: string): string | undefined {
  if (!text.startsWith('"')) {
    return undefined
  }
  const { value, end } = readQuotedString(text, 0)
  if (end !== text.length) {
    throw new SipParseError('bad-header', `text after a quoted string: ${text}`)
  }
  return value
}

/** `text` as a quoted string, with `"` and `\` escaped. Refuses control characters. */
export function quote(text: string): string {
  if (hasControl(text)) {
    throw new SipParseError('bad-argument', 'a control character in a quoted string')
  }
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`
}

/**
 * Parameters as the grammar has them in Via, name-addr, Session-Expires and URIs:
 *
 *     generic-param = token [ EQUAL gen-value ]
 *     gen-value     = token / host / quoted-string
 *
 * Keys are lower-cased ("parameter names are always case-insensitive", RFC 3261 §7.3.1). A
 * value is kept as written, quotes included, so that formatting writes back the same text;
 * null marks a parameter without a value (`lr`, `rport`).
 */
export type SipParams = ReadonlyMap<string, string | null>

/** Unquoted values may hold anything but these (the grammar allows less; peers send more). */
// eslint-disable-next-line no-control-regex
const LOOSE_VALUE = /^[^\s;,"<>\x00-\x1f\x7f]+$/

/** Parses `name[=value]` parts (the text after the first `;`, already split). */
export function parseParams(parts: readonly string[], where: string): Map<string, string | null> {
  const params = new Map<string, string | null>()
  for (const part of parts) {
    const equals = part.indexOf('=')
    const name = trimLws(equals < 0 ? part : part.slice(0, equals)).toLowerCase()
    if (!isToken(name)) {
      throw new SipParseError('bad-header', `${where}: bad parameter name in "${part}"`)
    }
    if (params.has(name)) {
      throw new SipParseError('bad-header', `${where}: parameter ${name} given twice`)
    }
    if (equals < 0) {
      params.set(name, null)
      continue
    }
    const value = trimLws(part.slice(equals + 1))
    if (value.startsWith('"')) {
      unquoteWhole(value)
    } else if (!LOOSE_VALUE.test(value)) {
      throw new SipParseError('bad-header', `${where}: bad value for parameter ${name}`)
    }
    params.set(name, value)
  }
  return params
}

/** Values written without quotes: token or host (IPv6 included). */
const PLAIN_VALUE = /^[A-Za-z0-9\-.!%*_+`'~:[\]]+$/

/** `;name=value…` for a header. A value neither plain nor already quoted is quoted. */
export function formatParams(params: SipParams | undefined): string {
  let text = ''
  for (const [name, value] of params ?? []) {
    if (!isToken(name)) {
      throw new SipParseError('bad-argument', `bad parameter name "${name}"`)
    }
    if (value === null) {
      text += `;${name}`
    } else if (PLAIN_VALUE.test(value)) {
      text += `;${name}=${value}`
    } else {
      text += `;${name}=${isQuotedString(value) ? value : quote(value)}`
    }
  }
  return text
}

function isQuotedString(text: string): boolean {
  try {
    return unquoteWhole(text) !== undefined && !hasControl(text)
  } catch {
    return false
  }
}

/** The value of a parameter without its quotes (or as it is, if it has none). */
export function paramValue(params: SipParams, name: string): string | null | undefined {
  const value = params.get(name)
  if (value === undefined || value === null) {
    return value
  }
  return unquoteWhole(value) ?? value
}

const utf8Encoder = new TextEncoder()

/**
 * Replaces each `%HH` with its octet and reads the octets as UTF-8 (RFC 3261 §19.1.2: "escaped
 * characters [are] compared as their unescaped counterparts"). Throws on a bad escape or on
 * octets that are not UTF-8.
 */
export function unescapePercent(text: string): string {
  if (!text.includes('%')) {
    return text
  }
  const octets: number[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x25) {
      const hex = text.slice(i + 1, i + 3)
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw new SipParseError('bad-uri', `bad %-escape in "${text}"`)
      }
      octets.push(parseInt(hex, 16))
      i += 2
    } else if (c < 0x80) {
      octets.push(c)
    } else {
      octets.push(...utf8Encoder.encode(text[i]))
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(octets))
  } catch (cause) {
    throw new SipParseError('bad-uri', `%-escapes that are not UTF-8 in "${text}"`, { cause })
  }
}

/** `text` with every character outside `keep` written as %HH of its UTF-8 octets. */
export function escapePercent(text: string, keep: RegExp): string {
  let out = ''
  for (const c of text) {
    if (keep.test(c)) {
      out += c
    } else {
      for (const octet of utf8Encoder.encode(c)) {
        out += `%${octet.toString(16).toUpperCase().padStart(2, '0')}`
      }
    }
  }
  return out
}

/**
 *     delta-seconds = 1*DIGIT
 *
 * RFC 3261 §20.19 (Expires) and §20.9 (Retry-After): "If a value larger than 2**32-1 is
 * received, [it] should be taken to be 2**32-1", so long runs of digits are clamped, not
 * refused.
 */
export function parseDeltaSeconds(text: string, where: string): number {
  const digits = trimLws(text)
  if (!/^[0-9]+$/.test(digits)) {
    throw new SipParseError('bad-header', `${where}: "${text}" is not delta-seconds`)
  }
  const value = digits.length > 10 ? Infinity : Number(digits)
  return Math.min(value, MAX_DELTA_SECONDS)
}

export const MAX_DELTA_SECONDS = 2 ** 32 - 1
