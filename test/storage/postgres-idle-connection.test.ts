/**
 * PostgreSQL closing an idle connection of faxd's pool (a server restart, an administrator's
 * pg_terminate_backend) does not end the process: the pool drops the connection and the next
 * query runs on a new one.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import pg from 'pg'
import { openPostgresDatabase } from '../../src/storage/sql/postgres-database.js'
import { TEST_DATABASE_URL } from '../support/test-database.js'

describe('a PostgreSQL connection closed by the server', () => {
  it('is replaced at the next query, and the process goes on', async () => {
    const db = openPostgresDatabase({ url: TEST_DATABASE_URL })
    const uncaught: unknown[] = []
    const onUncaught = (error: unknown) => uncaught.push(error)
    process.on('uncaughtException', onUncaught)
    try {
      const before = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)
      const pid = before.rows[0]?.pid
      assert.ok(pid)
      // The connection is idle in the pool now; another session closes it.
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
      await admin.connect()
      try {
        const ended = await admin.query<{ ended: boolean }>(
          'select pg_terminate_backend($1) as ended',
          [pid],
        )
        assert.equal(ended.rows[0]?.ended, true)
      } finally {
        await admin.end()
      }
      await sleep(200) // the termination reaches the idle client
      const after = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)
      assert.notEqual(after.rows[0]?.pid, pid, 'a new connection')
      assert.deepEqual(uncaught, [])
    } finally {
      process.off('uncaughtException', onUncaught)
      await db.destroy()
    }
  })
})
