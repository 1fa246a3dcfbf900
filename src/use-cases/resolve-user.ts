/**
 * The `user_id` of a path: `self`, or the uid of a member of the caller's corporate account
 * (the caller being its admin). Anything else is `invalid_user_id`, whether or not the id
 * exists, so that ids of other tenants cannot be probed.
 */
import { type Account, mayActFor } from '../domain/account.js'
import { DomainError } from '../domain/domain-error.js'
import type { Actor, Services } from './context.js'

export async function resolveUser(
  services: Services,
  actor: Actor,
  userId: string,
): Promise<Account> {
  if (userId === 'self' || userId === actor.account.uid) {
    return actor.account
  }
  const target = await services.store.accounts.get(userId)
  if (!target || !mayActFor(actor.account, target)) {
    throw new DomainError('invalid_user_id', 'Invalid user id given')
  }
  return target
}
