/**
 * cancelOutboxEntry: cancels an outbox entry the caller can see (see get-outbox-entry.ts).
 * Cancelling removes the entry, its deliveries and its jobs, unless it is already being sent
 * (then `outbox_fax_sending`). A destination already called (cancelled between retries) keeps
 * its calls: it becomes its fax record, under the id `return_ids` gave.
 */
import { DomainError } from '../domain/domain-error.js'
import type { Actor, Services } from './context.js'
import { findOutboxEntry } from './get-outbox-entry.js'

export async function cancelOutboxEntry(
  services: Services,
  actor: Actor,
  userId: string,
  outboxId: string,
): Promise<void> {
  const entry = await findOutboxEntry(services, actor, userId, outboxId)
  const outcome = await services.store.outbox.delete(entry.id, services.clock.now())
  if (outcome === 'sending') {
    throw new DomainError('outbox_fax_sending', 'The fax is being sent and cannot be cancelled')
  }
  if (outcome === 'not_found') {
    throw new DomainError('outbox_fax_not_found', 'No outgoing fax with this id')
  }
}
