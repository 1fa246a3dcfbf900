/**
 * listOutbox: the outbox entries of a user. Entries are visible to their sender and the sender's
 * corporate admin (the `user_id` of the path, as resolve-user.ts reads it).
 */
import type { OutboxEntry } from '../domain/outbox-entry.js'
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
