/**
 * Fax numbers as their users see them. An individual or corporate admin sees the numbers it
 * owns; a corporate member sees the numbers assigned to it. The owner assigns its numbers to
 * itself or its members and revokes them; a number is never revoked from its owner.
 */
import type { Account } from '../domain/account.js'
import { mayActFor } from '../domain/account.js'
import { DomainError } from '../domain/domain-error.js'
import { type FaxNumber, parseE164 } from '../domain/fax-number.js'
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

export async function getNumber(
  services: Services,
  actor: Actor,
  userId: string,
  numberText: string,
): Promise<FaxNumber> {
  const user = await resolveUser(services, actor, userId)
  const number = await findNumber(services, numberText)
  if (number.ownerUid !== user.uid && !number.assignedTo.includes(user.uid)) {
    throw notFound()
  }
  return number
}

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

export async function revokeNumber(
  services: Services,
  actor: Actor,
  userId: string,
  numberText: string,
): Promise<void> {
  const holder = await resolveUser(services, actor, userId)
  const number = await findNumber(services, numberText)
  const ownerActs = number.ownerUid === actor.account.uid
  if (ownerActs && holder.uid === number.ownerUid) {
    throw new DomainError('cannot_revoke_from_owner', 'A number cannot be revoked from its owner')
  }
  const holderActs = holder.uid === actor.account.uid
  if (!(ownerActs || holderActs) || !number.assignedTo.includes(holder.uid)) {
    throw notFound()
  }
  await services.store.numbers.revoke(number.id, holder.uid)
}

async function numbersOf(services: Services, user: Account): Promise<FaxNumber[]> {
  return user.accountType === 'corporate_member'
    ? services.store.numbers.listAssignedTo(user.uid)
    : services.store.numbers.listOwnedBy(user.uid)
}

async function findNumber(services: Services, numberText: string): Promise<FaxNumber> {
  const e164 = parseE164(numberText)
  const number = e164 ? await services.store.numbers.get(e164) : null
  if (!number) {
    throw notFound()
  }
  return number
}

function notFound(): DomainError {
  return new DomainError('number_not_found', 'No such number for this user')
}
