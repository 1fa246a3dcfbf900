/** Call attempts between the `fax_attempts` table and the domain, and page lists as JSON text. */
import type { Insertable, Selectable } from 'kysely'
import { FAX_STATUSES } from '../../domain/fax.js'
import type { CallAttempt } from '../../domain/transmission.js'
import { oneOf, toJsonText } from './column-values.js'
import type { FaxAttemptsTable } from './schema.js'

export function parsePageList(text: string, column: string): number[] {
  const value: unknown = JSON.parse(text)
  if (!Array.isArray(value) || !value.every((page) => Number.isInteger(page) && page > 0)) {
    throw new Error(`${column} is not a list of page numbers: ${text.slice(0, 80)}`)
  }
  return value as number[]
}

export function attemptToRow(attempt: CallAttempt): Insertable<FaxAttemptsTable> {
  return {
    fax_id: attempt.faxId,
    attempt: attempt.attempt,
    carrier: attempt.carrier,
    started_at: attempt.startedAtMs,
    ended_at: attempt.endedAtMs,
    status: attempt.status,
    pages_confirmed: toJsonText(attempt.pagesConfirmed),
    description: attempt.description,
    remote_station_id: attempt.remoteStationId,
    bit_rate: attempt.bitRate,
    coding: attempt.coding,
  }
}

export function attemptFromRow(row: Selectable<FaxAttemptsTable>): CallAttempt {
  return {
    faxId: row.fax_id,
    attempt: row.attempt,
    carrier: row.carrier,
    startedAtMs: row.started_at,
    endedAtMs: row.ended_at,
    status: oneOf(FAX_STATUSES, row.status, 'fax_attempts.status'),
    pagesConfirmed: parsePageList(row.pages_confirmed, 'fax_attempts.pages_confirmed'),
    description: row.description,
    remoteStationId: row.remote_station_id,
    bitRate: row.bit_rate,
    coding: row.coding,
  }
}
