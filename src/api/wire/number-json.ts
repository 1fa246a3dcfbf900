/** The Fax.Plus Number shape. */
import type { FaxNumber } from '../../domain/fax-number.js'
import { formatUtc } from '../../shared/api-time.js'

export interface NumberJson {
  id: string
  number: string
  owner_id: string
  assigned_to: string[]
  status: FaxNumber['status']
  acquired_date: string
  expiration_date: string | null
  is_canceled: boolean
  notifications: never[]
}

export function toNumberJson(number: FaxNumber): NumberJson {
  return {
    id: number.id,
    number: number.number,
    owner_id: number.ownerUid,
    assigned_to: [...number.assignedTo],
    status: number.status,
    acquired_date: formatUtc(number.acquiredAtMs),
    expiration_date: number.expiresAtMs === null ? null : formatUtc(number.expiresAtMs),
    is_canceled: number.isCanceled,
    notifications: [],
  }
}
