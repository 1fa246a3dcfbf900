/**
 * The fax number a path names, for the number use cases. Text that is not E.164 and a number the
 * store does not hold are both `number_not_found`, the same answer as for a number the user may
 * not see.
 */
import { DomainError } from '../domain/domain-error.js'
import { type FaxNumber, parseE164 } from '../domain/fax-number.js'
import type { Services } from './context.js'

export async function findNumber(services: Services, numberText: string): Promise<FaxNumber> {
  const e164 = parseE164(numberText)
  const number = e164 ? await services.store.numbers.get(e164) : null
  if (!number) {
    throw notFound()
  }
  return number
}

export function notFound(): DomainError {
  return new DomainError('number_not_found', 'No such number for this user')
}
