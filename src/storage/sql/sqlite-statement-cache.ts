/**
 * better-sqlite3 statements prepared once and reused. Kysely's SQLite driver prepares every
 * query it runs anew (`db.prepare(sql)` per call), which cost about a fifth of a request's time
 * on the API's hot routes (issue 16's profile). This wraps the connection so that
 * `prepare` answers the statement already prepared for the same text.
 *
 * Reuse is safe on one connection that runs one statement at a time, which is how faxd's driver
 * uses it (sqlite-driver.ts: one session holds the connection at a time): a statement is `all`ed
 * or `run` to the end before the next query starts, and a streamed one is iterated to its end
 * while its session holds the connection. SQLite re-prepares a statement by itself when the schema changes under it
 * (sqlite3_prepare_v2: "the statement is automatically recompiled").
 *
 * The cache is bounded: texts that vary with their data (an `in (?, ?, …)` list, a multi-row
 * insert) make new entries, and past MAX_CACHED_STATEMENTS the least recently used is dropped.
 */
import type { Database as BetterSqliteDatabase, Statement } from 'better-sqlite3'
import type { SqliteDatabase, SqliteStatement } from 'kysely'

/** Far more than the distinct texts faxd runs on its hot paths; each holds a little memory. */
export const MAX_CACHED_STATEMENTS = 500

export class SqliteStatementCache implements SqliteDatabase {
  readonly #database: BetterSqliteDatabase
  /** By text; a Map iterates in insertion order, so its first key is the least recently used. */
  readonly #statements = new Map<string, Statement>()

  constructor(database: BetterSqliteDatabase) {
    this.#database = database
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.#statements.get(sql)
    if (cached !== undefined) {
      this.#statements.delete(sql)
      this.#statements.set(sql, cached)
      return cached
    }
    const statement = this.#database.prepare(sql)
    this.#statements.set(sql, statement)
    if (this.#statements.size > MAX_CACHED_STATEMENTS) {
      const oldest = this.#statements.keys().next().value
      if (oldest !== undefined) {
        this.#statements.delete(oldest)
      }
    }
    return statement
  }

  /** How many statements are cached now (for tests). */
  get size(): number {
    return this.#statements.size
  }

  close(): void {
    this.#statements.clear()
    this.#database.close()
  }
}
