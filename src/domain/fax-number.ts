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

const E164 = /^\+[0-9]{8,}$/

/** Normalises a number as written in a path or CLI (`+1555…`, `%2B1555…` decoded, or digits). */
export function parseE164(text: string): string | null {
  const trimmed = text.trim()
  const withPlus = trimmed.startsWith('+') ? trimmed : `+${trimmed}`
  return E164.test(withPlus) ? withPlus : null
}

/** A user may send from a number it owns or that is assigned to it, while the number is active. */
export function maySendFrom(number: FaxNumber, uid: string): boolean {
  return (
    number.status === 'active' &&
    !number.isCanceled &&
    (number.ownerUid === uid || number.assignedTo.includes(uid))
  )
}
