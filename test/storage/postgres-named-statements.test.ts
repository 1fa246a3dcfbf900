/**
 * NamedStatementsClient on the real PostgreSQL: a query text is prepared once per connection
 * and reused (pg_prepared_statements lists it, once, after many calls); a prepared `select *`
 * still answers after another session adds a column to its table; other query forms pass
 * through unnamed; and no connection names more than MAX_NAMED_STATEMENTS texts. Fewer round
 * trips: a batch's statements go out in one write and answer each its rows, in order (a failing
 * one fails the batch, and its transaction); a transaction's BEGIN goes out with the statement
 * after it.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { STATEMENT_BATCH } from '../../src/storage/sql/statement-batch.js'
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

  /** Counts the writes to the client's socket while `work` runs. */
  async function writesDuring(work: () => Promise<unknown>): Promise<number> {
    const stream = client.connection.stream as unknown as {
      _writev: (...args: unknown[]) => unknown
      _write: (...args: unknown[]) => unknown
    }
    const { _writev: writev, _write: write } = stream
    let writes = 0
    stream._writev = (...args) => (writes++, writev.apply(stream, args))
    stream._write = (...args) => (writes++, write.apply(stream, args))
    try {
      await work()
    } finally {
      stream._writev = writev
      stream._write = write
    }
    return writes
  }

  it('sends a batch in one write and answers each statement its rows, in order', async () => {
    const batch = [
      { text: `select a from ${table} where a = $1`, values: [1] },
      { text: `select count(*)::int as n from ${table} where a >= $1`, values: [1] },
      { text: `select a from ${table} where a = $1`, values: [42] },
    ]
    let answer: pg.QueryResult | undefined
    const writes = await writesDuring(async () => {
      answer = await client.query(STATEMENT_BATCH, [batch])
    })
    assert.equal(writes, 1)
    assert.deepEqual(answer?.rows, [[{ a: 1 }], [{ n: 2 }], []])
  })

  /** Runs `work` in a transaction of `client`, always rolled back, so a failure leaves none open. */
  async function inTransaction(work: () => Promise<void>): Promise<void> {
    try {
      await work()
    } finally {
      await client.query('rollback', [])
    }
  }

  it('fails a batch with its first failing statement, and its transaction with it', async () => {
    await inTransaction(async () => {
      await client.query('begin', [])
      const batch = [
        { text: `insert into ${table} (a) values ($1)`, values: [7] },
        { text: 'select 1 / $1::int as n', values: [0] },
        { text: `insert into ${table} (a) values ($1)`, values: [8] },
      ]
      // division_by_zero, not the "transaction is aborted" of the statement after it
      await assert.rejects(client.query(STATEMENT_BATCH, [batch]), { code: '22012' })
    })
    const kept = await client.query(`select a from ${table} where a in (7, 8)`, [])
    assert.deepEqual(kept.rows, [])
  })

  it("sends a transaction's BEGIN with its first statement, and the statement runs inside it", async () => {
    const seen = async (on: pg.Client) =>
      (await on.query(`select count(*)::int as n from ${table} where a = 9`)).rows[0].n as number
    await inTransaction(async () => {
      const writes = await writesDuring(async () => {
        await client.query('begin', [])
        await client.query(`insert into ${table} (a) values ($1)`, [9])
      })
      assert.equal(writes, 1)
      assert.equal(await seen(other), 0, 'not committed')
    })
    assert.equal(await seen(client), 0, 'rolled back')
  })

  it('sends a BEGIN alone when the transaction does something else first', async () => {
    const pid = (client as unknown as { processID: number }).processID
    const state = async () =>
      (await other.query('select state from pg_stat_activity where pid = $1', [pid])).rows[0]
        ?.state as string | undefined
    await inTransaction(async () => {
      await client.query('begin', [])
      // Nothing else is sent on this connection: the BEGIN goes out on its own.
      while ((await state()) !== 'idle in transaction') {
        await new Promise((resolve) => setImmediate(resolve))
      }
      const inside = await client.query(`insert into ${table} (a) values ($1) returning a`, [10])
      assert.deepEqual(inside.rows, [{ a: 10 }])
    })
    const kept = await client.query(`select a from ${table} where a = 10`, [])
    assert.deepEqual(kept.rows, [], 'the statement after it ran inside the transaction')
  })
})
