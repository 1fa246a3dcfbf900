/**
 * The carriers of a test app's worker, as `faxd serve` has them but with no waiting: numbers of
 * the app's own accounts through loopback (a real T.30 call between two of our engines, in
 * virtual time), and the simulated test numbers, each call over as soon as it is made.
 */
import { LoopbackCarrier } from '../../src/carriers/loopback-carrier.js'
import { SimulatedCarrier } from '../../src/carriers/simulated-carrier.js'
import { storeLocalNumbers } from '../../src/carriers/store-local-numbers.js'
import type { Carrier } from '../../src/domain/carrier.js'
import { inboundFaxes } from '../../src/use-cases/receive-inbound-fax.js'
import type { TestApp } from './test-app.js'

export function instantCarriers(t: TestApp): Carrier[] {
  const noWait = async () => {}
  return [
    new LoopbackCarrier({
      numbers: storeLocalNumbers(t.services.store.numbers),
      inbound: inboundFaxes(t.services),
      files: t.services.files,
      clock: t.clock,
      wait: noWait,
    }),
    new SimulatedCarrier({ wait: noWait }),
  ]
}
