/**
 * Which driver errors the storage layer turns into StoreUnavailableError, on the real engines:
 * a PostgreSQL that refuses connections, a connection terminated by the server, an SQLite
 * database whose file may not grow (as on a full disk); and an ordinary SQL error that stays as
 * it is.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { sql } from 'kysely'
import pg from 'pg'
import { StoreUnavailableError } from '../../src/domain/store-unavailable.js'
import { openPostgresDatabase } from '../../src/storage/sql/postgres-database.js'
import { openSqliteDatabase } from '../../src/storage/sql/sqlite-database.js'
import { TEST_DATABASE_URL } from '../support/test-database.js'

function unavailable(reason: StoreUnavailableError['reason']) {
  return (error: unknown): boolean =>
    error instanceof StoreUnavailableError && error.reason === reason && error.cause !== undefined
}

describe('driver errors that mean the store cannot answer now', () => {
  it('PostgreSQL refusing connections: unreachable', async () => {
    const db = openPostgresDatabase({ url: 'postgres://postgres@127.0.0.1:1/test' })
    try {
      await assert.rejects(sql`select 1`.execute(db), unavailable('unreachable'))
      await assert.rejects(
        db.transaction().execute(async (trx) => sql`select 1`.execute(trx)),
        unavailable('unreachable'),
      )
    } finally {
      await db.destroy()
    }
  })

  it('a PostgreSQL connection terminated by the server: unreachable', async () => {
    const db = openPostgresDatabase({ url: TEST_DATABASE_URL })
    try {
      await assert.rejects(
        db.connection().execute(async (connection) => {
          const result = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(
            connection,
          )
          const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
          await admin.connect()
          try {
            await admin.query('select pg_terminate_backend($1)', [result.rows[0]?.pid])
          } finally {
            await admin.end()
          }
          await sql`select pg_sleep(1)`.execute(connection)
        }),
        unavailable('unreachable'),
      )
    } finally {
      await db.destroy()
    }
  })

  it('an SQL error of the query itself stays as it is', async () => {
    const db = openPostgresDatabase({ url: TEST_DATABASE_URL })
    try {
      await assert.rejects(
        sql`select * from no_such_table`.execute(db),
        (error: unknown) => !(error instanceof StoreUnavailableError) && error instanceof Error,
      )
    } finally {
      await db.destroy()
    }
  })

  it('SQLite out of room (SQLITE_FULL): full', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'faxd-full-'))
    const db = openSqliteDatabase(join(folder, 'faxd.sqlite'))
    try {
      await sql`create table blobs (data blob)`.execute(db)
      const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(db)
      // The file may not grow past its size now: as a full disk, every write that needs a new
      // page fails with SQLITE_FULL.
      await sql.raw(`pragma max_page_count = ${rows[0]?.page_count ?? 1}`).execute(db)
      await assert.rejects(
        sql`insert into blobs values (randomblob(100000))`.execute(db),
        unavailable('full'),
      )
    } finally {
      await db.destroy()
      await rm(folder, { recursive: true, force: true })
    }
  })
})
