/**
 * Statements run together (src/storage/sql/statement-batch.ts), on both engines, inside a
 * transaction of the store's own database handle: each statement's rows come back in the
 * batch's order, a statement sees what the ones before it wrote, and one that fails fails the
 * batch and leaves nothing of the transaction.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Kysely } from 'kysely'
import type { Database } from '../../src/storage/sql/schema.js'
import { executeTogether } from '../../src/storage/sql/statement-batch.js'
import { ENGINES, openTestStore, type TestStore } from '../support/test-database.js'

for (const engine of ENGINES) {
  describe(`statements run together (${engine})`, () => {
    let t: TestStore
    let db: Kysely<Database>

    before(async () => {
      t = await openTestStore(engine)
      db = t.database()
    })
    after(async () => {
      await t.cleanup()
    })

    const version = (handle: Kysely<Database>) =>
      handle.selectFrom('credential_version').select('version').where('id', '=', 1)

    it("answers each statement's rows in order, each seeing the writes before it", async () => {
      const [before] = await version(db).execute()
      const answers = await db
        .transaction()
        .execute((trx) =>
          executeTogether(trx, engine, [
            version(trx).compile(),
            trx.insertInto('credential_version').values({ id: 2, version: 40 }).compile(),
            trx.selectFrom('credential_version').select(['id', 'version']).orderBy('id').compile(),
            trx.deleteFrom('credential_version').where('id', '=', 2).returning('id').compile(),
          ]),
        )
      assert.deepEqual(answers, [
        [{ version: before?.version }],
        [],
        [
          { id: 1, version: before?.version },
          { id: 2, version: 40 },
        ],
        [{ id: 2 }],
      ])
    })

    it('fails with the first statement that fails, and the transaction leaves nothing', async () => {
      await assert.rejects(
        db.transaction().execute((trx) =>
          executeTogether(trx, engine, [
            trx.insertInto('credential_version').values({ id: 3, version: 1 }).compile(),
            // id 1 is there already (migration 0014).
            trx.insertInto('credential_version').values({ id: 1, version: 1 }).compile(),
            trx.insertInto('credential_version').values({ id: 4, version: 1 }).compile(),
          ]),
        ),
        /unique|duplicate/i,
      )
      const ids = await db.selectFrom('credential_version').select('id').orderBy('id').execute()
      assert.deepEqual(ids, [{ id: 1 }])
    })
  })
}
