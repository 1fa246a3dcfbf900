/**
 * The loopback carrier over the real store, on SQLite and PostgreSQL: it takes calls to the
 * active numbers of this server and to no other, and a call delivers the fax once, as the inbound
 * fax of the number's owner, with every page confirmed only once it is filed.
 */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { LoopbackCarrier } from '../../src/carriers/loopback-carrier.js'
import { storeLocalNumbers } from '../../src/carriers/store-local-numbers.js'
import type { InboundFax, InboundFaxes } from '../../src/domain/inbound-fax.js'
import type { Account } from '../../src/domain/account.js'
import { asE164 } from '../../src/domain/fax-number.js'
import { ManualClock } from '../../src/shared/clock.js'
import { addNumber } from '../../src/use-cases/add-number.js'
import { createAccount } from '../../src/use-cases/create-account.js'
import { aFaxNumber } from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'
import { anOutgoingCall, RecordedWaits, recordedProgress } from './call-recording.js'

const LOCAL = asE164('+15555550150')
const FOREIGN = asE164('+4930123456')

/**
 * InboundFaxes is the boundary to the use case that files an incoming fax, which does not exist
 * yet; this implementation of the port only records what it was given.
 */
class RecordedInboundFaxes implements InboundFaxes {
  readonly received: InboundFax[] = []
  async receive(fax: InboundFax): Promise<void> {
    this.received.push(fax)
  }
}

for (const engine of ENGINES) {
  describe(`the loopback carrier (${engine})`, () => {
    const world = freshStoreForEachTest(engine)
    const clock = new ManualClock()
    let owner: Account

    beforeEach(async () => {
      const services = { store: world().store, clock }
      owner = await createAccount(services, {
        email: 'owner@example.test',
        type: null,
        adminUid: null,
        password: null,
      })
      await addNumber(services, { number: LOCAL, ownerUid: owner.uid, assignTo: [] })
    })

    function loopback(inbound: InboundFaxes, recorded = new RecordedWaits()): LoopbackCarrier {
      const numbers = storeLocalNumbers(world().store.numbers)
      return new LoopbackCarrier({ numbers, inbound, clock, wait: recorded.wait })
    }

    it('handles the active numbers of this server, and no other', async () => {
      const pending = aFaxNumber(owner.uid, { status: 'waiting_verification' })
      const cancelled = aFaxNumber(owner.uid, { isCanceled: true })
      await world().store.numbers.add(pending)
      await world().store.numbers.add(cancelled)
      const carrier = loopback(new RecordedInboundFaxes())
      assert.equal(await carrier.handles(LOCAL), true)
      assert.equal(await carrier.handles(FOREIGN), false)
      assert.equal(await carrier.handles(asE164('+15555550100')), false)
      assert.equal(await carrier.handles(pending.number), false)
      assert.equal(await carrier.handles(cancelled.number), false)
    })

    it("delivers the fax once, as the owner's inbound fax, with every page confirmed", async () => {
      const inbound = new RecordedInboundFaxes()
      const recorded = new RecordedWaits()
      const { events, progress } = recordedProgress()
      const call = anOutgoingCall(LOCAL, { from: asE164('+15555550100'), pages: [2, 3] })
      const result = await loopback(inbound, recorded).call(
        call,
        progress,
        new AbortController().signal,
      )
      const negotiated = { remoteStationId: LOCAL, bitRate: 14400, coding: 'mmr', ecm: true }
      assert.deepEqual(result, {
        status: 'success',
        pagesConfirmed: [2, 3],
        durationMs: 3_000,
        negotiated,
        retryable: false,
        description: 'OK',
      })
      assert.deepEqual(recorded.waits, [1_000, 1_000, 1_000])
      assert.deepEqual(events, [{ connected: negotiated }, { page: 2 }, { page: 3 }])
      assert.deepEqual(inbound.received, [
        {
          to: LOCAL,
          from: '+15555550100',
          ownerUid: owner.uid,
          documentKey: call.documentKey,
          pages: [2, 3],
          receivedAtMs: clock.now(),
          deliveryId: call.deliveryId,
        },
      ])
    })

    it('scales its waits by the time scale', async () => {
      const recorded = new RecordedWaits()
      const numbers = storeLocalNumbers(world().store.numbers)
      const inbound = new RecordedInboundFaxes()
      const carrier = new LoopbackCarrier({
        numbers,
        inbound,
        clock,
        timeScale: 0.5,
        wait: recorded.wait,
      })
      const result = await carrier.call(anOutgoingCall(LOCAL), {}, new AbortController().signal)
      assert.deepEqual(recorded.waits, [500, 500, 500])
      assert.equal(result.durationMs, 1_500)
    })

    it('passes on a sender without a number as null', async () => {
      const inbound = new RecordedInboundFaxes()
      const call = anOutgoingCall(LOCAL, { from: null })
      await loopback(inbound).call(call, {}, new AbortController().signal)
      assert.equal(inbound.received.length, 1)
      assert.equal(inbound.received[0]?.from, null)
    })

    it('confirms no page and may be retried when the fax cannot be filed', async () => {
      const failing: InboundFaxes = {
        receive: async () => {
          throw new Error('the inbox could not be written')
        },
      }
      const { events, progress } = recordedProgress()
      const result = await loopback(failing).call(
        anOutgoingCall(LOCAL),
        progress,
        new AbortController().signal,
      )
      assert.equal(result.status, 'failed_to_send')
      assert.equal(result.retryable, true)
      assert.deepEqual(result.pagesConfirmed, [])
      assert.equal(result.description, 'the receiving account could not file the fax')
      assert.deepEqual(
        events.filter((event) => 'page' in event),
        [],
      )
    })

    it('files nothing when the call is aborted before the pages are through', async () => {
      const inbound = new RecordedInboundFaxes()
      const recorded = new RecordedWaits()
      const controller = new AbortController()
      const result = await loopback(inbound, recorded).call(
        anOutgoingCall(LOCAL, { pages: [1, 2] }),
        { onConnected: () => controller.abort() },
        controller.signal,
      )
      assert.deepEqual(recorded.waits, [1_000])
      assert.equal(result.status, 'failed_to_send')
      assert.equal(result.description, 'the call was cancelled')
      assert.deepEqual(result.pagesConfirmed, [])
      assert.deepEqual(inbound.received, [])
    })

    it('answers unallocated, without filing, for a number that is not on this server', async () => {
      const inbound = new RecordedInboundFaxes()
      const result = await loopback(inbound).call(
        anOutgoingCall(FOREIGN),
        {},
        new AbortController().signal,
      )
      assert.equal(result.status, 'failed_unallocated_number')
      assert.equal(result.retryable, false)
      assert.deepEqual(inbound.received, [])
    })
  })
}
