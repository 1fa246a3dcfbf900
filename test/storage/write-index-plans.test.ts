/**
 * The partial indexes of migration 0015 serve the queries they were made for, as the
 * repositories run them: the count of calls on a line (to a destination, from a sending number)
 * and the first job waiting for a line. SQLite answers EXPLAIN QUERY PLAN; PostgreSQL answers
 * EXPLAIN with sequential and bitmap scans turned off for the session, so that what is left to
 * see is whether the partial index may be used at all.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type CompiledQuery, type Kysely, sql } from 'kysely'
import { firstWaitingForQuery } from '../../src/storage/sql/job-queries.js'
import type { Database } from '../../src/storage/sql/schema.js'
import { callsOnLineQuery } from '../../src/storage/sql/sql-transmission-repository.js'
import {
  aRenderJob,
  anAccount,
  anOutboxEntry,
  deliveriesOf,
  destinations,
} from '../support/sample-records.js'
import { queryPlan } from '../support/query-plan.js'
import { type TestStore, openTestStore } from '../support/test-database.js'

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`the partial write indexes' query plans (${engine})`, () => {
    let store: TestStore
    let db: Kysely<Database>

    before(async () => {
      store = await openTestStore(engine)
      db = store.database()
      // Many deliveries, a few of them in a call, each to its own destination: the statistics
      // then tell the planner which partial index narrows a line down.
      const account = anAccount()
      await store.store.accounts.create(account, null)
      for (let i = 0; i < 10; i += 1) {
        const entry = anOutboxEntry(account.uid, { to: destinations(100).map((d) => `${d}${i}`) })
        await store.store.outbox.create(entry, deliveriesOf(entry), aRenderJob(entry))
      }
      await sql`update deliveries set calling = 1 where position < 3`.execute(db)
      if (engine === 'postgres') {
        await sql`analyze deliveries`.execute(db)
        await sql`analyze jobs`.execute(db)
      }
    })
    after(async () => store.cleanup())

    async function plan(compiled: CompiledQuery): Promise<string> {
      return queryPlan(db, engine, compiled)
    }

    for (const [column, index] of [
      ['destination', 'deliveries_calling_destination_idx'],
      ['from_number', 'deliveries_calling_from_number_idx'],
    ] as const) {
      it(`counts the calls on a line by ${column} on ${index}`, async () => {
        const text = await plan(
          callsOnLineQuery(db, column, '+15555550100', 'd'.repeat(24)).compile(),
        )
        assert.ok(text.includes(index), text)
      })
    }

    it('finds the first job waiting for a line on jobs_waiting_for_idx', async () => {
      const text = await plan(
        firstWaitingForQuery(db, 'line:destination:+15555550100', 1).compile(),
      )
      assert.ok(text.includes('jobs_waiting_for_idx'), text)
    })
  })
}
