/**
 * updateOutboxComment: annotates an outbox entry the caller can see (see get-outbox-entry.ts),
 * unless it is already being sent (then `outbox_fax_sending`).
 */
import { DomainError } from '../domain/domain-error.js'
import type { Actor, Services } from './context.js'
import { findOutboxEntry } from './get-outbox-entry.js'

export async function updateOutboxComment(
  services: Services,
  actor: Actor,
  userId: string,
  outboxId: string,
  text: string,
): Promise<void> {
  const entry = await findOutboxEntry(services, actor, userId, outboxId)
  const outcome = await services.store.outbox.updateComment(entry.id, text)
  if (outcome === 'sending') {
    throw new DomainError('outbox_fax_sending', 'The fax is being sent and cannot be changed')
  }
  if (outcome === 'not_found') {
    throw new DomainError('outbox_fax_not_found', 'No outgoing fax with this id')
  }
}
