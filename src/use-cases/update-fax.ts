/**
 * updateFax: changes the comment or the read flag of a fax record the caller can see (see
 * get-fax.ts).
 */
import type { Actor, Services } from './context.js'
import { getFax } from './get-fax.js'

export async function updateFax(
  services: Services,
  actor: Actor,
  userId: string,
  faxId: string,
  changes: { comment?: string; isRead?: boolean },
): Promise<void> {
  const fax = await getFax(services, actor, userId, faxId)
  await services.store.faxes.update(fax.id, changes, services.clock.now())
}
