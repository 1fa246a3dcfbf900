/**
 * The fax record a delivery becomes once it has ended: after its last attempt, or when its
 * entry is cancelled between attempts (the calls made are kept on the record, under the id
 * `return_ids` gave).
 */
import type { FaxRecord } from './fax.js'
import type { Delivery, OutboxEntry } from './outbox-entry.js'
import type { CallAttempt } from './transmission.js'

export interface EndedDelivery {
  readonly entry: OutboxEntry
  readonly delivery: Delivery
  /** Every attempt, in order; at least one. */
  readonly attempts: readonly CallAttempt[]
  /** Pages confirmed over every attempt. */
  readonly pagesConfirmed: number
  /** Every page of the fax confirmed, over however many attempts: a success. */
  readonly allSent: boolean
  /** Instead of the last attempt's description (a cancelled delivery says so). */
  readonly description?: string
  /** When the record was made, if later than the last attempt's end. */
  readonly endedAtMs?: number
}

export function outgoingFaxRecord(ended: EndedDelivery): FaxRecord {
  const { entry, delivery, attempts } = ended
  const first = attempts[0]
  const last = attempts[attempts.length - 1]
  if (first === undefined || last === undefined) {
    throw new Error(`delivery ${delivery.id} ended without an attempt`)
  }
  return {
    id: delivery.id,
    ownerUid: entry.uid,
    direction: 'outgoing',
    from: delivery.fromNumber ?? '',
    to: delivery.destination.text,
    // Every page over however many attempts is a success; some of them, partially_sent, whatever
    // the last attempt met (a busy line, a call interrupted by its worker's death).
    status: ended.allSent ? 'success' : ended.pagesConfirmed > 0 ? 'partially_sent' : last.status,
    pages: ended.pagesConfirmed,
    durationSeconds: Math.round(
      attempts.reduce((total, each) => total + (each.endedAtMs - each.startedAtMs), 0) / 1000,
    ),
    comment: entry.commentText,
    isRead: false,
    isSpam: false,
    startedAtMs: first.startedAtMs,
    submittedAtMs: entry.submittedAtMs,
    updatedAtMs: Math.max(last.endedAtMs, ended.endedAtMs ?? 0),
    maxRetry: entry.retry.count,
    retryDelaySeconds: entry.retry.delaySeconds,
    documentKey: entry.documentKey,
    description: ended.description ?? (ended.allSent ? 'OK' : last.description),
    header: last.header,
  }
}
