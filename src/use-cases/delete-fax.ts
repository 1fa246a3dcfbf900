/**
 * deleteFax: removes a fax record the caller can see (see get-fax.ts) from the archive.
 */
import type { Actor, Services } from './context.js'
import { getFax } from './get-fax.js'

export async function deleteFax(
  services: Services,
  actor: Actor,
  userId: string,
  faxId: string,
): Promise<void> {
  const fax = await getFax(services, actor, userId, faxId)
  await services.store.faxes.delete(fax.id)
}
