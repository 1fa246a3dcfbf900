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
 */
import pg from 'pg'

/** Per connection; far more than the distinct texts faxd runs on its hot paths. */
export const MAX_NAMED_STATEMENTS = 500

/** SQLSTATE feature_not_supported, which PostgreSQL answers for a stale cached plan. */
const STALE_PLAN = '0A000'

export class NamedStatementsClient extends pg.Client {
  readonly #names = new Map<string, string>()
  #nextName = 1

  constructor(config?: string | pg.ClientConfig) {
    super(config)
    const plain = this.query.bind(this) as (...args: unknown[]) => unknown
    // pg's query has many overloads; only Kysely's form, (text, values) wanting a promise, is
    // named. Every other form goes through as it came.
    this.query = ((...args: unknown[]) => {
      const [text, values, callback] = args
      if (typeof text !== 'string' || !Array.isArray(values) || callback !== undefined) {
        return plain(...args)
      }
      return this.#named(text, values)
    }) as pg.Client['query']
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
