/**
 * routeCall with the real carriers, over the real store: the first carrier in the order given
 * that takes the destination wins, so a number of this server goes to loopback even when it is
 * a test number; test numbers go to the simulated carrier; anything else to none.
 */
import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, it } from 'node:test'
import { routeCall } from '../../src/carriers/carrier-router.js'
import { FsFileStore } from '../../src/storage/files/fs-file-store.js'
import { LoopbackCarrier } from '../../src/carriers/loopback-carrier.js'
import { SimulatedCarrier } from '../../src/carriers/simulated-carrier.js'
import { storeLocalNumbers } from '../../src/carriers/store-local-numbers.js'
import type { Carrier } from '../../src/domain/carrier.js'
import { asE164 } from '../../src/domain/fax-number.js'
import { ManualClock } from '../../src/shared/clock.js'
import { TEST_PASSWORDS } from '../support/test-passwords.js'
import { addNumber } from '../../src/use-cases/add-number.js'
import { createAccount } from '../../src/use-cases/create-account.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

for (const engine of ENGINES) {
  describe(`routing a call (${engine})`, () => {
    const world = freshStoreForEachTest(engine)
    let loopback: Carrier
    let simulated: Carrier

    beforeEach(async () => {
      const services = { store: world().store, clock: new ManualClock(), passwords: TEST_PASSWORDS }
      const owner = await createAccount(services, {
        email: 'owner@example.test',
        type: null,
        adminUid: null,
        password: null,
      })
      for (const number of ['+15555550150', '+15555550100']) {
        await addNumber(services, { number, ownerUid: owner.uid, assignTo: [] })
      }
      loopback = new LoopbackCarrier({
        numbers: storeLocalNumbers(world().store.numbers),
        // Routing never calls: an inbound fax here would be a fault.
        inbound: { receive: async () => assert.fail('routing delivered a fax') },
        files: new FsFileStore(join(tmpdir(), 'faxd-router-never-reads')),
        clock: services.clock,
        timeScale: 0,
      })
      simulated = new SimulatedCarrier({ timeScale: 0 })
    })

    it('picks loopback for a number of this server, before the simulated carrier', async () => {
      assert.equal(await routeCall([loopback, simulated], asE164('+15555550150')), loopback)
      assert.equal(await routeCall([loopback, simulated], asE164('+15555550100')), loopback)
    })

    it('follows the order it is given', async () => {
      assert.equal(await routeCall([simulated, loopback], asE164('+15555550100')), simulated)
    })

    it('picks the simulated carrier for a test number not on this server', async () => {
      assert.equal(await routeCall([loopback, simulated], asE164('+15555550101')), simulated)
      assert.equal(await routeCall([loopback, simulated], asE164('+15555550106')), simulated)
    })

    it('answers null when no carrier takes the destination', async () => {
      assert.equal(await routeCall([loopback, simulated], asE164('+15555550107')), null)
      assert.equal(await routeCall([loopback, simulated], asE164('+4930123456')), null)
      assert.equal(await routeCall([], asE164('+15555550101')), null)
    })
  })
}
