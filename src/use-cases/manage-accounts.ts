/**
 * Account information: the caller's own account, its corporate members (for an admin), changes
 * to either, and member details (quota and role) that only the admin sets.
 */
import type { Account, AccountChanges } from '../domain/account.js'
import { DomainError } from '../domain/domain-error.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'

export async function listMembers(services: Services, actor: Actor): Promise<Account[]> {
  requireAdmin(actor)
  return services.store.accounts.listMembers(actor.account.uid)
}

export async function getAccount(
  services: Services,
  actor: Actor,
  userId: string,
): Promise<Account> {
  const user = await resolveUser(services, actor, userId)
  // The actor's account was read when its token was checked; answer the stored one all the same.
  return (await services.store.accounts.get(user.uid)) ?? user
}

export async function updateAccount(
  services: Services,
  actor: Actor,
  userId: string,
  changes: AccountChanges,
): Promise<void> {
  const user = await resolveUser(services, actor, userId)
  await services.store.accounts.update(user.uid, changes)
}

export interface MemberDetails {
  readonly quota: number | null
  readonly role: string | null
}

export async function getMemberDetails(
  services: Services,
  actor: Actor,
  memberUid: string,
): Promise<MemberDetails> {
  const member = await findMember(services, actor, memberUid)
  return { quota: member.memberQuota, role: member.memberRole }
}

export async function updateMemberDetails(
  services: Services,
  actor: Actor,
  memberUid: string,
  details: { quota?: number; role?: string },
): Promise<void> {
  const member = await findMember(services, actor, memberUid)
  await services.store.accounts.setMemberDetails(member.uid, details)
}

function requireAdmin(actor: Actor): void {
  if (actor.account.accountType !== 'corporate_admin') {
    throw new DomainError('not_corporate_admin', 'Only a corporate admin may do this')
  }
}

async function findMember(services: Services, actor: Actor, memberUid: string): Promise<Account> {
  requireAdmin(actor)
  const member = await services.store.accounts.get(memberUid)
  if (!member || member.adminUid !== actor.account.uid) {
    throw new DomainError('invalid_user_id', 'Invalid user id given')
  }
  return member
}
