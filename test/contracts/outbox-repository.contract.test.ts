/** Contract of OutboxRepository, run on every storage engine. */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import type { Account } from '../../src/domain/account.js'
import type { FaxRecord } from '../../src/domain/fax.js'
import { asDialString } from '../../src/domain/fax-number.js'
import { MAX_DESTINATIONS, type OutboxEntry } from '../../src/domain/outbox-entry.js'
import type { AttemptedDelivery, RecordsOfCancelled } from '../../src/domain/ports.js'
import type { CallAttempt } from '../../src/domain/transmission.js'
import { attemptToRow } from '../../src/storage/sql/transmission-rows.js'
import {
  aFaxRecord,
  anAccount,
  anOutboxEntry,
  aRenderJob,
  deliveriesOf,
  destinations,
} from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

/** For a delete that is expected to find no delivery with attempts. */
const noRecords: RecordsOfCancelled = (entry, attempted) =>
  assert.fail(`recordsOf called for ${entry.id} with ${attempted.length} deliveries`)

function anAttempt(
  faxId: string,
  attempt: number,
  overrides: Partial<CallAttempt> = {},
): CallAttempt {
  return {
    faxId,
    attempt,
    carrier: 'simulated',
    startedAtMs: 1_000 * attempt,
    endedAtMs: 1_000 * attempt + 500,
    status: 'failed_user_busy',
    pagesConfirmed: [],
    description: `busy ${attempt}`,
    remoteStationId: null,
    bitRate: null,
    coding: null,
    ecm: null,
    resolution: null,
    header: null,
    ...overrides,
  }
}

for (const engine of ENGINES) {
  describe(`${engine}: OutboxRepository`, () => {
    const world = freshStoreForEachTest(engine)
    let user: Account
    let other: Account
    beforeEach(async () => {
      user = anAccount()
      other = anAccount()
      await world().store.accounts.create(user, null)
      await world().store.accounts.create(other, null)
    })

    async function create(entry: OutboxEntry): Promise<void> {
      await world().store.outbox.create(entry, deliveriesOf(entry), aRenderJob(entry))
    }

    async function countRows(
      table: 'outbox_entries' | 'outbox_status_changes' | 'deliveries' | 'jobs',
      column: 'id' | 'outbox_id',
      outboxId: string,
    ): Promise<number> {
      const { count } = await world()
        .database()
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where(column, '=', outboxId)
        .executeTakeFirstOrThrow()
      return Number(count)
    }

    /** What the delivery engine will do when it starts transmitting an entry. */
    async function markSending(outboxId: string): Promise<void> {
      await world()
        .database()
        .updateTable('outbox_entries')
        .set({ status: 'sending' })
        .where('id', '=', outboxId)
        .execute()
    }

    /** Nothing of an entry: the answer when a write was refused or undone. */
    const NOTHING = { entries: 0, statusChanges: 0, deliveries: 0, jobs: 0 }

    async function rowsLeftOf(outboxId: string): Promise<Record<string, number>> {
      return {
        entries: await countRows('outbox_entries', 'id', outboxId),
        statusChanges: await countRows('outbox_status_changes', 'outbox_id', outboxId),
        deliveries: await countRows('deliveries', 'outbox_id', outboxId),
        jobs: await countRows('jobs', 'outbox_id', outboxId),
      }
    }

    it('reads back every field of a stored entry', async () => {
      const entry = anOutboxEntry(user.uid, {
        headerLine: {
          template: '{date} {time}  {name} {from}',
          timeZone: 'Asia/Tokyo',
          name: 'Zoë ✓',
        },
      })
      await create(entry)
      assert.deepEqual(await world().store.outbox.get(entry.id), entry)
    })

    it('reads back an entry without cover page, original fax, tags or history', async () => {
      const entry = anOutboxEntry(user.uid, {
        from: 'no_number',
        fromFax: null,
        coverPage: null,
        commentText: '',
        commentTags: [],
        statusChanges: [],
        enhancement: false,
        partiallySentRetry: false,
        retry: { count: 0, delaySeconds: 0 },
        resolution: 'fine',
      })
      await create(entry)
      assert.deepEqual(await world().store.outbox.get(entry.id), entry)
    })

    it('reads back a cover page without message or flags', async () => {
      const entry = anOutboxEntry(user.uid, {
        coverPage: {
          nameTo: '',
          nameFrom: '',
          subject: '',
          flags: [],
          message: null,
          includeCompanyLogo: false,
        },
      })
      await create(entry)
      assert.deepEqual(await world().store.outbox.get(entry.id), entry)
    })

    it('answers null for an unknown entry', async () => {
      assert.equal(await world().store.outbox.get('0'.repeat(32)), null)
    })

    it('lists the deliveries of an entry in destination order, every field intact', async () => {
      const entry = anOutboxEntry(user.uid, { to: ['+4930000003', '+4930000001', '+4930000002'] })
      const deliveries = deliveriesOf(entry)
      await world().store.outbox.create(entry, deliveries, aRenderJob(entry))
      assert.deepEqual(await world().store.outbox.listDeliveries(entry.id), deliveries)
      assert.deepEqual(await world().store.outbox.listDeliveries('0'.repeat(32)), [])
    })

    it(`stores an entry with ${MAX_DESTINATIONS} deliveries in one go`, async () => {
      const entry = anOutboxEntry(user.uid, { to: destinations(MAX_DESTINATIONS) })
      const deliveries = deliveriesOf(entry)
      await world().store.outbox.create(entry, deliveries, aRenderJob(entry))
      const stored = await world().store.outbox.listDeliveries(entry.id)
      assert.equal(stored.length, MAX_DESTINATIONS)
      assert.deepEqual(stored, deliveries)
      assert.deepEqual((await world().store.outbox.get(entry.id))?.to, entry.to)
    })

    it('writes the job with the entry', async () => {
      const entry = anOutboxEntry(user.uid)
      const job = aRenderJob(entry)
      await world().store.outbox.create(entry, deliveriesOf(entry), job)
      const row = await world()
        .database()
        .selectFrom('jobs')
        .selectAll()
        .where('id', '=', job.id)
        .executeTakeFirstOrThrow()
      assert.deepEqual(
        {
          kind: row.kind,
          payload: JSON.parse(row.payload) as unknown,
          runAt: row.run_at,
          outboxId: row.outbox_id,
          attempts: row.attempts,
          lockedUntil: row.locked_until,
          lockedBy: row.locked_by,
        },
        {
          kind: 'render-fax',
          payload: job.payload,
          runAt: job.runAtMs,
          outboxId: entry.id,
          attempts: 0,
          lockedUntil: null,
          lockedBy: null,
        },
      )
    })

    it('leaves nothing behind when a create fails midway', async () => {
      const entry = anOutboxEntry(user.uid, { to: destinations(MAX_DESTINATIONS) })
      const deliveries = deliveriesOf(entry)
      const first = deliveries[0]
      assert.ok(first)
      deliveries[deliveries.length - 1] = { ...first, destination: asDialString('+4930999999') }
      await assert.rejects(world().store.outbox.create(entry, deliveries, aRenderJob(entry)))
      assert.equal(await world().store.outbox.get(entry.id), null)
      assert.deepEqual(await rowsLeftOf(entry.id), NOTHING)
    })

    it('leaves nothing behind when the job cannot be stored', async () => {
      const earlier = anOutboxEntry(user.uid)
      const job = aRenderJob(earlier)
      await world().store.outbox.create(earlier, deliveriesOf(earlier), job)
      const entry = anOutboxEntry(user.uid)
      await assert.rejects(world().store.outbox.create(entry, deliveriesOf(entry), job))
      assert.deepEqual(await rowsLeftOf(entry.id), NOTHING)
    })

    it('creates arriving together each succeed or fail alone', async () => {
      const entries = Array.from({ length: 40 }, () =>
        anOutboxEntry(user.uid, { to: destinations(3) }),
      )
      const broken = entries[17]
      assert.ok(broken)
      const results = await Promise.allSettled(
        entries.map((entry) => {
          const deliveries = deliveriesOf(entry)
          const first = deliveries[0]
          assert.ok(first)
          // A duplicate delivery id makes this one create fail after part of it was written.
          const written =
            entry === broken
              ? [...deliveries, { ...first, destination: asDialString('+4930999998') }]
              : deliveries
          return world().store.outbox.create(entry, written, aRenderJob(entry))
        }),
      )
      assert.deepEqual(
        results.map((r) => r.status),
        entries.map((entry) => (entry === broken ? 'rejected' : 'fulfilled')),
      )
      assert.deepEqual(await rowsLeftOf(broken.id), NOTHING)
      for (const entry of entries.filter((e) => e !== broken)) {
        assert.equal((await rowsLeftOf(entry.id)).deliveries, 3)
      }
    })

    it('has committed a create by the time it resolves: another connection reads it', async () => {
      const entry = anOutboxEntry(user.uid)
      await create(entry)
      const restarted = await world().openAgain()
      assert.deepEqual(await restarted.outbox.get(entry.id), entry)
    })

    it("lists a user's entries by submit time, then id, and no one else's", async () => {
      const late = anOutboxEntry(user.uid, { submittedAtMs: 3_000 })
      const early = anOutboxEntry(user.uid, { submittedAtMs: 1_000 })
      const tiedA = anOutboxEntry(user.uid, { submittedAtMs: 2_000, id: 'a'.repeat(32) })
      const tiedB = anOutboxEntry(user.uid, { submittedAtMs: 2_000, id: 'b'.repeat(32) })
      const foreign = anOutboxEntry(other.uid, { submittedAtMs: 1_500 })
      for (const entry of [late, tiedB, foreign, early, tiedA]) {
        await create(entry)
      }
      const all = { limit: 100, after: null }
      assert.deepEqual(await world().store.outbox.listByUser(user.uid, all), {
        entries: [early, tiedA, tiedB, late],
        more: false,
      })
      assert.deepEqual(await world().store.outbox.listByUser(other.uid, all), {
        entries: [foreign],
        more: false,
      })
    })

    it('lists a page after a place, ties of submit time broken by id, and says whether more follow', async () => {
      const entries = [
        anOutboxEntry(user.uid, { submittedAtMs: 1_000, id: 'c'.repeat(32) }),
        anOutboxEntry(user.uid, { submittedAtMs: 2_000, id: 'a'.repeat(32) }),
        anOutboxEntry(user.uid, { submittedAtMs: 2_000, id: 'b'.repeat(32) }),
        anOutboxEntry(user.uid, { submittedAtMs: 2_000, id: 'd'.repeat(32) }),
        anOutboxEntry(user.uid, { submittedAtMs: 3_000, id: '0'.repeat(32) }),
      ]
      for (const entry of entries) {
        await create(entry)
      }
      const outbox = world().store.outbox
      const first = await outbox.listByUser(user.uid, { limit: 2, after: null })
      assert.deepEqual(first, { entries: entries.slice(0, 2), more: true })
      const second = await outbox.listByUser(user.uid, {
        limit: 2,
        after: { atMs: 2_000, id: 'a'.repeat(32) },
      })
      assert.deepEqual(second, { entries: entries.slice(2, 4), more: true })
      const last = await outbox.listByUser(user.uid, {
        limit: 2,
        after: { atMs: 2_000, id: 'd'.repeat(32) },
      })
      assert.deepEqual(last, { entries: entries.slice(4), more: false })
      assert.deepEqual(
        await outbox.listByUser(user.uid, { limit: 2, after: { atMs: 3_000, id: 'f' } }),
        { entries: [], more: false },
      )
    })

    it('changes the comment and nothing else', async () => {
      const entry = anOutboxEntry(user.uid)
      const untouched = anOutboxEntry(user.uid)
      await create(entry)
      await create(untouched)
      assert.equal(await world().store.outbox.updateComment(entry.id, 'new comment'), 'changed')
      assert.deepEqual(await world().store.outbox.get(entry.id), {
        ...entry,
        commentText: 'new comment',
      })
      assert.deepEqual(await world().store.outbox.get(untouched.id), untouched)
    })

    it('refuses to change the comment of an entry that is sending, or that does not exist', async () => {
      const entry = anOutboxEntry(user.uid)
      await create(entry)
      await markSending(entry.id)
      assert.equal(await world().store.outbox.updateComment(entry.id, 'too late'), 'sending')
      assert.equal((await world().store.outbox.get(entry.id))?.commentText, entry.commentText)
      assert.equal(await world().store.outbox.updateComment('0'.repeat(32), 'x'), 'not_found')
    })

    it('deletes an entry with its status changes, deliveries and jobs', async () => {
      const entry = anOutboxEntry(user.uid, { status: 'scheduled_for_sending' })
      const kept = anOutboxEntry(user.uid)
      await create(entry)
      await create(kept)
      assert.equal(await world().store.outbox.delete(entry.id, noRecords), 'deleted')
      assert.equal(await world().store.outbox.get(entry.id), null)
      assert.deepEqual(await world().store.outbox.listDeliveries(entry.id), [])
      assert.deepEqual(await rowsLeftOf(entry.id), NOTHING)
      assert.deepEqual(await rowsLeftOf(kept.id), {
        entries: 1,
        statusChanges: 2,
        deliveries: 2,
        jobs: 1,
      })
    })

    it('answers not_found when deleting an unknown or already deleted entry', async () => {
      const entry = anOutboxEntry(user.uid)
      await create(entry)
      assert.equal(await world().store.outbox.delete('0'.repeat(32), noRecords), 'not_found')
      assert.equal(await world().store.outbox.delete(entry.id, noRecords), 'deleted')
      assert.equal(await world().store.outbox.delete(entry.id, noRecords), 'not_found')
    })

    /** What the transmission repository leaves of a delivery's ended attempts (and one counted). */
    async function recordAttempts(
      deliveryId: string,
      attempts: readonly CallAttempt[],
      counted: number,
      pagesConfirmed: readonly number[],
    ): Promise<void> {
      const db = world().database()
      await db
        .updateTable('deliveries')
        .set({ attempts: counted, pages_confirmed: JSON.stringify(pagesConfirmed) })
        .where('id', '=', deliveryId)
        .execute()
      for (const attempt of attempts) {
        await db.insertInto('fax_attempts').values(attemptToRow(attempt)).execute()
      }
    }

    it('hands the deliveries that have had attempts to recordsOf, and stores its records with the deletion', async () => {
      const entry = anOutboxEntry(user.uid, {
        status: 'scheduled_for_sending',
        to: ['+4930000001', '+4930000002', '+4930000003'],
      })
      const deliveries = deliveriesOf(entry)
      await world().store.outbox.create(entry, deliveries, aRenderJob(entry))
      const [called, notCalled, countedOnly] = deliveries
      assert.ok(called && notCalled && countedOnly)
      const attempts = [
        anAttempt(called.id, 1, { pagesConfirmed: [1] }),
        anAttempt(called.id, 2, { pagesConfirmed: [2] }),
      ]
      await recordAttempts(called.id, attempts, 2, [1, 2])
      await recordAttempts(countedOnly.id, [], 1, [])

      const handed: { entry: OutboxEntry; attempted: readonly AttemptedDelivery[] }[] = []
      const record: FaxRecord = aFaxRecord(user.uid, { id: called.id, direction: 'outgoing' })
      const outcome = await world().store.outbox.delete(entry.id, (current, attempted) => {
        handed.push({ entry: current, attempted })
        return [record]
      })

      assert.equal(outcome, 'deleted')
      assert.deepEqual(handed, [
        {
          entry,
          attempted: [
            { delivery: called, attempts, pagesConfirmed: 2 },
            { delivery: countedOnly, attempts: [], pagesConfirmed: 0 },
          ],
        },
      ])
      assert.deepEqual(await world().store.faxes.get(called.id), record)
      assert.equal(await world().store.faxes.get(notCalled.id), null)
      assert.deepEqual(await rowsLeftOf(entry.id), NOTHING)
    })

    it('keeps the whole entry when recordsOf fails', async () => {
      const entry = anOutboxEntry(user.uid, { status: 'scheduled_for_sending' })
      const deliveries = deliveriesOf(entry)
      await world().store.outbox.create(entry, deliveries, aRenderJob(entry))
      const called = deliveries[0]
      assert.ok(called)
      await recordAttempts(called.id, [anAttempt(called.id, 1)], 1, [])
      await assert.rejects(
        world().store.outbox.delete(entry.id, () => {
          throw new Error('no record for you')
        }),
        /no record for you/,
      )
      assert.deepEqual(await world().store.outbox.get(entry.id), entry)
      assert.deepEqual(await rowsLeftOf(entry.id), {
        entries: 1,
        statusChanges: 2,
        deliveries: 2,
        jobs: 1,
      })
      assert.equal(await world().store.faxes.get(called.id), null)
    })

    it('refuses to delete an entry that is sending, and keeps all of it', async () => {
      const entry = anOutboxEntry(user.uid)
      await create(entry)
      await markSending(entry.id)
      assert.equal(await world().store.outbox.delete(entry.id, noRecords), 'sending')
      assert.deepEqual(await world().store.outbox.get(entry.id), { ...entry, status: 'sending' })
      assert.deepEqual(await rowsLeftOf(entry.id), {
        entries: 1,
        statusChanges: 2,
        deliveries: 2,
        jobs: 1,
      })
    })
  })
}
