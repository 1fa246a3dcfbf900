/**
 * Opens the SQLite database file (creating its folder) with write-ahead logging, full fsync on
 * commit, enforced foreign keys and a 5 s wait on a locked database. Statements are prepared
 * once per text and reused (sqlite-statement-cache.ts).
 *
 * Transactions begin IMMEDIATE, taking the write lock at once. With a plain (deferred) BEGIN, a
 * transaction that reads before it writes holds a snapshot; if another process (`faxd serve` and
 * `faxd worker` on one file) commits in between, its first write fails with SQLITE_BUSY at once,
 * whatever the busy timeout ("If some other database connection has already modified the database
 * … the upgrade … fails with SQLITE_BUSY_SNAPSHOT", sqlite.org/isolation.html). Taking the lock
 * first makes the other process wait for it instead, up to the busy timeout.
 *
 * Still locked after the busy timeout (SQLITE_BUSY), or a full disk (SQLITE_FULL), becomes
 * StoreUnavailableError (store-unavailable-dialect.ts).
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import {
  CompiledQuery,
  Kysely,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely'
import type { Database } from './schema.js'
import { SqliteStatementCache } from './sqlite-statement-cache.js'
import { StoreUnavailableDialect } from './store-unavailable-dialect.js'

export function openSqliteDatabase(filePath: string): Kysely<Database> {
  mkdirSync(dirname(filePath), { recursive: true })
  const database = new SQLite(filePath)
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = FULL')
  database.pragma('foreign_keys = ON')
  database.pragma('busy_timeout = 5000')
  return new Kysely<Database>({
    dialect: new StoreUnavailableDialect(
      new ImmediateTransactionsDialect({ database: new SqliteStatementCache(database) }),
    ),
  })
}

class ImmediateTransactionsDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig

  constructor(config: SqliteDialectConfig) {
    super(config)
    this.#config = config
  }

  override createDriver(): Driver {
    return new ImmediateTransactionsDriver(this.#config)
  }
}

class ImmediateTransactionsDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}
