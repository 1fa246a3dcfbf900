/**
 * getAccount: the account information of the caller, or for a corporate admin of one of its
 * members (the `user_id` of the path, as resolve-user.ts reads it).
 */
import type { Account } from '../domain/account.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'

export async function getAccount(
  services: Services,
  actor: Actor,
  userId: string,
): Promise<Account> {
  const user = await resolveUser(services, actor, userId)
  // The actor's account was read when its token was checked; answer the stored one all the same.
  return (await services.store.accounts.get(user.uid)) ?? user
}
