/**
 * listFaxes: the fax archive of a user, records of sent and received faxes, filtered by category
 * and time. Records are visible to their owner and the owner's corporate admin (the `user_id` of
 * the path, as resolve-user.ts reads it).
 */
import type { FaxCategory, FaxRecord } from '../domain/fax.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'

export interface FaxListFilter {
  readonly category: FaxCategory | null
  readonly afterMs: number | null
  readonly beforeMs: number | null
  readonly limit: number
}

export async function listFaxes(
  services: Services,
  actor: Actor,
  userId: string,
  filter: FaxListFilter,
): Promise<FaxRecord[]> {
  const user = await resolveUser(services, actor, userId)
  return services.store.faxes.list({ ownerUid: user.uid, ...filter })
}
