/**
 * listNumbers: the fax numbers of a user as that user sees them. An individual or corporate admin
 * sees the numbers it owns; a corporate member sees the numbers assigned to it.
 */
import type { Account } from '../domain/account.js'
import type { FaxNumber } from '../domain/fax-number.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'

export async function listNumbers(
  services: Services,
  actor: Actor,
  userId: string,
): Promise<FaxNumber[]> {
  const user = await resolveUser(services, actor, userId)
  return numbersOf(services, user)
}

async function numbersOf(services: Services, user: Account): Promise<FaxNumber[]> {
  return user.accountType === 'corporate_member'
    ? services.store.numbers.listAssignedTo(user.uid)
    : services.store.numbers.listOwnedBy(user.uid)
}
