/** Contract of FaxRepository, run on every storage engine. */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import type { Account } from '../../src/domain/account.js'
import type { FaxQuery, FaxRecord } from '../../src/domain/fax.js'
import { planWebhookDeliveries } from '../../src/domain/webhook-delivery.js'
import { aFaxRecord, anAccount, aWebhook } from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

for (const engine of ENGINES) {
  describe(`${engine}: FaxRepository`, () => {
    const world = freshStoreForEachTest(engine)
    let user: Account
    let other: Account
    beforeEach(async () => {
      user = anAccount()
      other = anAccount()
      await world().store.accounts.create(user, null)
      await world().store.accounts.create(other, null)
    })

    function query(changes: Partial<FaxQuery> = {}): FaxQuery {
      return {
        ownerUid: user.uid,
        category: null,
        afterMs: null,
        beforeMs: null,
        below: null,
        limit: 100,
        ...changes,
      }
    }

    async function addAll(records: readonly FaxRecord[]): Promise<void> {
      for (const record of records) {
        await world().store.faxes.add(record)
      }
    }

    function ids(records: readonly FaxRecord[]): string[] {
      return records.map((record) => record.id)
    }

    it('reads back every field of a fax record', async () => {
      const record = aFaxRecord(user.uid, {
        direction: 'incoming',
        status: 'failed_user_busy',
        isRead: true,
        isSpam: true,
        header: '2026-12-06 09:05 EST  FROM: Zoë ✓ +15555550150',
      })
      await world().store.faxes.add(record)
      assert.deepEqual(await world().store.faxes.get(record.id), record)
    })

    it('reads back a record without submit time or retry settings', async () => {
      const record = aFaxRecord(user.uid, {
        submittedAtMs: null,
        maxRetry: null,
        retryDelaySeconds: null,
        comment: '',
      })
      await world().store.faxes.add(record)
      assert.deepEqual(await world().store.faxes.get(record.id), record)
    })

    it('answers null for an unknown fax', async () => {
      assert.equal(await world().store.faxes.get('0'.repeat(24)), null)
    })

    it("lists a user's faxes newest first, and no one else's", async () => {
      const oldest = aFaxRecord(user.uid, { startedAtMs: 1_000 })
      const newest = aFaxRecord(user.uid, { startedAtMs: 3_000 })
      const middle = aFaxRecord(user.uid, { startedAtMs: 2_000, direction: 'incoming' })
      const foreign = aFaxRecord(other.uid, { startedAtMs: 2_500 })
      await addAll([middle, oldest, foreign, newest])
      assert.deepEqual(await world().store.faxes.list(query()), [newest, middle, oldest])
    })

    it('sorts by category: inbox, sent and spam', async () => {
      const received = aFaxRecord(user.uid, { direction: 'incoming', startedAtMs: 1 })
      const receivedSpam = aFaxRecord(user.uid, {
        direction: 'incoming',
        isSpam: true,
        startedAtMs: 2,
      })
      const sent = aFaxRecord(user.uid, { direction: 'outgoing', startedAtMs: 3 })
      await addAll([received, receivedSpam, sent])
      assert.deepEqual(ids(await world().store.faxes.list(query({ category: 'inbox' }))), [
        received.id,
      ])
      assert.deepEqual(ids(await world().store.faxes.list(query({ category: 'sent' }))), [sent.id])
      assert.deepEqual(ids(await world().store.faxes.list(query({ category: 'spam' }))), [
        receivedSpam.id,
      ])
      assert.deepEqual(ids(await world().store.faxes.list(query())), [
        sent.id,
        receivedSpam.id,
        received.id,
      ])
    })

    it('keeps faxes started exactly at a bound out of the list', async () => {
      const records = [1_000, 2_000, 3_000, 4_000].map((startedAtMs) =>
        aFaxRecord(user.uid, { startedAtMs }),
      )
      await addAll(records)
      const [at1, at2, at3, at4] = ids(records)
      assert.deepEqual(ids(await world().store.faxes.list(query({ afterMs: 2_000 }))), [at4, at3])
      assert.deepEqual(ids(await world().store.faxes.list(query({ beforeMs: 3_000 }))), [at2, at1])
      assert.deepEqual(
        ids(await world().store.faxes.list(query({ afterMs: 1_000, beforeMs: 4_000 }))),
        [at3, at2],
      )
      assert.deepEqual(await world().store.faxes.list(query({ afterMs: 4_000 })), [])
    })

    it('returns at most the limit, newest first', async () => {
      const records = [1, 2, 3, 4, 5].map((n) => aFaxRecord(user.uid, { startedAtMs: n * 1_000 }))
      await addAll(records)
      assert.deepEqual(ids(await world().store.faxes.list(query({ limit: 2 }))), [
        records[4]?.id,
        records[3]?.id,
      ])
    })

    it('combines category, bounds and limit', async () => {
      const inbox = [1, 2, 3, 4].map((n) =>
        aFaxRecord(user.uid, { direction: 'incoming', startedAtMs: n * 1_000 }),
      )
      const sent = aFaxRecord(user.uid, { startedAtMs: 2_500 })
      await addAll([...inbox, sent])
      const listed = await world().store.faxes.list(
        query({ category: 'inbox', afterMs: 1_000, beforeMs: 4_000, limit: 1 }),
      )
      assert.deepEqual(ids(listed), [inbox[2]?.id])
    })

    it('changes the comment and read flag and records when', async () => {
      const record = aFaxRecord(user.uid)
      await world().store.faxes.add(record)
      await world().store.faxes.update(record.id, { comment: 'filed' }, 7_000)
      assert.deepEqual(await world().store.faxes.get(record.id), {
        ...record,
        comment: 'filed',
        updatedAtMs: 7_000,
      })
      await world().store.faxes.update(record.id, { isRead: true }, 8_000)
      assert.deepEqual(await world().store.faxes.get(record.id), {
        ...record,
        comment: 'filed',
        isRead: true,
        updatedAtMs: 8_000,
      })
    })

    it('deletes one fax and keeps the others', async () => {
      const gone = aFaxRecord(user.uid)
      const kept = aFaxRecord(user.uid)
      await addAll([gone, kept])
      await world().store.faxes.delete(gone.id)
      assert.equal(await world().store.faxes.get(gone.id), null)
      assert.deepEqual(await world().store.faxes.list(query()), [kept])
    })

    it('files a received fax with its webhook deliveries, once', async () => {
      const hook = aWebhook(user.uid, { event: 'fax_received', target: 'https://a.example.test/' })
      await world().store.webhooks.add(hook)
      const record = aFaxRecord(user.uid, { direction: 'incoming' })
      const announce = (atMs: number) =>
        planWebhookDeliveries(
          [hook],
          {
            uid: user.uid,
            event: 'fax_received',
            hookIdForPayload: record.id,
            data: { id: record.id, uid: user.uid, pages: record.pages, status: 'success' },
          },
          atMs,
        )
      assert.equal(await world().store.faxes.receive(record, announce(1)), true)
      // The same call delivered again (its sender's worker died before recording it): no change.
      assert.equal(await world().store.faxes.receive(record, announce(2)), false)
      assert.deepEqual(await world().store.faxes.get(record.id), record)
      const queued = await world().store.webhookDeliveries.listByHook(hook.id, 10)
      assert.deepEqual(
        queued.map((delivery) => delivery.createdAtMs),
        [1],
      )
    })
  })
}
