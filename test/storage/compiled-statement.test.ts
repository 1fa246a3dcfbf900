/**
 * Statements built and compiled once (src/storage/sql/compiled-statement.ts), on both engines:
 * a statement built once per database handle, its transactions included, answers each run's
 * values as Kysely's own query does; inserts compiled per shape write what Kysely would, and
 * refuse rows that do not give the same columns.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Kysely } from 'kysely'
import {
  CompiledStatement,
  insertCompiled,
  MAX_COMPILED_INSERT_ROWS,
  type Slots,
} from '../../src/storage/sql/compiled-statement.js'
import type { Database } from '../../src/storage/sql/schema.js'
import { systemClock } from '../../src/shared/clock.js'
import { TEST_PASSWORDS } from '../support/test-passwords.js'
import { createAccount } from '../../src/use-cases/create-account.js'
import { ENGINES, openTestStore, type TestStore } from '../support/test-database.js'

for (const engine of ENGINES) {
  describe(`compiled statements (${engine})`, () => {
    let t: TestStore
    let other: TestStore
    let db: Kysely<Database>
    let builds = 0
    const byPath = new CompiledStatement((handle, $: Slots<'path'>) => {
      builds += 1
      return handle
        .selectFrom('uploaded_files')
        .select(['path', 'size_bytes'])
        .where('path', '=', $.path)
    })
    let uid = ''
    const upload = (path: string, size: number) => ({
      path,
      uid,
      file_name: 'a.pdf',
      mime_type: 'application/pdf',
      size_bytes: size,
      storage_key: `k${path}`,
      created_at: 1,
    })

    before(async () => {
      t = await openTestStore(engine)
      other = await openTestStore(engine)
      db = t.database()
      const account = await createAccount(
        { store: t.store, clock: systemClock, passwords: TEST_PASSWORDS },
        { email: 'compiled@example.test', type: 'individual', adminUid: null, password: null },
      )
      uid = account.uid
    })
    after(async () => {
      await t.cleanup()
      await other.cleanup()
    })

    it('inserts rows a shape at a time, as Kysely would', async () => {
      await insertCompiled(db, 'uploaded_files', [upload('/a', 1), upload('/b', 2)])
      await insertCompiled(db, 'uploaded_files', [upload('/c', 3), upload('/d', 4)])
      await insertCompiled(db, 'uploaded_files', [upload('/e', 5)])
      const rows = await db
        .selectFrom('uploaded_files')
        .select(['path', 'size_bytes'])
        .orderBy('path')
        .execute()
      assert.deepEqual(
        rows.map((row) => [row.path, Number(row.size_bytes)]),
        [
          ['/a', 1],
          ['/b', 2],
          ['/c', 3],
          ['/d', 4],
          ['/e', 5],
        ],
      )
    })

    it('builds a statement once per handle and binds each run its own values', async () => {
      builds = 0
      for (const [path, size] of [
        ['/a', 1],
        ['/d', 4],
      ] as const) {
        const rows = await byPath.execute(db, { path })
        assert.deepEqual(
          rows.map((row) => [row.path, Number(row.size_bytes)]),
          [[path, size]],
        )
      }
      assert.deepEqual(await byPath.execute(db, { path: '/none' }), [])
      await db.transaction().execute(async (trx) => {
        assert.equal((await byPath.execute(trx, { path: '/e' })).length, 1)
      })
      assert.equal(builds, 1, 'one build for the handle and its transaction')
      assert.deepEqual(await byPath.execute(other.database(), { path: '/a' }), [])
      assert.equal(builds, 2, 'another handle builds its own')
    })

    it('refuses rows that do not give the same columns, and too many rows', async () => {
      // A row without a column (as a mapper that left out an optional value would give).
      const { size_bytes: _size, ...withoutSize } = upload('/g', 7)
      await assert.rejects(
        insertCompiled(db, 'uploaded_files', [
          upload('/f', 6),
          withoutSize as unknown as ReturnType<typeof upload>,
        ]),
        /do not give the same columns/,
      )
      const many = Array.from({ length: MAX_COMPILED_INSERT_ROWS + 1 }, (_, i) =>
        upload(`/many/${i}`, i),
      )
      await assert.rejects(insertCompiled(db, 'uploaded_files', many), /at most/)
      const left = await db
        .selectFrom('uploaded_files')
        .select('path')
        .where('path', 'in', ['/f', '/g', '/many/0'])
        .execute()
      assert.deepEqual(left, [])
    })
  })
}
