/**
 * addNumber: the operator adds a fax number (`faxd numbers add`). There is no actor: the operator
 * is trusted, but the same rules hold: the number is E.164, its owner is an individual or
 * corporate admin account, and it is assigned only within its owner's account (the owner or one
 * of its members).
 */
import { mayActFor } from '../domain/account.js'
import { DomainError } from '../domain/domain-error.js'
import { type FaxNumber, parseWrittenNumber } from '../domain/fax-number.js'
import { newId32 } from '../shared/ids.js'
import type { OperatorServices } from './context.js'

export async function addNumber(
  services: OperatorServices,
  input: {
    number: string
    ownerUid: string
    assignTo: readonly string[]
    /** The calling code of a number written without one (`1`, `44`): parseWrittenNumber. */
    callingCode?: string
  },
): Promise<FaxNumber> {
  const e164 = parseWrittenNumber(input.number, input.callingCode)
  if (!e164) {
    throw new DomainError(
      'invalid_request',
      `${JSON.stringify(input.number)} is not a fax number: write it in E.164 form, + and the ` +
        'country code, e.g. +1 555 555 0100 (spaces, dots, dashes and parentheses are fine), ' +
        'or give a national number with its country (--country 1)',
    )
  }
  const owner = await services.store.accounts.get(input.ownerUid)
  if (!owner) {
    throw new DomainError(
      'invalid_request',
      `no account has the uid ${JSON.stringify(input.ownerUid)} (--owner); ` +
        '`faxd accounts create` makes one and prints its uid',
    )
  }
  if (owner.accountType === 'corporate_member') {
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
