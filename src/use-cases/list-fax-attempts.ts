/**
 * The attempts of a fax (beyond Fax.Plus): when each call started and ended, how it ended, and
 * which pages it got through. Visible to whoever may read the fax record (getFax's rule).
 */
import type { CallAttempt } from '../domain/transmission.js'
import type { Actor, Services } from './context.js'
import { getFax } from './get-fax.js'

export async function listFaxAttempts(
  services: Services,
  actor: Actor,
  userId: string,
  faxId: string,
): Promise<CallAttempt[]> {
  const fax = await getFax(services, actor, userId, faxId)
  return services.store.transmissions.listAttempts(fax.id)
}
