/**
 * getOutboxEntry: one outbox entry with where each of its destinations stands (attempts, the
 * call in progress and its confirmed pages, the next attempt's time). An entry is visible to its
 * sender and the sender's corporate admin; to anyone else it does not exist
 * (`outbox_fax_not_found`). findOutboxEntry is that lookup alone, for the other outbox actions.
 */
import { DomainError } from '../domain/domain-error.js'
import type { OutboxEntry } from '../domain/outbox-entry.js'
import type { DeliveryProgress } from '../domain/transmission.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'

export async function getOutboxEntry(
  services: Services,
  actor: Actor,
  userId: string,
  outboxId: string,
): Promise<{ entry: OutboxEntry; destinations: DeliveryProgress[] }> {
  const entry = await findOutboxEntry(services, actor, userId, outboxId)
  return { entry, destinations: await services.store.transmissions.listProgress(entry.id) }
}

export async function findOutboxEntry(
  services: Services,
  actor: Actor,
  userId: string,
  outboxId: string,
): Promise<OutboxEntry> {
  const user = await resolveUser(services, actor, userId)
  const entry = await services.store.outbox.get(outboxId)
  if (!entry || entry.uid !== user.uid) {
    throw new DomainError('outbox_fax_not_found', 'No outgoing fax with this id')
  }
  return entry
}
