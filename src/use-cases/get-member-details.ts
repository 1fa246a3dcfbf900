/**
 * getMemberDetails: a corporate member's details (quota and role), which only its admin sets.
 * Only the member's own corporate admin may read them (see corporate-member.ts).
 */
import type { Actor, Services } from './context.js'
import { findMember } from './corporate-member.js'

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
