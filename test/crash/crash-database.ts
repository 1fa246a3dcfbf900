/**
 * The store the crash test's processes share, fresh for each run: on PostgreSQL a new database
 * `crash_<hex>` on the server of FAXD_TEST_DATABASE_URL (DATABASE_URL names a database, not a
 * schema, so a database of its own is how every process opens the same fresh store), on SQLite
 * the database file in the data folder. Both engines keep the files in the data folder, which
 * the API and every worker share. The test reads the rows with plain SQL through its own handle;
 * cleanup drops the database and removes the folder, unless asked to keep them.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { SQLITE_FILE_NAME } from '../../src/storage/sql/open-store.js'
import { openPostgresDatabase } from '../../src/storage/sql/postgres-database.js'
import type { Database } from '../../src/storage/sql/schema.js'
import { openSqliteDatabase } from '../../src/storage/sql/sqlite-database.js'
import { TEST_DATABASE_URL } from '../support/test-database.js'

export type CrashEngine = 'postgres' | 'sqlite'

export interface CrashDatabase {
  readonly engine: CrashEngine
  /** FAXD_DATA and DATABASE_URL for every faxd process of the run. */
  readonly env: Record<string, string>
  /** Where the data is, for a report: the folder, and the database URL on PostgreSQL. */
  readonly where: string
  /** The test's own handle on the database; open it after faxd has migrated it. */
  db(): Kysely<Database>
  cleanup(options: { keep: boolean }): Promise<void>
}

export async function openCrashDatabase(engine: CrashEngine): Promise<CrashDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), `faxd-crash-${engine}-`))
  let handle: Kysely<Database> | undefined
  if (engine === 'sqlite') {
    return {
      engine,
      env: { FAXD_DATA: dataDir, DATABASE_URL: '' },
      where: dataDir,
      db: () => (handle ??= openSqliteDatabase(join(dataDir, SQLITE_FILE_NAME))),
      cleanup: async ({ keep }) => {
        await handle?.destroy()
        if (!keep) {
          await rm(dataDir, { recursive: true, force: true })
        }
      },
    }
  }
  const name = `crash_${randomBytes(6).toString('hex')}`
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`))
  const url = new URL(TEST_DATABASE_URL)
  url.pathname = `/${name}`
  const databaseUrl = url.toString()
  return {
    engine,
    env: { FAXD_DATA: dataDir, DATABASE_URL: databaseUrl },
    where: `${databaseUrl} and ${dataDir}`,
    db: () => (handle ??= openPostgresDatabase({ url: databaseUrl })),
    cleanup: async ({ keep }) => {
      await handle?.destroy()
      if (!keep) {
        await withAdminClient((client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`))
        await rm(dataDir, { recursive: true, force: true })
      }
    },
  }
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}
