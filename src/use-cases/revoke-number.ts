/**
 * revokeNumber: takes a number from an account it is assigned to. The owner revokes it from its
 * members, or a holder gives it up itself; a number is never revoked from its owner
 * (`cannot_revoke_from_owner`). Anything else is `number_not_found`.
 */
import { DomainError } from '../domain/domain-error.js'
import type { Actor, Services } from './context.js'
import { findNumber, notFound } from './find-number.js'
import { resolveUser } from './resolve-user.js'

export async function revokeNumber(
  services: Services,
  actor: Actor,
  userId: string,
  numberText: string,
): Promise<void> {
  const holder = await resolveUser(services, actor, userId)
  const number = await findNumber(services, numberText)
  const ownerActs = number.ownerUid === actor.account.uid
  if (ownerActs && holder.uid === number.ownerUid) {
    throw new DomainError('cannot_revoke_from_owner', 'A number cannot be revoked from its owner')
  }
  const holderActs = holder.uid === actor.account.uid
  if (!(ownerActs || holderActs) || !number.assignedTo.includes(holder.uid)) {
    throw notFound()
  }
  await services.store.numbers.revoke(number.id, holder.uid)
}
