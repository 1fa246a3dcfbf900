/**
 * Migration 0009 on both engines: a database with send-fax jobs queued before it gets each
 * job's delivery from the job's payload into `jobs.delivery_id`; jobs of other kinds keep none.
 * (The outbox's progress reads that column, not the payloads.)
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { migrateToLatest } from '../../src/storage/sql/migrate.js'
import { withEmptyDatabase } from '../support/empty-database.js'

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`migration 0009-job-delivery (${engine})`, () => {
    it('fills in the delivery of the send-fax jobs queued before it, from their payload', async () => {
      await withEmptyDatabase(engine, async (db) => {
        await migrateToLatest(db, engine, '0008-call-fence')
        const job = (id: string, kind: string, payload: object) => ({
          id,
          kind,
          payload: JSON.stringify(payload),
          run_at: 1,
          locked_until: null,
          locked_by: null,
          created_at: 1,
          outbox_id: null,
        })
        await db
          .insertInto('jobs')
          .values([
            job('send-1', 'send-fax', { deliveryId: 'delivery-a' }),
            job('send-2', 'send-fax', { deliveryId: 'delivery-b' }),
            job('hook-1', 'deliver-webhook', { deliveryId: 'not-a-fax-delivery' }),
          ])
          .execute()
        await migrateToLatest(db, engine)
        const rows = await db
          .selectFrom('jobs')
          .select(['id', 'delivery_id'])
          .orderBy('id')
          .execute()
        assert.deepEqual(rows, [
          { id: 'hook-1', delivery_id: null },
          { id: 'send-1', delivery_id: 'delivery-a' },
          { id: 'send-2', delivery_id: 'delivery-b' },
        ])
      })
    })
  })
}
