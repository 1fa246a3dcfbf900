/**
 * The Fax.Plus Fax record shape. The Python SDK requires comment, cost_details, id, owner_id,
 * pages and status. The docs show both `from` and `from_number`; both are sent.
 */
import type { FaxRecord } from '../../domain/fax.js'
import { formatUtc } from '../../shared/api-time.js'

export function toFaxJson(fax: FaxRecord) {
  const digits = (n: string) => n.replace(/[^0-9]/g, '')
  return {
    id: fax.id,
    owner_id: fax.ownerUid,
    direction: fax.direction,
    from: fax.from,
    from_number: fax.from,
    to: fax.to,
    status: fax.status,
    description:
      fax.description === '' ? (fax.status === 'success' ? 'OK' : fax.status) : fax.description,
    pages: fax.pages,
    duration: fax.durationSeconds,
    comment: fax.comment,
    is_read: fax.isRead,
    is_spam: fax.isSpam,
    cost: fax.pages,
    cost_details: { multiplier: 1, notification_cost: 0 },
    file: `${fax.id}.tiff`,
    file_name:
      fax.direction === 'incoming' ? `fax-from-${digits(fax.from)}` : `fax-to-${digits(fax.to)}`,
    header: fax.header,
    start_time: formatUtc(fax.startedAtMs),
    submit_time: fax.submittedAtMs === null ? null : formatUtc(fax.submittedAtMs),
    scheduled_time: null,
    last_update: formatUtc(fax.updatedAtMs),
    max_retry: fax.maxRetry,
    retry_delay: fax.retryDelaySeconds,
  }
}
