/**
 * Fax numbers owned by an account and assigned to users. Numbers are E.164 (`+` and at least
 * eight digits), as in the Fax.Plus Number model (pattern `^[+][0-9]{8,}$`).
 */
export const NUMBER_STATUSES = ['waiting_verification', 'active'] as const
export type NumberStatus = (typeof NUMBER_STATUSES)[number]

export interface FaxNumber {
  readonly id: string
  readonly number: string
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

/** A number of sendFax's `from` or `to`, and the digits to dial once the call is up. */
export interface DialString {
  readonly number: string
  /** What followed the first `*`, without the `*`s; empty when there was none. */
  readonly postDialDigits: string
}

/**
 * Splits `+15555550100*123` into the number and its post-dial digits: the one place that knows
 * that `*` starts them (the sendFax schema allows `*` and digits after a number).
 */
export function splitPostDial(text: string): DialString {
  const [number = text, ...rest] = text.split('*')
  return { number, postDialDigits: rest.join('') }
}

/** A user may send from a number it owns or that is assigned to it, while the number is active. */
export function maySendFrom(number: FaxNumber, uid: string): boolean {
  return (
    number.status === 'active' &&
    !number.isCanceled &&
    (number.ownerUid === uid || number.assignedTo.includes(uid))
  )
}
