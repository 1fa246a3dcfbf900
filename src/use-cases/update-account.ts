/**
 * updateAccount: changes to the caller's own account, or for a corporate admin to one of its
 * members' accounts (the `user_id` of the path, as resolve-user.ts reads it). A new e-mail
 * address is kept in lower case, as every address is; a header line (settings.header_line)
 * must name fields and a time zone that exist.
 */
import { type AccountChanges, normalizeEmail } from '../domain/account.js'
import { DomainError } from '../domain/domain-error.js'
import { type HeaderLineSettings, headerLineSettingsProblem } from '../domain/header-line.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'

export async function updateAccount(
  services: Services,
  actor: Actor,
  userId: string,
  changes: AccountChanges,
): Promise<void> {
  const user = await resolveUser(services, actor, userId)
  const headerLine = changes.settings?.['header_line']
  if (headerLine !== undefined) {
    // Its JSON shape is the API schema's; what the shape cannot say is checked here.
    const problem = headerLineSettingsProblem(headerLine as HeaderLineSettings)
    if (problem !== null) {
      throw new DomainError('invalid_settings', problem)
    }
  }
  const normalized =
    changes.email === undefined ? changes : { ...changes, email: normalizeEmail(changes.email) }
  await services.store.accounts.update(user.uid, normalized)
}
