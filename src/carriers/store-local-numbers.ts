/**
 * LocalNumbers over the number repository: a number takes calls while it is active and not
 * cancelled, the same test as for sending from it (maySendFrom in domain/fax-number.ts).
 */
import type { LocalNumbers } from '../domain/inbound-fax.js'
import type { NumberRepository } from '../domain/ports.js'

export function storeLocalNumbers(numbers: NumberRepository): LocalNumbers {
  return {
    async ownerOf(number) {
      const found = await numbers.get(number)
      if (found === null || found.status !== 'active' || found.isCanceled) {
        return null
      }
      return { uid: found.ownerUid }
    },
  }
}
