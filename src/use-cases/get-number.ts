/**
 * getNumber: one fax number of a user. The user sees a number it owns or that is assigned to it;
 * any other number is `number_not_found`.
 */
import type { FaxNumber } from '../domain/fax-number.js'
import type { Actor, Services } from './context.js'
import { findNumber, notFound } from './find-number.js'
import { resolveUser } from './resolve-user.js'

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
