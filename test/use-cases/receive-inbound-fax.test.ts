/**
 * Filing a fax that reached a number of this server, on SQLite and PostgreSQL: the record has the
 * status, pages and duration of the call as received (`partially_received` when it ended early),
 * the sending fax's identity (TSI) in its description, and an id derived from the call's key; the
 * owner's fax_received hooks are told the same status and pages; the same call delivered twice
 * files one fax and queues one event.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { beforeEach, describe, it } from 'node:test'
import { toFaxJson } from '../../src/api/wire/fax-json.js'
import type { Account } from '../../src/domain/account.js'
import type { FaxRecord } from '../../src/domain/fax.js'
import { asE164 } from '../../src/domain/fax-number.js'
import type { InboundFax } from '../../src/domain/inbound-fax.js'
import { ManualClock } from '../../src/shared/clock.js'
import { TEST_PASSWORDS } from '../support/test-passwords.js'
import { createAccount } from '../../src/use-cases/create-account.js'
import { inboundFaxes, inboundFaxId } from '../../src/use-cases/receive-inbound-fax.js'
import { aWebhook } from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

const JAN_2026 = Date.UTC(2026, 0, 1)

interface FaxReceivedBody {
  hook: { id: string; event: string }
  data: { id: string; status: string; pages: number; from: string; to: string }
}

for (const engine of ENGINES) {
  describe(`receiving an inbound fax (${engine})`, () => {
    const world = freshStoreForEachTest(engine)
    const clock = new ManualClock(JAN_2026)
    let owner: Account

    beforeEach(async () => {
      owner = await createAccount(
        { store: world().store, clock, passwords: TEST_PASSWORDS },
        { email: 'owner@example.test', type: null, adminUid: null, password: null },
      )
    })

    let calls = 0

    /** A three-page fax received whole from +15555550100 in 42.3 s, under a fresh call key. */
    function aReceivedFax(overrides: Partial<InboundFax> = {}): InboundFax {
      return {
        to: asE164('+15555550150'),
        from: asE164('+15555550100'),
        ownerUid: owner.uid,
        documentKey: `inbound/${owner.uid}/fax.tif`,
        pages: [1, 2, 3],
        status: 'success',
        remoteStationId: '',
        durationMs: 42_300,
        description: 'OK',
        receivedAtMs: JAN_2026 + 60_000,
        callKey: `sip:call-${++calls}@trunk.example.test`,
        ...overrides,
      }
    }

    async function receive(fax: InboundFax): Promise<FaxRecord> {
      await inboundFaxes({ store: world().store }).receive(fax)
      const record = await world().store.faxes.get(inboundFaxId(fax.callKey))
      assert.ok(record, 'the fax was filed under the id of its call key')
      return record
    }

    async function inbox(): Promise<FaxRecord[]> {
      return world().store.faxes.list({
        ownerUid: owner.uid,
        category: 'inbox',
        afterMs: null,
        beforeMs: null,
        below: null,
        limit: 100,
      })
    }

    async function faxReceivedBodies(hookId: string): Promise<FaxReceivedBody[]> {
      const deliveries = await world().store.webhookDeliveries.listByHook(hookId, 10)
      return deliveries.map((delivery) => JSON.parse(delivery.body) as FaxReceivedBody)
    }

    it('files a call that ended after some pages as partially_received, with the pages that came', async () => {
      const fax = aReceivedFax({
        pages: [1, 2],
        status: 'partially_received',
        description: 'the sending fax stopped sending',
      })
      const record = await receive(fax)
      assert.deepEqual(record, {
        id: inboundFaxId(fax.callKey),
        ownerUid: owner.uid,
        direction: 'incoming',
        from: '+15555550100',
        to: '+15555550150',
        status: 'partially_received',
        pages: 2,
        durationSeconds: 42,
        comment: '',
        isRead: false,
        isSpam: false,
        startedAtMs: fax.receivedAtMs,
        submittedAtMs: null,
        updatedAtMs: fax.receivedAtMs,
        maxRetry: null,
        retryDelaySeconds: null,
        documentKey: fax.documentKey,
        description: 'the sending fax stopped sending',
        header: null,
      })
      assert.deepEqual(await inbox(), [record])
      assert.equal(toFaxJson(record).status, 'partially_received')
    })

    it('files a whole call as success', async () => {
      const record = await receive(aReceivedFax())
      assert.equal(record.status, 'success')
      assert.equal(record.pages, 3)
      assert.equal(record.description, 'OK')
    })

    it('keeps the call duration in whole seconds, rounded as outgoing records round it', async () => {
      const durations = []
      for (const durationMs of [0, 999, 61_499, 61_500]) {
        durations.push((await receive(aReceivedFax({ durationMs }))).durationSeconds)
      }
      assert.deepEqual(durations, [0, 1, 61, 62])
    })

    it("puts the sending fax's TSI in the description, after the call's sentence", async () => {
      const identified = await receive(aReceivedFax({ remoteStationId: '+49 30 1234567' }))
      assert.equal(
        identified.description,
        'OK (the sending fax identified itself as "+49 30 1234567")',
      )
      assert.equal(toFaxJson(identified).description, identified.description)
      const partial = await receive(
        aReceivedFax({
          status: 'partially_received',
          remoteStationId: 'ACME SALES',
          description: 'the remote fax hung up before the end',
        }),
      )
      assert.equal(
        partial.description,
        'the remote fax hung up before the end (the sending fax identified itself as "ACME SALES")',
      )
      // A sender that gave no TSI: the call's sentence alone.
      assert.equal((await receive(aReceivedFax({ remoteStationId: '' }))).description, 'OK')
    })

    it("tells the owner's fax_received hooks the status and pages of the call", async () => {
      const hook = aWebhook(owner.uid, { event: 'fax_received' })
      const sentHook = aWebhook(owner.uid, { event: 'fax_sent' })
      await world().store.webhooks.add(hook)
      await world().store.webhooks.add(sentHook)
      const record = await receive(
        aReceivedFax({ pages: [1], status: 'partially_received', description: 'dropped' }),
      )
      const bodies = await faxReceivedBodies(hook.id)
      assert.deepEqual(
        bodies.map(({ hook, data }) => ({
          hookId: hook.id,
          event: hook.event,
          id: data.id,
          status: data.status,
          pages: data.pages,
          from: data.from,
          to: data.to,
        })),
        [
          {
            hookId: record.id,
            event: 'fax_received',
            id: record.id,
            status: 'partially_received',
            pages: 1,
            from: '+15555550100',
            to: '+15555550150',
          },
        ],
      )
      assert.deepEqual(await faxReceivedBodies(sentHook.id), [])
    })

    it('files the same call delivered twice once: one record, one webhook delivery', async () => {
      const hook = aWebhook(owner.uid, { event: 'fax_received' })
      await world().store.webhooks.add(hook)
      const first = aReceivedFax({ status: 'partially_received', pages: [1], description: 'cut' })
      const record = await receive(first)
      // Delivered again (its sender's worker died after filing it): the same call key.
      const again = await receive({
        ...first,
        status: 'success',
        pages: [1, 2, 3],
        description: 'OK',
        documentKey: `inbound/${owner.uid}/again.tif`,
        receivedAtMs: first.receivedAtMs + 120_000,
      })
      assert.deepEqual(again, record)
      assert.deepEqual(await inbox(), [record])
      assert.equal((await faxReceivedBodies(hook.id)).length, 1)
      // Another call is another fax.
      const other = await receive(aReceivedFax())
      assert.notEqual(other.id, record.id)
      assert.equal((await inbox()).length, 2)
      assert.equal((await faxReceivedBodies(hook.id)).length, 2)
    })

    it('derives the id from the call key: a loopback delivery keeps the id it always had', () => {
      const deliveryId = '65a1b2c3d4e5f60718293a4b'
      const before = createHash('sha256').update(`inbound:${deliveryId}`).digest('hex').slice(0, 24)
      assert.equal(inboundFaxId(deliveryId), before)
      assert.match(inboundFaxId('sip:a84b4c76e66710@pc33.example.test'), /^[0-9a-f]{24}$/)
      assert.notEqual(inboundFaxId(`sip:${deliveryId}`), before)
    })
  })
}
