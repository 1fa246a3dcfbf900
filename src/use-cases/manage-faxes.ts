/**
 * The fax archive: records of sent and received faxes, filtered by category and time. A record
 * is visible to its owner and the owner's corporate admin; to anyone else it does not exist.
 */
import { DomainError } from '../domain/domain-error.js'
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

export async function getFax(
  services: Services,
  actor: Actor,
  userId: string,
  faxId: string,
): Promise<FaxRecord> {
  const user = await resolveUser(services, actor, userId)
  const fax = await services.store.faxes.get(faxId)
  if (!fax || fax.ownerUid !== user.uid) {
    throw new DomainError('fax_not_found', 'No fax with this id')
  }
  return fax
}

export async function updateFax(
  services: Services,
  actor: Actor,
  userId: string,
  faxId: string,
  changes: { comment?: string; isRead?: boolean },
): Promise<void> {
  const fax = await getFax(services, actor, userId, faxId)
  await services.store.faxes.update(fax.id, changes, services.clock.now())
}

export async function deleteFax(
  services: Services,
  actor: Actor,
  userId: string,
  faxId: string,
): Promise<void> {
  const fax = await getFax(services, actor, userId, faxId)
  await services.store.faxes.delete(fax.id)
}
