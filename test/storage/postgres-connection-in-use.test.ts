/**
 * PostgreSQL closing a connection that faxd holds (a query in flight, or a transaction between
 * two statements) fails what runs on it and nothing more: the process goes on, and the next
 * query runs on a new connection (issue 11, item 6).
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql, type Kysely } from 'kysely'
import pg from 'pg'
import { openPostgresDatabase } from '../../src/storage/sql/postgres-database.js'
import type { Database } from '../../src/storage/sql/schema.js'
import { TEST_DATABASE_URL } from '../support/test-database.js'

describe('a PostgreSQL connection in use, closed by the server', () => {
  let db: Kysely<Database>
  let uncaught: unknown[]
  const onUncaught = (error: unknown): void => {
    uncaught.push(error)
  }
  beforeEach(() => {
    db = openPostgresDatabase({ url: TEST_DATABASE_URL })
    uncaught = []
    process.on('uncaughtException', onUncaught)
  })
  afterEach(async () => {
    process.off('uncaughtException', onUncaught)
    await db.destroy()
  })

  it('fails the query in flight, and the next query succeeds', async () => {
    const pid = await backendPid(db)
    const sleeping = sql`select pg_sleep(10)`.execute(db).then(
      () => undefined,
      (error: unknown) => error,
    )
    // The next connection is a new one, so the sleeping query runs on the connection named `pid`.
    await waitUntilActive(pid)
    await terminate(pid)
    assert.ok((await sleeping) instanceof Error, 'the query failed')
    await waitUntilGone(pid)
    assert.notEqual(await backendPid(db), pid, 'a new connection')
    assert.deepEqual(uncaught, [])
  })

  it('fails the transaction that held it, and the next query succeeds', async () => {
    let pid = 0
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        pid = await backendPid(trx)
        await terminate(pid)
        // The backend is gone while the transaction holds its connection, between statements.
        await waitUntilGone(pid)
        await sql`select 1`.execute(trx)
      }),
    )
    assert.notEqual(await backendPid(db), pid, 'a new connection')
    assert.deepEqual(uncaught, [])
  })
})

async function backendPid(db: Kysely<Database>): Promise<number> {
  const result = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)
  const pid = result.rows[0]?.pid
  assert.ok(pid)
  return pid
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  try {
    return await work(admin)
  } finally {
    await admin.end()
  }
}

/** Until the server has no backend `pid` any more (polled, with a deadline). */
async function waitUntilGone(pid: number): Promise<void> {
  await withAdmin(async (admin) => {
    for (let tries = 0; tries < 250; tries++) {
      const found = await admin.query('select 1 from pg_stat_activity where pid = $1', [pid])
      if (found.rowCount === 0) {
        return
      }
      await sleep(20)
    }
    throw new Error(`backend ${pid} is still there`)
  })
}

async function waitUntilActive(pid: number): Promise<void> {
  await withAdmin(async (admin) => {
    for (let tries = 0; tries < 100; tries++) {
      const state = await admin.query<{ state: string }>(
        'select state from pg_stat_activity where pid = $1',
        [pid],
      )
      if (state.rows[0]?.state === 'active') {
        return
      }
      await sleep(20)
    }
    throw new Error(`backend ${pid} never ran the query`)
  })
}

async function terminate(pid: number): Promise<void> {
  await withAdmin(async (admin) => {
    const ended = await admin.query<{ ended: boolean }>(
      'select pg_terminate_backend($1) as ended',
      [pid],
    )
    assert.equal(ended.rows[0]?.ended, true)
  })
}
