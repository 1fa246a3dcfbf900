/**
 * The checks behind a corporate admin's member use cases: the caller must be a corporate admin
 * (`not_corporate_admin`), and a member uid must name one of that admin's own members; any other
 * uid, existing or not, is `invalid_user_id`.
 */
import type { Account } from '../domain/account.js'
import { DomainError } from '../domain/domain-error.js'
import type { Actor, Services } from './context.js'

export function requireAdmin(actor: Actor): void {
  if (actor.account.accountType !== 'corporate_admin') {
    throw new DomainError('not_corporate_admin', 'Only a corporate admin may do this')
  }
}

export async function findMember(
  services: Services,
  actor: Actor,
  memberUid: string,
): Promise<Account> {
  requireAdmin(actor)
  const member = await services.store.accounts.get(memberUid)
  if (!member || member.adminUid !== actor.account.uid) {
    throw new DomainError('invalid_user_id', 'Invalid user id given')
  }
  return member
}
