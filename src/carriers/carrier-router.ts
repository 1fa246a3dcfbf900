/**
 * Picks the carrier for a destination: the first, in the order given (loopback, simulated, then
 * SIP), that takes calls to it. None does: the caller ends the fax with
 * `failed_destination_not_supported`.
 */
import type { Carrier } from '../domain/carrier.js'
import type { E164 } from '../domain/fax-number.js'

export async function routeCall(
  carriers: readonly Carrier[],
  destination: E164,
): Promise<Carrier | null> {
  for (const carrier of carriers) {
    if (await carrier.handles(destination)) {
      return carrier
    }
  }
  return null
}
