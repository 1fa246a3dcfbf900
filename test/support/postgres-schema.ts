/**
 * A PostgreSQL schema of its own for a test that starts faxd processes: its URL names the schema
 * as the connections' search_path (libpq's `options`), which is far cheaper than a database of
 * its own.
 */
import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { openPostgresDatabase } from '../../src/storage/sql/postgres-database.js'
import type { Database } from '../../src/storage/sql/schema.js'
import { TEST_DATABASE_URL } from './test-database.js'

export interface PostgresSchema {
  /** The schema's name, `<name>_<random hex>`. */
  readonly name: string
  /** DATABASE_URL for faxd: the test database, with the schema as its search_path. */
  readonly databaseUrl: string
  /** A handle on the schema, for looking at rows; opened on first use, closed by drop. */
  db(): Kysely<Database>
  drop(): Promise<void>
}

export async function aPostgresSchema(name: string): Promise<PostgresSchema> {
  const schema = `${name}_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  const url = new URL(TEST_DATABASE_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  let handle: Kysely<Database> | undefined
  return {
    name: schema,
    databaseUrl: url.toString(),
    db: () => (handle ??= openPostgresDatabase({ url: TEST_DATABASE_URL, searchPath: schema })),
    async drop() {
      await handle?.destroy()
      await admin.query(`drop schema ${schema} cascade`)
      await admin.end()
    },
  }
}
