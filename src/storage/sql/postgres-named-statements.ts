/**
 * A pg Client that runs each query text as a named prepared statement, so PostgreSQL parses and
 * plans it once per connection instead of on every call (Kysely's driver sends every query
 * unnamed: parse, bind, execute each time). The names are this connection's own (`faxd_1`,
 * `faxd_2`…), given on first use of a text.
 *
 * Bounded: a connection names at most MAX_NAMED_STATEMENTS texts; past that (texts that vary
 * with their data, such as `in ($1, $2, …)` lists of every length) it runs them unnamed, as
 * before.
 *
 * A prepared `select *` fails with "cached plan must not change result type" (SQLSTATE 0A000)
 * once another process has added a column to its table (a migration run while this one
 * serves). Every text of the connection then gets a new name, prepared afresh on next use, and
 * the query is run once more; inside a transaction that retry fails too (the transaction is
 * aborted) and the caller sees the first error, once per connection and schema change.
 *
 * Fewer round trips (pg's pipeline mode: each statement is written at once, with its own Sync,
 * and its answer is matched to it in order):
 * - a transaction's BEGIN is not waited for: it is answered at once and written together with
 *   the transaction's first statement, in one write; that statement fails with the BEGIN if the
 *   BEGIN failed. (Each has its Sync, so a BEGIN that failed on a connection that lives on would
 *   leave that one statement to run alone. A BEGIN fails so only when it is cancelled, and faxd
 *   sends no cancel requests; a lost connection fails both.) When the transaction does something
 *   else before its first statement, the BEGIN goes alone on the next turn of the event loop,
 *   and the first statement waits for its answer.
 * - a batch (STATEMENT_BATCH, statement-batch.ts) sends its statements in one write and
 *   waits for them together: one round trip instead of one each. They run in order, in the
 *   caller's transaction: after one fails, the transaction is aborted and so are the ones after
 *   it; the caller sees the first failure.
 */
import pg from 'pg'
import { type BatchedStatement, STATEMENT_BATCH } from './statement-batch.js'

/** Per connection; far more than the distinct texts faxd runs on its hot paths. */
export const MAX_NAMED_STATEMENTS = 500

/** SQLSTATE feature_not_supported, which PostgreSQL answers for a stale cached plan. */
const STALE_PLAN = '0A000'

const BEGUN: pg.QueryResult = { command: 'BEGIN', rowCount: null, oid: 0, fields: [], rows: [] }

export class NamedStatementsClient extends pg.Client {
  readonly #names = new Map<string, string>()
  #nextName = 1
  /** A BEGIN written but not yet sent: the stream is corked until the next statement. */
  #corkedBegin: Promise<pg.QueryResult> | null = null
  /** A BEGIN sent alone, whose answer the next statement waits for. */
  #sentBegin: Promise<pg.QueryResult> | null = null

  constructor(config?: string | pg.ClientConfig) {
    super({
      ...(typeof config === 'string' ? { connectionString: config } : config),
      pipeline: true,
    })
    const plain = this.query.bind(this) as (...args: unknown[]) => unknown
    // pg's query has many overloads; only Kysely's form, (text, values) wanting a promise, is
    // named. Every other form goes through as it came.
    this.query = ((...args: unknown[]) => {
      const [text, values, callback] = args
      if (typeof text !== 'string' || !Array.isArray(values) || callback !== undefined) {
        this.#sendBeginAlone()
        this.#sentBegin = null
        return plain(...args)
      }
      if (text === 'begin' && values.length === 0) {
        return this.#deferredBegin()
      }
      return this.#withBegin(() =>
        text === STATEMENT_BATCH
          ? this.#batch(values[0] as readonly BatchedStatement[])
          : this.#named(text, values),
      )
    }) as pg.Client['query']
  }

  /** Writes BEGIN corked, to go out with the next statement; answers it at once. */
  #deferredBegin(): Promise<pg.QueryResult> {
    this.#sendBeginAlone() // a BEGIN before it that no statement followed goes first
    const stream = this.connection.stream
    stream.cork()
    const begin = this.#named('begin', [])
    begin.catch(() => {}) // its failure is the next statement's (#withBegin)
    this.#corkedBegin = begin
    // A transaction that does something else before its first statement sends it alone.
    setImmediate(() => this.#sendBeginAlone())
    return Promise.resolve(BEGUN)
  }

  /**
   * Writes a statement (`write`) after a deferred BEGIN, if there is one: in the same write when
   * the BEGIN is still corked, failing with the BEGIN when it failed; after the BEGIN's answer
   * when it went alone, so that the statement never runs outside the transaction.
   */
  #withBegin(write: () => Promise<pg.QueryResult>): Promise<pg.QueryResult> {
    const corked = this.#corkedBegin
    if (corked !== null) {
      this.#corkedBegin = null
      const answer = write()
      this.connection.stream.uncork()
      return Promise.all([corked, answer]).then(([, result]) => result)
    }
    const sent = this.#sentBegin
    if (sent !== null) {
      this.#sentBegin = null
      return sent.then(write)
    }
    return write()
  }

  #sendBeginAlone(): void {
    const begin = this.#corkedBegin
    if (begin !== null) {
      this.#corkedBegin = null
      this.#sentBegin = begin
      this.connection.stream.uncork()
    }
  }

  /** Every statement of `batch`, written at once; each one's rows, once all have answered. */
  async #batch(batch: readonly BatchedStatement[]): Promise<pg.QueryResult> {
    const stream = this.connection.stream
    stream.cork()
    let answers: Promise<pg.QueryResult>[]
    try {
      answers = batch.map((statement) => this.#named(statement.text, [...statement.values]))
    } finally {
      stream.uncork()
    }
    // The first failure in the batch's order: the ones after it fail as a consequence (the
    // transaction is aborted), and may answer first (a stale plan's retry takes a round trip).
    const settled = await Promise.allSettled(answers)
    const failed = settled.find((answer) => answer.status === 'rejected')
    if (failed !== undefined) {
      throw failed.reason
    }
    const rows = settled.map((answer): unknown[] =>
      answer.status === 'fulfilled' ? answer.value.rows : [],
    )
    return { command: 'SELECT', rowCount: rows.length, oid: 0, fields: [], rows }
  }

  async #named(text: string, values: unknown[]): Promise<pg.QueryResult> {
    const run = (name: string | undefined): Promise<pg.QueryResult> =>
      super.query(name === undefined ? { text, values } : { name, text, values })
    const name = this.#nameFor(text)
    try {
      return await run(name)
    } catch (error) {
      if (name === undefined || (error as { code?: unknown }).code !== STALE_PLAN) {
        throw error
      }
      // A column added or dropped under one text likely stands under others on this connection:
      // every text gets a new name, so the connection meets the change once, not once per text.
      this.#names.clear()
      try {
        return await run(this.#nameFor(text))
      } catch {
        throw error
      }
    }
  }

  #nameFor(text: string): string | undefined {
    const known = this.#names.get(text)
    if (known !== undefined || this.#names.size >= MAX_NAMED_STATEMENTS) {
      return known
    }
    const name = `faxd_${this.#nextName++}`
    this.#names.set(text, name)
    return name
  }
}
