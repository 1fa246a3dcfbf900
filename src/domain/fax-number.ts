/**
 * Fax numbers owned by an account and assigned to users. Numbers are E.164 (`+` and at least
 * eight digits), as in the Fax.Plus Number model (pattern `^[+][0-9]{8,}$`): text becomes an E164
 * through parseE164 (or parseDialString, for sendFax's numbers with post-dial digits) once, where
 * it enters, and is carried as E164 from there on.
 */
export const NUMBER_STATUSES = ['waiting_verification', 'active'] as const
export type NumberStatus = (typeof NUMBER_STATUSES)[number]

export interface FaxNumber {
  readonly id: string
  readonly number: E164
  readonly ownerUid: string
  readonly status: NumberStatus
  readonly assignedTo: readonly string[]
  readonly acquiredAtMs: number
  readonly expiresAtMs: number | null
  readonly isCanceled: boolean
}

const E164_PATTERN = /^\+[0-9]{8,}$/

/** A number checked to be E.164 (`+` and at least eight digits); only parseE164 makes one. */
export type E164 = string & { readonly __brand: 'E164' }

/** Normalises a number as written in a path or CLI (`+1555…`, `%2B1555…` decoded, or digits). */
export function parseE164(text: string): E164 | null {
  const trimmed = text.trim()
  const withPlus = trimmed.startsWith('+') ? trimmed : `+${trimmed}`
  return E164_PATTERN.test(withPlus) ? (withPlus as E164) : null
}

/** What people put in a number besides its digits: spaces, dots, dashes, parentheses. */
const WRITTEN_NUMBER = /^\+?[0-9\s().-]+$/

/**
 * A number as people write it, for the operator's commands (the API takes E.164 only):
 * `+1 555 555 0100`, `+1 (555) 555-0100`, `0044 20 7946 0018` (00 for +), or a national number,
 * `(555) 555-0100` or `020 7946 0018`, with the country's calling code (`1`, `44`) given apart;
 * a national number's trunk prefix 0 is dropped. Null when it is not a number, or not E.164 once
 * written so.
 */
export function parseWrittenNumber(text: string, callingCode?: string): E164 | null {
  const trimmed = text.trim()
  if (!WRITTEN_NUMBER.test(trimmed)) {
    return null
  }
  const digits = trimmed.replace(/[^0-9]/g, '')
  if (trimmed.startsWith('+')) {
    return parseE164(`+${digits}`)
  }
  if (digits.startsWith('00')) {
    return parseE164(`+${digits.slice(2)}`)
  }
  if (callingCode !== undefined) {
    if (!/^[1-9][0-9]{0,2}$/.test(callingCode)) {
      return null
    }
    return parseE164(`+${callingCode}${digits.replace(/^0/, '')}`)
  }
  return parseE164(`+${digits}`)
}

/**
 * A number of sendFax's `from` or `to`, parsed: the number to call (or send from), and the digits
 * to dial once the call is up.
 */
export interface DialString {
  readonly number: E164
  /** What followed the number, without the `*`s; empty when there was none. */
  readonly postDialDigits: string
  /**
   * The whole, normalised: the number in E.164 (`+` added when it had none), then the `*`s and
   * digits as written. What `return_ids` keys, the outbox and the fax record show.
   */
  readonly text: string
}

/** After the number: up to ten `*`, then the digits (the sendFax seed's `([*]{0,10}[0-9]+)?`). */
const POST_DIAL_PATTERN = /^\*{1,10}[0-9]+$/

/**
 * Parses `+15555550100*123` (or `15555550100*123`) into the number and its post-dial digits: the
 * one place that knows that `*` starts them. Null when the number is not E.164 or what follows
 * it is not `*`s and digits.
 */
export function parseDialString(text: string): DialString | null {
  const star = text.indexOf('*')
  const suffix = star === -1 ? '' : text.slice(star)
  const number = parseE164(star === -1 ? text : text.slice(0, star))
  if (number === null || (suffix !== '' && !POST_DIAL_PATTERN.test(suffix))) {
    return null
  }
  return { number, postDialDigits: suffix.replaceAll('*', ''), text: `${number}${suffix}` }
}

/**
 * `text` as the E164 it already is (a number read back from the database, a constant): throws
 * unless parseE164 takes it unchanged. `what` names the value in the error.
 */
export function asE164(text: string, what = 'number'): E164 {
  const number = parseE164(text)
  if (number === null || number !== text) {
    throw new Error(`${what} ${JSON.stringify(text)} is not an E.164 number`)
  }
  return number
}

/** `text` as the DialString it already is (a stored destination): throws unless it parses unchanged. */
export function asDialString(text: string, what = 'destination'): DialString {
  const dial = parseDialString(text)
  if (dial === null || dial.text !== text) {
    throw new Error(`${what} ${JSON.stringify(text)} is not a normalised dial string`)
  }
  return dial
}

/** A user may send from a number it owns or that is assigned to it, while the number is active. */
export function maySendFrom(number: FaxNumber, uid: string): boolean {
  return (
    number.status === 'active' &&
    !number.isCanceled &&
    (number.ownerUid === uid || number.assignedTo.includes(uid))
  )
}
