/** Fax numbers between the `numbers` and `number_assignments` tables and the domain. */
import type { Insertable, Selectable } from 'kysely'
import { asE164, NUMBER_STATUSES, type FaxNumber } from '../../domain/fax-number.js'
import { fromFlag, oneOf, toFlag } from './column-values.js'
import type { NumbersTable } from './schema.js'

export function numberFromRow(
  row: Selectable<NumbersTable>,
  assignedTo: readonly string[],
): FaxNumber {
  return {
    id: row.id,
    number: asE164(row.number, 'numbers.number'),
    ownerUid: row.owner_uid,
    status: oneOf(NUMBER_STATUSES, row.status, 'numbers.status'),
    assignedTo,
    acquiredAtMs: row.acquired_at,
    expiresAtMs: row.expires_at,
    isCanceled: fromFlag(row.is_canceled),
  }
}

/** The `numbers` row; `assignedTo` goes to `number_assignments`. */
export function numberToRow(number: FaxNumber): Insertable<NumbersTable> {
  return {
    id: number.id,
    number: number.number,
    owner_uid: number.ownerUid,
    status: number.status,
    acquired_at: number.acquiredAtMs,
    expires_at: number.expiresAtMs,
    is_canceled: toFlag(number.isCanceled),
  }
}
