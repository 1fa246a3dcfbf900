/** Fax records between the `faxes` table and the domain. */
import type { Insertable, Selectable } from 'kysely'
import { FAX_STATUSES, type FaxDirection, type FaxRecord } from '../../domain/fax.js'
import { fromFlag, oneOf, toFlag } from './column-values.js'
import type { FaxesTable } from './schema.js'

const FAX_DIRECTIONS: readonly FaxDirection[] = ['outgoing', 'incoming']

export function faxFromRow(row: Selectable<FaxesTable>): FaxRecord {
  return {
    id: row.id,
    ownerUid: row.owner_uid,
    direction: oneOf(FAX_DIRECTIONS, row.direction, 'faxes.direction'),
    from: row.from_number,
    to: row.to_number,
    status: oneOf(FAX_STATUSES, row.status, 'faxes.status'),
    pages: row.pages,
    durationSeconds: row.duration_seconds,
    comment: row.comment,
    isRead: fromFlag(row.is_read),
    isSpam: fromFlag(row.is_spam),
    startedAtMs: row.started_at,
    submittedAtMs: row.submitted_at,
    updatedAtMs: row.updated_at,
    maxRetry: row.max_retry,
    retryDelaySeconds: row.retry_delay_seconds,
    documentKey: row.document_key,
    header: row.header ?? null,
    description: row.description,
  }
}

export function faxToRow(record: FaxRecord): Insertable<FaxesTable> {
  return {
    id: record.id,
    owner_uid: record.ownerUid,
    direction: record.direction,
    from_number: record.from,
    to_number: record.to,
    status: record.status,
    pages: record.pages,
    duration_seconds: record.durationSeconds,
    comment: record.comment,
    is_read: toFlag(record.isRead),
    is_spam: toFlag(record.isSpam),
    started_at: record.startedAtMs,
    submitted_at: record.submittedAtMs,
    updated_at: record.updatedAtMs,
    max_retry: record.maxRetry,
    retry_delay_seconds: record.retryDelaySeconds,
    document_key: record.documentKey,
    header: record.header,
    description: record.description,
  }
}
