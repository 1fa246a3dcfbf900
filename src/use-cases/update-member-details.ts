/**
 * updateMemberDetails: sets a corporate member's quota and role. Only the member's own corporate
 * admin sets them (see corporate-member.ts).
 */
import type { Actor, Services } from './context.js'
import { findMember } from './corporate-member.js'

export async function updateMemberDetails(
  services: Services,
  actor: Actor,
  memberUid: string,
  details: { quota?: number; role?: string },
): Promise<void> {
  const member = await findMember(services, actor, memberUid)
  await services.store.accounts.setMemberDetails(member.uid, details)
}
