/**
 * Rows through faxd's SQLite driver (src/storage/sql/sqlite-driver.ts), which reads them as
 * arrays and makes the objects itself: the same objects better-sqlite3 makes, a `select *`
 * statement prepared once still gives the columns another connection's migration added and
 * dropped, and a streamed select gives the same rows.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import SQLite from 'better-sqlite3'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../src/storage/sql/schema.js'
import { openSqliteDatabase } from '../../src/storage/sql/sqlite-database.js'

describe("faxd's SQLite driver's rows", () => {
  let folder: string
  let file: string
  let db: Kysely<Database>
  let other: SQLite.Database

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'faxd-driver-rows-'))
    file = join(folder, 'rows.sqlite')
    db = openSqliteDatabase(file)
    await sql`create table t (a integer, b text, c blob)`.execute(db)
    await sql`insert into t values (1, 'one', x'0102'), (2, null, null)`.execute(db)
    other = new SQLite(file)
  })
  after(async () => {
    other.close()
    await db.destroy()
    await rm(folder, { recursive: true, force: true })
  })

  const selectAll = async () => (await sql`select * from t order by a`.execute(db)).rows

  it('are the objects better-sqlite3 makes, a duplicate name taking the later column', async () => {
    assert.deepEqual(await selectAll(), other.prepare('select * from t order by a').all())
    const joined = sql`select x.a, y.a from t x join t y on y.a = x.a + 1`
    assert.deepEqual(
      (await joined.execute(db)).rows,
      other.prepare('select x.a, y.a from t x join t y on y.a = x.a + 1').all(),
    )
    assert.deepEqual((await joined.execute(db)).rows, [{ a: 2 }])
  })

  it('follow the columns another connection adds and drops under a prepared statement', async () => {
    await selectAll()
    other.exec(`alter table t add column d integer default 4`)
    assert.deepEqual(await selectAll(), [
      { a: 1, b: 'one', c: Buffer.from([1, 2]), d: 4 },
      { a: 2, b: null, c: null, d: 4 },
    ])
    other.exec(`alter table t drop column b`)
    assert.deepEqual(await selectAll(), [
      { a: 1, c: Buffer.from([1, 2]), d: 4 },
      { a: 2, c: null, d: 4 },
    ])
  })

  it('are the same when streamed', async () => {
    const streamed: unknown[] = []
    const query = db.selectFrom('t' as never).selectAll() as unknown as {
      stream(): AsyncIterable<unknown>
    }
    for await (const row of query.stream()) {
      streamed.push(row)
    }
    assert.deepEqual(streamed, await selectAll())
  })
})
