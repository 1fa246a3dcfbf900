/**
 * Opens the SQLite database file (creating its folder) with write-ahead logging, enforced foreign
 * keys and a 5 s wait on a locked database. Statements are prepared once per text and reused
 * (sqlite-statement-cache.ts). Every write is on disk before it is answered, as with
 * `synchronous = FULL`, but the fsync runs off the event loop (sqlite-driver.ts, wal-sync.ts).
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
import { Kysely, SqliteDialect, type Driver } from 'kysely'
import type { Database } from './schema.js'
import { type SqliteConnections, SqliteDurableDriver } from './sqlite-driver.js'
import { SqliteStatementCache } from './sqlite-statement-cache.js'
import { StoreUnavailableDialect } from './store-unavailable-dialect.js'
import { WalSync } from './wal-sync.js'

export function openSqliteDatabase(filePath: string): Kysely<Database> {
  mkdirSync(dirname(filePath), { recursive: true })
  const connection = new SQLite(filePath)
  connection.pragma('journal_mode = WAL')
  // Commits do not sync the log; the driver syncs it before answering (sqlite-driver.ts).
  connection.pragma('synchronous = NORMAL')
  connection.pragma('foreign_keys = ON')
  connection.pragma('busy_timeout = 5000')
  const connections = {
    database: new SqliteStatementCache(connection),
    connection,
    walSync: new WalSync(filePath),
  }
  return new Kysely<Database>({
    dialect: new StoreUnavailableDialect(new DurableDialect(connections)),
  })
}

/** SQLite's query compiler, adapter and introspector, with faxd's own driver. */
class DurableDialect extends SqliteDialect {
  readonly #connections: SqliteConnections

  constructor(connections: SqliteConnections) {
    super({ database: connections.database })
    this.#connections = connections
  }

  override createDriver(): Driver {
    return new SqliteDurableDriver(this.#connections)
  }
}
