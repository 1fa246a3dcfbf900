/**
 * cancelOutboxEntry: cancels an outbox entry the caller can see (see get-outbox-entry.ts).
 * Cancelling removes the entry, its deliveries and its jobs, unless it is already being sent
 * (then `outbox_fax_sending`). A destination already called (cancelled between retries) keeps
 * its calls: it becomes its fax record, under the id `return_ids` gave.
 */
import { DomainError } from '../domain/domain-error.js'
import type { FaxRecord } from '../domain/fax.js'
import type { OutboxEntry } from '../domain/outbox-entry.js'
import { outgoingFaxRecord } from '../domain/outgoing-fax-record.js'
import type { AttemptedDelivery } from '../domain/ports.js'
import type { Actor, Services } from './context.js'
import { findOutboxEntry } from './get-outbox-entry.js'

export async function cancelOutboxEntry(
  services: Services,
  actor: Actor,
  userId: string,
  outboxId: string,
): Promise<void> {
  const entry = await findOutboxEntry(services, actor, userId, outboxId)
  const atMs = services.clock.now()
  const outcome = await services.store.outbox.delete(entry.id, (current, attempted) =>
    cancellationRecords(current, attempted, atMs),
  )
  if (outcome === 'sending') {
    throw new DomainError('outbox_fax_sending', 'The fax is being sent and cannot be cancelled')
  }
  if (outcome === 'not_found') {
    throw new DomainError('outbox_fax_not_found', 'No outgoing fax with this id')
  }
}

/**
 * The fax records of a cancelled entry's destinations that have been called: each keeps its
 * calls, with the last one's status, and says it was cancelled after how many. A destination
 * whose only call never ended (counted, nothing recorded) has nothing to keep.
 */
export function cancellationRecords(
  entry: OutboxEntry,
  attempted: readonly AttemptedDelivery[],
  atMs: number,
): FaxRecord[] {
  const records: FaxRecord[] = []
  for (const { delivery, attempts, pagesConfirmed } of attempted) {
    const count = attempts.length
    const last = attempts[count - 1]
    if (last === undefined) {
      continue
    }
    records.push(
      outgoingFaxRecord({
        entry,
        delivery,
        attempts,
        pagesConfirmed,
        allSent: false,
        description: `cancelled by the sender after ${count} attempt${count === 1 ? '' : 's'}; the last: ${last.description}`,
        endedAtMs: atMs,
      }),
    )
  }
  return records
}
