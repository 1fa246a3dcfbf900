/**
 * getFax: one record of the fax archive. A record is visible to its owner and the owner's
 * corporate admin; to anyone else it does not exist (`fax_not_found`).
 */
import { DomainError } from '../domain/domain-error.js'
import type { FaxRecord } from '../domain/fax.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'

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
