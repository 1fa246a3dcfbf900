/**
 * Reading, annotating and cancelling outbox entries. An entry is visible to its sender and the
 * sender's corporate admin; to anyone else it does not exist. Cancelling removes the entry, its
 * deliveries and its jobs, unless it is already being sent (then `outbox_fax_sending`).
 */
import { DomainError } from '../domain/domain-error.js'
import type { Delivery, OutboxEntry } from '../domain/outbox-entry.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'

export async function listOutbox(
  services: Services,
  actor: Actor,
  userId: string,
): Promise<OutboxEntry[]> {
  const user = await resolveUser(services, actor, userId)
  return services.store.outbox.listByUser(user.uid)
}

export async function getOutboxEntry(
  services: Services,
  actor: Actor,
  userId: string,
  outboxId: string,
): Promise<{ entry: OutboxEntry; deliveries: Delivery[] }> {
  const user = await resolveUser(services, actor, userId)
  const entry = await services.store.outbox.get(outboxId)
  if (!entry || entry.uid !== user.uid) {
    throw new DomainError('outbox_fax_not_found', 'No outgoing fax with this id')
  }
  return { entry, deliveries: await services.store.outbox.listDeliveries(entry.id) }
}

export async function updateOutboxComment(
  services: Services,
  actor: Actor,
  userId: string,
  outboxId: string,
  text: string,
): Promise<void> {
  const { entry } = await getOutboxEntry(services, actor, userId, outboxId)
  const outcome = await services.store.outbox.updateComment(entry.id, text)
  if (outcome === 'sending') {
    throw new DomainError('outbox_fax_sending', 'The fax is being sent and cannot be changed')
  }
  if (outcome === 'not_found') {
    throw new DomainError('outbox_fax_not_found', 'No outgoing fax with this id')
  }
}

export async function cancelOutboxEntry(
  services: Services,
  actor: Actor,
  userId: string,
  outboxId: string,
): Promise<void> {
  const { entry } = await getOutboxEntry(services, actor, userId, outboxId)
  const outcome = await services.store.outbox.delete(entry.id)
  if (outcome === 'sending') {
    throw new DomainError('outbox_fax_sending', 'The fax is being sent and cannot be cancelled')
  }
  if (outcome === 'not_found') {
    throw new DomainError('outbox_fax_not_found', 'No outgoing fax with this id')
  }
}
