/**
 * An empty database on each engine, for a test of one migration: it brings the schema to the
 * migration before (migrateToLatest's `upTo`), writes rows as they were then, and migrates on.
 * SQLite in a new temp folder; PostgreSQL in a new schema `m_<random hex>` on TEST_DATABASE_URL.
 * Both are removed when `work` ends.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { openPostgresDatabase } from '../../src/storage/sql/postgres-database.js'
import type { Database } from '../../src/storage/sql/schema.js'
import type { SqlEngine } from '../../src/storage/sql/sql-engine.js'
import { openSqliteDatabase } from '../../src/storage/sql/sqlite-database.js'
import { TEST_DATABASE_URL } from './test-database.js'

export async function withEmptyDatabase(
  engine: SqlEngine,
  work: (db: Kysely<Database>) => Promise<void>,
): Promise<void> {
  if (engine === 'sqlite') {
    const folder = await mkdtemp(join(tmpdir(), 'faxd-migration-'))
    const db = openSqliteDatabase(join(folder, 'faxd.sqlite'))
    try {
      await work(db)
    } finally {
      await db.destroy()
      await rm(folder, { recursive: true, force: true })
    }
    return
  }
  const schema = `m_${randomBytes(8).toString('hex')}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  try {
    await admin.query(`create schema ${schema}`)
    const db = openPostgresDatabase({ url: TEST_DATABASE_URL, searchPath: schema })
    try {
      await work(db)
    } finally {
      await db.destroy()
    }
  } finally {
    await admin.query(`drop schema ${schema} cascade`)
    await admin.end()
  }
}
