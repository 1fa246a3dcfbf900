/**
 * assignNumber: the owner assigns one of its numbers to itself or to one of its members
 * (`invalid_member` for anyone else). A number the user does not own is `number_not_found`;
 * assigning it again to the same account changes nothing.
 */
import { mayActFor } from '../domain/account.js'
import { DomainError } from '../domain/domain-error.js'
import type { Actor, Services } from './context.js'
import { findNumber, notFound } from './find-number.js'
import { resolveUser } from './resolve-user.js'

export async function assignNumber(
  services: Services,
  actor: Actor,
  userId: string,
  numberText: string,
  assigneeUid: string,
): Promise<void> {
  const owner = await resolveUser(services, actor, userId)
  const number = await findNumber(services, numberText)
  if (number.ownerUid !== owner.uid) {
    throw notFound()
  }
  const assignee = await services.store.accounts.get(assigneeUid)
  if (!assignee || !mayActFor(owner, assignee)) {
    throw new DomainError('invalid_member', 'assigned_to must be the owner or one of its members')
  }
  if (!number.assignedTo.includes(assignee.uid)) {
    await services.store.numbers.assign(number.id, assignee.uid)
  }
}
