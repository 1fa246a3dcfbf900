/**
 * SqliteStatementCache on a real SQLite database: one statement per text, reused; a schema
 * change under a cached statement still answers the new shape; the least recently used text
 * leaves first once MAX_CACHED_STATEMENTS are cached; and Kysely runs through it.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import {
  MAX_CACHED_STATEMENTS,
  SqliteStatementCache,
} from '../../src/storage/sql/sqlite-statement-cache.js'

describe('SqliteStatementCache', () => {
  it('answers the statement already prepared for a text, and prepares each text once', () => {
    const cache = new SqliteStatementCache(new SQLite(':memory:'))
    const first = cache.prepare('select ? as value')
    const again = cache.prepare('select ? as value')
    assert.equal(again, first)
    assert.deepEqual(again.all([7]), [{ value: 7 }])
    assert.notEqual(cache.prepare('select ? as other'), first)
    assert.equal(cache.size, 2)
    cache.close()
  })

  it('a cached statement reads the columns a later migration added', () => {
    const cache = new SqliteStatementCache(new SQLite(':memory:'))
    cache.prepare('create table t (a integer)').run([])
    cache.prepare('insert into t values (1)').run([])
    assert.deepEqual(cache.prepare('select * from t').all([]), [{ a: 1 }])
    cache.prepare('alter table t add column b integer default 2').run([])
    assert.deepEqual(cache.prepare('select * from t').all([]), [{ a: 1, b: 2 }])
    cache.close()
  })

  it(`holds at most ${MAX_CACHED_STATEMENTS} texts, dropping the least recently used`, () => {
    const cache = new SqliteStatementCache(new SQLite(':memory:'))
    const kept = cache.prepare('select 0')
    for (let i = 1; i <= MAX_CACHED_STATEMENTS; i += 1) {
      cache.prepare(`select ${i}`)
      if (i % 100 === 0) {
        assert.equal(cache.prepare('select 0'), kept, 'a text in use stays')
      }
    }
    assert.equal(cache.size, MAX_CACHED_STATEMENTS)
    assert.equal(cache.prepare('select 0'), kept)
    const dropped = cache.prepare('select 1')
    assert.equal(cache.size, MAX_CACHED_STATEMENTS)
    assert.deepEqual(dropped.all([]), [{ 1: 1 }])
    cache.close()
  })

  it('runs Kysely queries, reusing their statements from one call to the next', async () => {
    const raw = new SQLite(':memory:')
    const cache = new SqliteStatementCache(raw)
    const db = new Kysely<{ t: { a: number } }>({ dialect: new SqliteDialect({ database: cache }) })
    await sql`create table t (a integer)`.execute(db)
    for (let i = 0; i < 10; i += 1) {
      await db.insertInto('t').values({ a: i }).execute()
    }
    const rows = await db.selectFrom('t').select('a').where('a', '>=', 5).execute()
    assert.deepEqual(
      rows.map((row) => row.a),
      [5, 6, 7, 8, 9],
    )
    assert.equal(cache.size, 3, 'create, one insert text, one select text')
    await db.destroy()
    assert.equal(raw.open, false, 'destroying Kysely closes the connection')
  })
})
