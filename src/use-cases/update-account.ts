/**
 * updateAccount: changes to the caller's own account, or for a corporate admin to one of its
 * members' accounts (the `user_id` of the path, as resolve-user.ts reads it). A new e-mail
 * address is kept in lower case, as every address is.
 */
import { type AccountChanges, normalizeEmail } from '../domain/account.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'

export async function updateAccount(
  services: Services,
  actor: Actor,
  userId: string,
  changes: AccountChanges,
): Promise<void> {
  const user = await resolveUser(services, actor, userId)
  const normalized =
    changes.email === undefined ? changes : { ...changes, email: normalizeEmail(changes.email) }
  await services.store.accounts.update(user.uid, normalized)
}
