/**
 * Call attempts between the `fax_attempts` table and the domain, page lists as JSON text, and
 * what a call in progress negotiated (`deliveries.call_negotiated`) as a JSON object.
 */
import type { Insertable, Selectable } from 'kysely'
import { LINE_RESOLUTIONS, type Negotiated } from '../../domain/carrier.js'
import { FAX_STATUSES } from '../../domain/fax.js'
import type { CallAttempt } from '../../domain/transmission.js'
import { fromFlag, oneOf, parseJsonObject, toFlag, toJsonText } from './column-values.js'
import type { FaxAttemptsTable } from './schema.js'

const CODINGS = ['mh', 'mr', 'mmr'] as const

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
    ecm: attempt.ecm === null ? null : toFlag(attempt.ecm),
    resolution: attempt.resolution,
    header: attempt.header,
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
    ecm: row.ecm === null ? null : fromFlag(row.ecm),
    resolution:
      row.resolution === null
        ? null
        : oneOf(LINE_RESOLUTIONS, row.resolution, 'fax_attempts.resolution'),
    header: row.header ?? null,
  }
}

export function negotiatedToText(negotiated: Negotiated): string {
  const { remoteStationId, bitRate, coding, ecm, resolution } = negotiated
  return toJsonText({ remoteStationId, bitRate, coding, ecm, resolution })
}

/** deliveries.call_negotiated: null until the call in progress is connected. */
export function negotiatedFromText(text: string | null): Negotiated | null {
  if (text === null) {
    return null
  }
  const column = 'deliveries.call_negotiated'
  const value = parseJsonObject(text, column)
  const { remoteStationId, bitRate, coding, ecm, resolution } = value
  if (
    typeof remoteStationId !== 'string' ||
    typeof bitRate !== 'number' ||
    !Number.isInteger(bitRate) ||
    typeof coding !== 'string' ||
    typeof ecm !== 'boolean' ||
    (resolution !== undefined && typeof resolution !== 'string')
  ) {
    throw new Error(`column ${column} is not what a call negotiated: ${text.slice(0, 120)}`)
  }
  return {
    remoteStationId,
    bitRate,
    coding: oneOf(CODINGS, coding, column),
    ecm,
    ...(resolution === undefined
      ? {}
      : { resolution: oneOf(LINE_RESOLUTIONS, resolution, column) }),
  }
}
