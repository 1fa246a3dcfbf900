/**
 * addNumber: the operator adds a fax number (`faxd numbers add`). There is no actor: the operator
 * is trusted, but the same rules hold: the number is E.164, its owner is an individual or
 * corporate admin account, and it is assigned only within its owner's account (the owner or one
 * of its members).
 */
import { mayActFor } from '../domain/account.js'
import { DomainError } from '../domain/domain-error.js'
import { type FaxNumber, parseE164 } from '../domain/fax-number.js'
import { newId32 } from '../shared/ids.js'
import type { OperatorServices } from './context.js'

export async function addNumber(
  services: OperatorServices,
  input: { number: string; ownerUid: string; assignTo: readonly string[] },
): Promise<FaxNumber> {
  const e164 = parseE164(input.number)
  if (!e164) {
    throw new DomainError('invalid_request', `Not an E.164 number: ${input.number}`)
  }
  const owner = await services.store.accounts.get(input.ownerUid)
  if (!owner || owner.accountType === 'corporate_member') {
    throw new DomainError(
      'invalid_account_type',
      '--owner must be an individual or corporate_admin account',
    )
  }
  for (const uid of input.assignTo) {
    const assignee = await services.store.accounts.get(uid)
    if (!assignee || !mayActFor(owner, assignee)) {
      throw new DomainError('invalid_member', `${uid} is neither the owner nor one of its members`)
    }
  }
  const number: FaxNumber = {
    id: newId32(),
    number: e164,
    ownerUid: owner.uid,
    status: 'active',
    assignedTo: [...new Set(input.assignTo)].sort(),
    acquiredAtMs: services.clock.now(),
    expiresAtMs: null,
    isCanceled: false,
  }
  await services.store.numbers.add(number)
  return number
}
