/**
 * How the databases run the fax lists (the query of src/storage/sql/fax-queries.ts, as the
 * repository runs it): every category, and the page below a cursor, on an index of its own,
 * read in order, with no sort. SQLite answers EXPLAIN QUERY PLAN; PostgreSQL answers EXPLAIN
 * with sequential and bitmap scans turned off for the session, so that what is left to compare
 * is an ordered index scan against an index scan followed by a sort.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Kysely, sql } from 'kysely'
import type { FaxCategory, FaxQuery } from '../../src/domain/fax.js'
import { faxListQuery } from '../../src/storage/sql/fax-queries.js'
import type { Database } from '../../src/storage/sql/schema.js'
import { anAccount, aFaxRecord } from '../support/sample-records.js'
import { queryPlan } from '../support/query-plan.js'
import { type TestStore, openTestStore } from '../support/test-database.js'

const EXPECTED_INDEX: Readonly<Record<FaxCategory | 'all', string>> = {
  all: 'faxes_owner_started_id_idx',
  inbox: 'faxes_owner_direction_spam_started_id_idx',
  sent: 'faxes_owner_direction_started_id_idx',
  spam: 'faxes_owner_spam_started_id_idx',
}

function queryFor(ownerUid: string, category: FaxCategory | null, below: boolean): FaxQuery {
  return {
    ownerUid,
    category,
    afterMs: null,
    beforeMs: null,
    below: below ? { atMs: 5_000, id: 'f'.repeat(24) } : null,
    limit: 50,
  }
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`the fax lists' query plans (${engine})`, () => {
    let store: TestStore
    let db: Kysely<Database>
    let owner: string

    before(async () => {
      store = await openTestStore(engine)
      db = store.database()
      const account = anAccount()
      owner = account.uid
      await store.store.accounts.create(account, null)
      for (let i = 0; i < 200; i += 1) {
        await store.store.faxes.add(
          aFaxRecord(owner, {
            startedAtMs: 1_000 + i,
            direction: i % 2 === 0 ? 'incoming' : 'outgoing',
            isSpam: i % 50 === 0,
          }),
        )
      }
      if (engine === 'postgres') {
        await sql`analyze faxes`.execute(db)
      }
    })
    after(async () => store.cleanup())

    async function plan(query: FaxQuery): Promise<string> {
      return queryPlan(db, engine, faxListQuery(db, query).compile())
    }

    for (const category of [null, 'inbox', 'sent', 'spam'] as const) {
      for (const below of [false, true]) {
        const name = `${category ?? 'all'}${below ? ', below a cursor' : ''}`
        it(`reads ${name} on ${EXPECTED_INDEX[category ?? 'all']}, in order, with no sort`, async () => {
          const text = await plan(queryFor(owner, category, below))
          assert.ok(text.includes(EXPECTED_INDEX[category ?? 'all']), text)
          assert.doesNotMatch(text, engine === 'sqlite' ? /TEMP B-TREE/ : /Sort/, text)
        })
      }
    }
  })
}
