/**
 * Opens the SQLite database file (creating its folder) with write-ahead logging, full fsync on
 * commit, enforced foreign keys and a 5 s wait on a locked database.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import type { Database } from './schema.js'

export function openSqliteDatabase(filePath: string): Kysely<Database> {
  mkdirSync(dirname(filePath), { recursive: true })
  const database = new SQLite(filePath)
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = FULL')
  database.pragma('foreign_keys = ON')
  database.pragma('busy_timeout = 5000')
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) })
}
