/**
 * Outbox entries, their status changes, their deliveries and the job written with them,
 * between the `outbox_entries`, `outbox_status_changes`, `deliveries` and `jobs` tables and
 * the domain.
 */
import type { Insertable, Selectable } from 'kysely'
import { asDialString, asE164 } from '../../domain/fax-number.js'
import type { HeaderLine } from '../../domain/header-line.js'
import {
  COVER_PAGE_FLAGS,
  OUTBOX_STATUSES,
  RESOLUTIONS,
  type CoverPage,
  type Delivery,
  type OutboxEntry,
  type StatusChange,
} from '../../domain/outbox-entry.js'
import {
  asStringList,
  fromFlag,
  oneOf,
  parseJsonObject,
  parseStringList,
  toFlag,
  toJsonText,
} from './column-values.js'
import type { DeliveriesTable, OutboxEntriesTable, OutboxStatusChangesTable } from './schema.js'

export function outboxEntryFromRow(
  row: Selectable<OutboxEntriesTable>,
  statusChanges: readonly StatusChange[],
): OutboxEntry {
  return {
    id: row.id,
    uid: row.uid,
    status: oneOf(OUTBOX_STATUSES, row.status, 'outbox_entries.status'),
    from: row.from_text,
    to: parseStringList(row.to_numbers, 'outbox_entries.to_numbers'),
    files: parseStringList(row.files, 'outbox_entries.files'),
    fromFax:
      row.from_fax_id === null || row.from_fax_owner_uid === null
        ? null
        : { faxId: row.from_fax_id, ownerUid: row.from_fax_owner_uid },
    commentText: row.comment_text,
    commentTags: parseStringList(row.comment_tags, 'outbox_entries.comment_tags'),
    enhancement: fromFlag(row.enhancement),
    retry: { count: row.retry_count, delaySeconds: row.retry_delay_seconds },
    partiallySentRetry: fromFlag(row.partially_sent_retry),
    resolution: oneOf(RESOLUTIONS, row.resolution, 'outbox_entries.resolution'),
    coverPage: row.cover_page === null ? null : coverPageFromJson(row.cover_page),
    sendAtMs: row.send_at,
    submittedAtMs: row.submitted_at,
    statusChanges,
    pageCount: row.page_count,
    clientIp: row.client_ip,
    documentKey: row.document_key,
    headerLine: row.header_line === null ? null : headerLineFromJson(row.header_line),
  }
}

/** The `outbox_entries` row; status changes and deliveries have their own rows. */
export function outboxEntryToRow(entry: OutboxEntry): Insertable<OutboxEntriesTable> {
  return {
    id: entry.id,
    uid: entry.uid,
    status: entry.status,
    from_text: entry.from,
    to_numbers: toJsonText(entry.to),
    files: toJsonText(entry.files),
    from_fax_id: entry.fromFax?.faxId ?? null,
    from_fax_owner_uid: entry.fromFax?.ownerUid ?? null,
    comment_text: entry.commentText,
    comment_tags: toJsonText(entry.commentTags),
    enhancement: toFlag(entry.enhancement),
    retry_count: entry.retry.count,
    retry_delay_seconds: entry.retry.delaySeconds,
    partially_sent_retry: toFlag(entry.partiallySentRetry),
    resolution: entry.resolution,
    cover_page: entry.coverPage === null ? null : toJsonText(entry.coverPage),
    send_at: entry.sendAtMs,
    submitted_at: entry.submittedAtMs,
    page_count: entry.pageCount,
    document_key: entry.documentKey,
    client_ip: entry.clientIp,
    header_line: entry.headerLine === null ? null : toJsonText(entry.headerLine),
  }
}

function coverPageFromJson(text: string): CoverPage {
  const column = 'outbox_entries.cover_page'
  const value = parseJsonObject(text, column)
  const { nameTo, nameFrom, subject, flags, message, includeCompanyLogo } = value
  if (
    typeof nameTo !== 'string' ||
    typeof nameFrom !== 'string' ||
    typeof subject !== 'string' ||
    !(typeof message === 'string' || message === null) ||
    typeof includeCompanyLogo !== 'boolean'
  ) {
    throw new Error(`column ${column} does not hold a cover page`)
  }
  return {
    nameTo,
    nameFrom,
    subject,
    flags: asStringList(flags, column).map((flag) => oneOf(COVER_PAGE_FLAGS, flag, column)),
    message,
    includeCompanyLogo,
  }
}

export function statusChangeFromRow(row: Selectable<OutboxStatusChangesTable>): StatusChange {
  return {
    status: oneOf(OUTBOX_STATUSES, row.status, 'outbox_status_changes.status'),
    atMs: row.changed_at,
  }
}

export function statusChangeToRow(
  outboxId: string,
  position: number,
  change: StatusChange,
): Insertable<OutboxStatusChangesTable> {
  return { outbox_id: outboxId, position, status: change.status, changed_at: change.atMs }
}

export function deliveryFromRow(row: Selectable<DeliveriesTable>): Delivery {
  return {
    id: row.id,
    outboxId: row.outbox_id,
    destination: asDialString(row.destination, 'deliveries.destination'),
    fromNumber: row.from_number === null ? null : asE164(row.from_number, 'deliveries.from_number'),
  }
}

export function deliveryToRow(delivery: Delivery, position: number): Insertable<DeliveriesTable> {
  return {
    id: delivery.id,
    outbox_id: delivery.outboxId,
    position,
    destination: delivery.destination.text,
    from_number: delivery.fromNumber,
  }
}

function headerLineFromJson(text: string): HeaderLine {
  const value = parseJsonObject(text, 'outbox_entries.header_line')
  const { template, timeZone, name } = value
  if (typeof template !== 'string' || typeof timeZone !== 'string' || typeof name !== 'string') {
    throw new Error(`outbox_entries.header_line holds ${text}`)
  }
  return { template, timeZone, name }
}
