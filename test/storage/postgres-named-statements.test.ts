/**
 * NamedStatementsClient on the real PostgreSQL: a query text is prepared once per connection
 * and reused (pg_prepared_statements lists it, once, after many calls); a prepared `select *`
 * still answers after another session adds a column to its table; other query forms pass
 * through unnamed; and no connection names more than MAX_NAMED_STATEMENTS texts.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import {
  MAX_NAMED_STATEMENTS,
  NamedStatementsClient,
} from '../../src/storage/sql/postgres-named-statements.js'
import { TEST_DATABASE_URL } from '../support/test-database.js'

describe('NamedStatementsClient', () => {
  const table = `named_${randomBytes(6).toString('hex')}`
  let client: NamedStatementsClient
  let other: pg.Client

  before(async () => {
    client = new NamedStatementsClient({ connectionString: TEST_DATABASE_URL })
    other = new pg.Client({ connectionString: TEST_DATABASE_URL })
    await Promise.all([client.connect(), other.connect()])
    await other.query(`create table ${table} (a integer)`)
    await other.query(`insert into ${table} values (1), (2)`)
  })
  after(async () => {
    await other.query(`drop table if exists ${table}`)
    await Promise.all([client.end(), other.end()])
  })

  const prepared = async (): Promise<string[]> =>
    (
      await client.query({
        text: 'select statement from pg_prepared_statements order by statement',
      })
    ).rows.map((row: { statement: string }) => row.statement)

  it('prepares a text once and reuses it on the next calls', async () => {
    const text = `select a from ${table} where a >= $1 order by a`
    for (let i = 0; i < 5; i += 1) {
      const result = await client.query(text, [2])
      assert.deepEqual(result.rows, [{ a: 2 }])
    }
    const statements = await prepared()
    assert.equal(statements.filter((statement) => statement === text).length, 1)
  })

  it('a prepared select * answers the new shape after another session adds a column', async () => {
    const text = `select * from ${table} order by a`
    assert.deepEqual((await client.query(text, [])).rows, [{ a: 1 }, { a: 2 }])
    await other.query(`alter table ${table} add column b integer default 9`)
    assert.deepEqual((await client.query(text, [])).rows, [
      { a: 1, b: 9 },
      { a: 2, b: 9 },
    ])
    assert.deepEqual((await client.query(text, [])).rows.length, 2)
  })

  it('passes the other forms through unnamed', async () => {
    const before = (await prepared()).length
    const answer = await client.query({ text: 'select $1::int as one', values: [1] })
    assert.deepEqual(answer.rows, [{ one: 1 }])
    assert.deepEqual((await client.query('select 2 as two')).rows, [{ two: 2 }])
    assert.equal((await prepared()).length, before)
  })

  it(`names at most ${MAX_NAMED_STATEMENTS} texts on one connection, then runs them unnamed`, async () => {
    const fresh = new NamedStatementsClient({ connectionString: TEST_DATABASE_URL })
    await fresh.connect()
    try {
      for (let i = 0; i < MAX_NAMED_STATEMENTS + 20; i += 1) {
        const result = await fresh.query(`select $1::int + ${i} as n`, [1])
        assert.equal(result.rows[0].n, i + 1)
      }
      const count = await fresh.query({
        text: 'select count(*)::int as n from pg_prepared_statements',
      })
      assert.equal(count.rows[0].n, MAX_NAMED_STATEMENTS)
    } finally {
      await fresh.end()
    }
  })
})
