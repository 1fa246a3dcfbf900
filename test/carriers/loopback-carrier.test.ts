/**
 * The loopback carrier over the real store, on SQLite and PostgreSQL: it takes calls to the
 * active numbers of this server and to no other, and a call is a real T.30/T.38 call between
 * two of our engines over a simulated network: the pages the answering side receives are filed
 * once, as the inbound fax of the number's owner, pixel for pixel what was sent, with every
 * page confirmed only once it is filed, and with the answering side's account of the call (the
 * sender's TSI, its duration, `partially_received` when the line dropped it after a page).
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, describe, it } from 'node:test'
import { LoopbackCarrier } from '../../src/carriers/loopback-carrier.js'
import { storeLocalNumbers } from '../../src/carriers/store-local-numbers.js'
import { sameBitmap } from '../../src/codec/bitmap.js'
import { readTiff } from '../../src/codec/tiff-read.js'
import { writeTiffF } from '../../src/codec/tiff-write.js'
import type { InboundFax, InboundFaxes } from '../../src/domain/inbound-fax.js'
import type { Account } from '../../src/domain/account.js'
import { asE164 } from '../../src/domain/fax-number.js'
import { readAllBytes } from '../../src/domain/ports.js'
import { ManualClock } from '../../src/shared/clock.js'
import { TEST_PASSWORDS } from '../support/test-passwords.js'
import { FsFileStore } from '../../src/storage/files/fs-file-store.js'
import type { Impairments } from '../../src/telephony/net/impaired-network.js'
import { addNumber } from '../../src/use-cases/add-number.js'
import { createAccount } from '../../src/use-cases/create-account.js'
import { typedPage } from '../codec/pages.js'
import { aFaxNumber } from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'
import { anOutgoingCall, RecordedWaits, recordedProgress } from './call-recording.js'

const LOCAL = asE164('+15555550150')
const FOREIGN = asE164('+4930123456')

/** Three fine pages of a typed letter, 1728 × 800 each (short, to keep the calls quick). */
const PAGES = [1, 2, 3].map((seed) => typedPage(seed, 1728, 800))

/**
 * InboundFaxes is the boundary to the use case that files an incoming fax (tested on its own);
 * this implementation of the port only records what it was given.
 */
class RecordedInboundFaxes implements InboundFaxes {
  readonly received: InboundFax[] = []
  async receive(fax: InboundFax): Promise<void> {
    this.received.push(fax)
  }
}

let folder: string
let files: FsFileStore
const DOCUMENT = 'outbox/sender/document.tif'

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'faxd-loopback-'))
  files = new FsFileStore(folder)
  const tiff = writeTiffF(
    PAGES.map((bitmap) => ({ bitmap, compression: 'mmr', xDpi: 204, yDpi: 196 })),
  )
  await files.put(
    DOCUMENT,
    (async function* () {
      yield tiff
    })(),
    1 << 24,
  )
})
after(() => rm(folder, { recursive: true, force: true }))

for (const engine of ENGINES) {
  describe(`the loopback carrier (${engine})`, () => {
    const world = freshStoreForEachTest(engine)
    const clock = new ManualClock()
    let owner: Account

    beforeEach(async () => {
      const services = { store: world().store, clock, passwords: TEST_PASSWORDS }
      owner = await createAccount(services, {
        email: 'owner@example.test',
        type: null,
        adminUid: null,
        password: null,
      })
      await addNumber(services, { number: LOCAL, ownerUid: owner.uid, assignTo: [] })
    })

    function loopback(
      inbound: InboundFaxes,
      recorded = new RecordedWaits(),
      line?: Impairments,
    ): LoopbackCarrier {
      const numbers = storeLocalNumbers(world().store.numbers)
      return new LoopbackCarrier({ numbers, inbound, files, clock, wait: recorded.wait, line })
    }

    async function receivedBitmaps(fax: InboundFax) {
      return readTiff(await readAllBytes(files.get(fax.documentKey))).map((page) => page.bitmap)
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

    it("delivers the fax once, as the owner's inbound fax, every page as sent and confirmed", async () => {
      const inbound = new RecordedInboundFaxes()
      const recorded = new RecordedWaits()
      const { events, progress } = recordedProgress()
      const call = anOutgoingCall(LOCAL, {
        from: asE164('+15555550100'),
        documentKey: DOCUMENT,
        pages: [2, 3],
      })
      const result = await loopback(inbound, recorded).call(
        call,
        progress,
        new AbortController().signal,
      )
      // What the two engines agreed on: the called machine identifies itself by its number.
      const negotiated = {
        remoteStationId: LOCAL,
        bitRate: 14400,
        coding: 'mmr',
        ecm: true,
        resolution: 'fine',
      }
      assert.equal(result.status, 'success')
      assert.deepEqual(result.pagesConfirmed, [2, 3])
      assert.deepEqual(result.negotiated, negotiated)
      assert.equal(result.retryable, false)
      assert.equal(result.description, 'OK')
      // The call's real timeline, played out: answered after phase B, then the rest.
      assert.equal(recorded.waits.length, 2)
      assert.ok(recorded.waits[0]! > 5_000 && recorded.waits[0]! < 15_000, `${recorded.waits[0]}`)
      assert.equal(result.durationMs, recorded.totalMs)
      assert.deepEqual(events, [{ connected: negotiated }, { page: 2 }, { page: 3 }])
      assert.equal(inbound.received.length, 1)
      const [fax] = inbound.received
      // As the answering engine had it: the sender's TSI is its number, the call whole.
      assert.deepEqual(
        { ...fax, documentKey: '', durationMs: 0 },
        {
          to: LOCAL,
          from: '+15555550100',
          ownerUid: owner.uid,
          documentKey: '',
          pages: [1, 2],
          status: 'success',
          remoteStationId: '+15555550100',
          durationMs: 0,
          description: 'OK',
          receivedAtMs: clock.now(),
          callKey: call.deliveryId,
        },
      )
      // The answering side's call, in virtual time: the two ends hang up within moments.
      assert.ok(
        fax!.durationMs > 0 && Math.abs(fax!.durationMs - result.durationMs) < 1_000,
        `${fax!.durationMs} ms received, ${result.durationMs} ms sent`,
      )
      assert.notEqual(fax!.documentKey, DOCUMENT)
      const received = await receivedBitmaps(fax!)
      assert.equal(received.length, 2)
      assert.ok(sameBitmap(received[0]!, PAGES[1]!) && sameBitmap(received[1]!, PAGES[2]!))
    })

    it('over a line that loses 5% of datagrams, the fax still arrives whole', async () => {
      const inbound = new RecordedInboundFaxes()
      const call = anOutgoingCall(LOCAL, { documentKey: DOCUMENT, pages: [1, 2, 3] })
      const result = await loopback(inbound, new RecordedWaits(), {
        loss: 0.05,
        duplication: 0.01,
        delayMs: 40,
        jitterMs: 40,
      }).call(call, {}, new AbortController().signal)
      assert.equal(result.status, 'success')
      const received = await receivedBitmaps(inbound.received[0]!)
      assert.ok(received.every((bitmap, i) => sameBitmap(bitmap, PAGES[i]!)))
    })

    it('scales its waits by the time scale', async () => {
      const numbers = storeLocalNumbers(world().store.numbers)
      const durations = []
      for (const timeScale of [1, 0.5]) {
        const recorded = new RecordedWaits()
        const carrier = new LoopbackCarrier({
          numbers,
          inbound: new RecordedInboundFaxes(),
          files,
          clock,
          timeScale,
          wait: recorded.wait,
        })
        const call = anOutgoingCall(LOCAL, { documentKey: DOCUMENT, deliveryId: 'a'.repeat(24) })
        const result = await carrier.call(call, {}, new AbortController().signal)
        assert.equal(result.durationMs, recorded.totalMs)
        durations.push(result.durationMs)
      }
      assert.ok(Math.abs(durations[1]! - durations[0]! / 2) <= 1, durations.join(' '))
    })

    it('passes on a sender without a number as null', async () => {
      const inbound = new RecordedInboundFaxes()
      const call = anOutgoingCall(LOCAL, { from: null, documentKey: DOCUMENT })
      await loopback(inbound).call(call, {}, new AbortController().signal)
      assert.equal(inbound.received.length, 1)
      assert.equal(inbound.received[0]?.from, null)
      // Its fax identifies itself by its number, so it sends no TSI.
      assert.equal(inbound.received[0]?.remoteStationId, '')
    })

    it('files a call the line drops after a page as partially_received, with the pages that came', async () => {
      // A line that loses 30% of datagrams drops about one call in ten after its first page;
      // which calls it drops depends only on the delivery id (the line's seed), so this is the
      // same search, with the same answer, on every run.
      const line = { loss: 0.3, duplication: 0, delayMs: 20, jitterMs: 0 }
      for (let seed = 0; seed < 100; seed++) {
        const inbound = new RecordedInboundFaxes()
        const { events, progress } = recordedProgress()
        const call = anOutgoingCall(LOCAL, {
          from: asE164('+15555550100'),
          documentKey: DOCUMENT,
          pages: [1, 2, 3],
          deliveryId: seed.toString(16).padStart(24, '0'),
        })
        const result = await loopback(inbound, new RecordedWaits(), line).call(
          call,
          progress,
          new AbortController().signal,
        )
        if (result.status !== 'partially_sent') {
          continue
        }
        assert.equal(inbound.received.length, 1)
        const [fax] = inbound.received
        assert.equal(fax!.status, 'partially_received')
        assert.notEqual(fax!.description, 'OK')
        assert.ok(fax!.description.length > 0)
        assert.ok(fax!.durationMs > 0)
        assert.equal(fax!.callKey, call.deliveryId)
        // Every page the sender had confirmed came, each as it was sent; the last did not.
        const received = await receivedBitmaps(fax!)
        assert.ok(received.length >= result.pagesConfirmed.length && received.length < 3)
        assert.deepEqual(
          fax!.pages,
          received.map((_, i) => i + 1),
        )
        assert.ok(received.every((bitmap, i) => sameBitmap(bitmap, PAGES[i]!)))
        assert.deepEqual(
          events.filter((event) => 'page' in event),
          result.pagesConfirmed.map((page) => ({ page })),
        )
        return
      }
      assert.fail('no call of the 100 was dropped after a page')
    })

    it('confirms no page and may be retried when the fax cannot be filed', async () => {
      const failing: InboundFaxes = {
        receive: async () => {
          throw new Error('the inbox could not be written')
        },
      }
      const { events, progress } = recordedProgress()
      const result = await loopback(failing).call(
        anOutgoingCall(LOCAL, { documentKey: DOCUMENT }),
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
        anOutgoingCall(LOCAL, { documentKey: DOCUMENT, pages: [1, 2] }),
        { onConnected: () => controller.abort() },
        controller.signal,
      )
      assert.equal(recorded.waits.length, 1)
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
