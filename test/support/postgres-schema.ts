/**
 * A PostgreSQL schema of its own for a test that starts faxd processes: its URL names the schema
 * as the connections' search_path (libpq's `options`), which is far cheaper than a database of
 * its own. It holds the schema-drop lock shared, as test stores do while they migrate, until its
 * processes have started (processesStarted) or it is dropped: a test that runs for a minute
 * would otherwise hold up every other file's drop, and every store opened behind that drop.
 */
import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { openPostgresDatabase } from '../../src/storage/sql/postgres-database.js'
import type { Database } from '../../src/storage/sql/schema.js'
import { SCHEMA_DROP_LOCK, TEST_DATABASE_URL } from './test-database.js'

export interface PostgresSchema {
  /** DATABASE_URL for faxd: the test database, with the schema as its search_path. */
  readonly databaseUrl: string
  /** A handle on the schema, for looking at rows; opened on first use, closed by drop. */
  db(): Kysely<Database>
  /**
   * The faxd processes of this schema have started (and so migrated): the schema-drop lock is no
   * longer held for them, and other files may drop their schemas meanwhile. Until then, or until
   * drop, it is held shared. A process started after this must not be started without it.
   */
  processesStarted(): Promise<void>
  drop(): Promise<void>
}

export async function aPostgresSchema(name: string): Promise<PostgresSchema> {
  const schema = `${name}_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  await admin.query('select pg_advisory_lock_shared($1)', [SCHEMA_DROP_LOCK])
  const url = new URL(TEST_DATABASE_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  let handle: Kysely<Database> | undefined
  let holding = true
  const release = async (): Promise<void> => {
    if (holding) {
      holding = false
      await admin.query('select pg_advisory_unlock_shared($1)', [SCHEMA_DROP_LOCK])
    }
  }
  return {
    databaseUrl: url.toString(),
    db: () => (handle ??= openPostgresDatabase({ url: TEST_DATABASE_URL, searchPath: schema })),
    processesStarted: release,
    async drop() {
      // The shared hold first: nothing of this schema migrates any more, and a drop that went on
      // holding it while anything below waited would hold up every other file's drop.
      await release()
      await handle?.destroy()
      await admin.query('select pg_advisory_lock($1)', [SCHEMA_DROP_LOCK])
      await admin.query(`drop schema ${schema} cascade`)
      await admin.end()
    },
  }
}
