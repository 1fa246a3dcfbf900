/**
 * Kysely's Driver for faxd's SQLite file: one connection, used by one session at a time, whose
 * writes are answered only once they are on disk, without the disk wait on the event loop.
 *
 * The connection runs with `synchronous = NORMAL`, so a commit appends to the WAL without
 * syncing it. After any statement that is not a read and leaves the connection outside a
 * transaction (a commit, or a write in autocommit), the session passes the connection on and
 * then syncs the WAL (wal-sync.ts) before its caller goes on: the fsync runs on libuv's thread
 * pool while the event loop serves other requests and the next batch of writes runs. A read in
 * that window can see a commit whose sync is still in flight; its writer has not been answered
 * yet, and only a power loss in that millisecond could take it back.
 *
 * Transactions begin IMMEDIATE (sqlite-database.ts says why). Statements are prepared once per
 * text (sqlite-statement-cache.ts). Streaming is for selects only, as in Kysely's own driver.
 */
import type { Database as BetterSqliteDatabase, Statement } from 'better-sqlite3'
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  SelectQueryNode,
} from 'kysely'
import type { SqliteStatementCache } from './sqlite-statement-cache.js'
import type { WalSync } from './wal-sync.js'

export interface SqliteConnections {
  readonly database: SqliteStatementCache
  /** The connection itself, asked whether it is inside a transaction. */
  readonly connection: BetterSqliteDatabase
  readonly walSync: WalSync
}

export class SqliteDurableDriver implements Driver {
  readonly #connections: SqliteConnections
  readonly #lock = new Lock()

  constructor(connections: SqliteConnections) {
    this.#connections = connections
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new SqliteSession(this.#connections, this.#lock)
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    _compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoted(name)}`))
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    _compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoted(name)}`))
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    _compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoted(name)}`))
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    ;(connection as SqliteSession).release()
  }

  async destroy(): Promise<void> {
    await this.#connections.walSync.close()
    this.#connections.database.close()
  }
}

/**
 * One Kysely connection. It holds the lock from `begin` until the transaction ends; a statement
 * outside a transaction takes it for itself alone. After a write that leaves the connection
 * outside a transaction (a commit, or a write in autocommit), the lock is passed on first and
 * the WAL synced second: the next batch of writes runs while this one's fsync is in flight.
 */
class SqliteSession implements DatabaseConnection {
  readonly #connections: SqliteConnections
  readonly #lock: Lock
  #holdsLock = false

  constructor(connections: SqliteConnections, lock: Lock) {
    this.#connections = connections
    this.#lock = lock
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.#holdsLock) {
      await this.#lock.acquire()
      this.#holdsLock = true
    }
    let result: QueryResult<R>
    try {
      result = run<R>(this.#connections.database, query)
    } finally {
      if (!this.#connections.connection.inTransaction) {
        this.release()
      }
    }
    if (result.numAffectedRows !== undefined && !this.#holdsLock) {
      await this.#connections.walSync.sync()
    }
    return result
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) {
      throw new Error('Only selects can be streamed')
    }
    if (!this.#holdsLock) {
      await this.#lock.acquire()
      this.#holdsLock = true
    }
    try {
      const statement = this.#connections.database.prepare(query.sql) as Statement
      for (const row of inRawMode(statement).iterate(query.parameters)) {
        yield { rows: rowsOf(statement, [row]) as R[] }
      }
    } finally {
      if (!this.#connections.connection.inTransaction) {
        this.release()
      }
    }
  }

  release(): void {
    if (this.#holdsLock) {
      this.#holdsLock = false
      this.#lock.release()
    }
  }
}

function run<R>(connection: SqliteStatementCache, query: CompiledQuery): QueryResult<R> {
  const statement = connection.prepare(query.sql) as Statement
  if (statement.reader) {
    const rows = inRawMode(statement).all(query.parameters)
    return { rows: rowsOf(statement, rows) as R[] }
  }
  const { changes, lastInsertRowid } = statement.run(query.parameters)
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] }
}

/**
 * The column names of each reading statement, which runs in raw mode (rows as arrays).
 * better-sqlite3 makes a row object property by property through V8's API; rows read as arrays
 * and made into objects here take about 60% of the time (a page of 50 fax records, 18 columns:
 * 115 µs instead of 190). The objects are the same: a later column of a name overwrites an
 * earlier one, as in better-sqlite3's own.
 */
const columnNames = new WeakMap<Statement, readonly string[]>()

/** The statement, switched to rows as arrays (it stays so: the driver is its only user). */
function inRawMode(statement: Statement): Statement<unknown[], unknown[]> {
  return statement.raw(true) as Statement<unknown[], unknown[]>
}

function rowsOf(statement: Statement, rows: readonly unknown[][]): Record<string, unknown>[] {
  let names = columnNames.get(statement)
  // SQLite recompiles a statement whose tables changed (a `select *` then gives the columns a
  // migration added or dropped): the names are read again when a row's width differs.
  if (names === undefined || (rows.length > 0 && rows[0]?.length !== names.length)) {
    names = statement.columns().map((column) => column.name)
    columnNames.set(statement, names)
  }
  const count = names.length
  return rows.map((values) => {
    const row: Record<string, unknown> = {}
    for (let i = 0; i < count; i += 1) {
      row[names[i] as string] = values[i]
    }
    return row
  })
}

/** A savepoint's name as an SQL identifier. */
function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** Mutual exclusion in arrival order. */
class Lock {
  #held = false
  readonly #waiting: (() => void)[] = []

  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true
      return Promise.resolve()
    }
    return new Promise((resolve) => this.#waiting.push(resolve))
  }

  /** Hands the lock to the next in line, or frees it. */
  release(): void {
    const next = this.#waiting.shift()
    if (next === undefined) {
      this.#held = false
    } else {
      next()
    }
  }
}
