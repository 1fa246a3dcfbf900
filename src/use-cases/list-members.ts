/**
 * listMembers: the corporate members of the caller's account. Only a corporate admin may list
 * them (`not_corporate_admin`).
 */
import type { Account } from '../domain/account.js'
import type { Actor, Services } from './context.js'
import { requireAdmin } from './corporate-member.js'

export async function listMembers(services: Services, actor: Actor): Promise<Account[]> {
  requireAdmin(actor)
  return services.store.accounts.listMembers(actor.account.uid)
}
