/**
 * The Fax.Plus Outbox shape. Fields Fax.Plus fills from its web app (contact_name, extra_info,
 * initiated_from, file_changes) are present with empty values, as in its own examples.
 */
import type { OutboxEntry } from '../../domain/outbox-entry.js'
import type { DeliveryProgress } from '../../domain/transmission.js'
import { formatUtc, formatUtcWithOffset } from '../../shared/api-time.js'

/**
 * The official SDKs' RetryOptions allow a delay of at most 30 seconds, and the Python SDK raises
 * when it reads a larger one (the seed allows 180). Such a delay is left out of the SDK-shaped
 * `retry` objects, so every outbox entry stays readable; `retry_delay_seconds` always has it.
 */
const SDK_MAX_RETRY_DELAY_SECONDS = 30

function retryJson(entry: OutboxEntry): { count: number; delay?: number } {
  const { count, delaySeconds } = entry.retry
  return delaySeconds <= SDK_MAX_RETRY_DELAY_SECONDS ? { count, delay: delaySeconds } : { count }
}

/** `destinations` (getOutboxFax only) adds the faxd fields `ids` and `destinations`. */
export function toOutboxJson(entry: OutboxEntry, destinations: readonly DeliveryProgress[] | null) {
  const lastChange = entry.statusChanges[entry.statusChanges.length - 1]
  return {
    id: entry.id,
    uid: entry.uid,
    status: entry.status,
    src: entry.from,
    designated_src: '',
    to: [...entry.to],
    files: [...entry.files],
    comment: { tags: [...entry.commentTags], text: entry.commentText },
    options: {
      enhancement: entry.enhancement,
      retry: retryJson(entry),
      ...(entry.partiallySentRetry ? { partially_sent_retry: true } : {}),
    },
    retry: retryJson(entry),
    retry_delay_seconds: entry.retry.delaySeconds,
    should_enhance: entry.enhancement,
    resolution: entry.resolution,
    send_time: formatUtcWithOffset(entry.sendAtMs),
    submit_time: formatUtcWithOffset(entry.submittedAtMs),
    last_updated_status_time: formatUtc(lastChange?.atMs ?? entry.submittedAtMs),
    status_changes: entry.statusChanges.map((c) => ({ at: formatUtc(c.atMs), status: c.status })),
    page_count: entry.pageCount,
    ip: entry.clientIp,
    contact_name: '',
    extra_info: {},
    file_changes: [],
    initiated_from: { from_id: '', type: '' },
    ...(entry.fromFax
      ? { from_fax: { fax_id: entry.fromFax.faxId, user_id: entry.fromFax.ownerUid } }
      : {}),
    ...(entry.coverPage
      ? {
          cover_page: {
            name_to: entry.coverPage.nameTo,
            name_from: entry.coverPage.nameFrom,
            subject: entry.coverPage.subject,
            flags: [...entry.coverPage.flags],
            ...(entry.coverPage.message !== null ? { message: entry.coverPage.message } : {}),
            include_company_logo: entry.coverPage.includeCompanyLogo,
          },
        }
      : {}),
    ...(destinations
      ? {
          ids: Object.fromEntries(
            destinations.map((d) => [d.delivery.destination.text, d.delivery.id]),
          ),
          destinations: destinations.map(destinationJson),
        }
      : {}),
  }
}

function destinationJson(progress: DeliveryProgress) {
  const { delivery, call } = progress
  const confirmed = new Set([...progress.pagesConfirmed, ...(call?.pagesConfirmed ?? [])])
  return {
    to: delivery.destination.text,
    id: delivery.id,
    state: call === null ? 'waiting' : 'calling',
    attempts: progress.attempts,
    pages_confirmed: [...confirmed].sort((a, b) => a - b),
    call:
      call === null
        ? null
        : { started_at: formatUtc(call.startedAtMs), pages_confirmed: [...call.pagesConfirmed] },
    next_attempt_time:
      progress.nextAttemptAtMs === null ? null : formatUtcWithOffset(progress.nextAttemptAtMs),
  }
}
