/**
 * What the API reads on every request about who is calling (a token and its account) and what
 * they may send from (a number and its assignments), kept in memory, and never answered once
 * stale: each lookup first reads the credential version (migration 0014: triggers raise it with
 * every change to tokens, accounts, numbers and assignments, from any process) and answers from
 * memory only what was read under that same version. One small read instead of two or three
 * wider ones; a revoked token or a removed number fails on the very next request.
 *
 * The version is read before the rows are, so what is kept is at least as new as the version it
 * is filed under. Only what was found is kept (a missing token is looked up every time: random
 * tokens must not push real ones out), unless the caller asks to keep absences too (a number
 * that is not ours, which the loopback carrier asks about for every fax to an outside number;
 * adding it raises the version). At most `maxEntries` are kept, the least recently used leaving
 * first; a new version empties it.
 */
import type { Kysely } from 'kysely'
import { CompiledStatement } from './compiled-statement.js'
import type { Database } from './schema.js'

export const MAX_CACHED_CREDENTIALS = 10_000

interface Entry {
  readonly version: number
  readonly value: unknown
}

export class CredentialCache {
  readonly #db: Kysely<Database>
  readonly #maxEntries: number
  readonly #entries = new Map<string, Entry>()
  #version = -1

  constructor(db: Kysely<Database>, maxEntries = MAX_CACHED_CREDENTIALS) {
    this.#db = db
    this.#maxEntries = maxEntries
  }

  /**
   * The value under `key` (keys of different kinds must differ, e.g. by a prefix), from memory
   * if it was loaded under the current version, else from `load`.
   */
  async get<T>(
    key: string,
    load: () => Promise<T | null>,
    options: { readonly keepMissing?: boolean } = {},
  ): Promise<T | null> {
    const version = await this.#currentVersion()
    const entry = this.#entries.get(key)
    if (entry !== undefined && entry.version === version) {
      this.#entries.delete(key)
      this.#entries.set(key, entry)
      return entry.value as T | null
    }
    const value = await load()
    if ((value !== null || options.keepMissing === true) && version === this.#version) {
      this.#entries.set(key, { version, value })
      if (this.#entries.size > this.#maxEntries) {
        const oldest = this.#entries.keys().next().value
        if (oldest !== undefined) {
          this.#entries.delete(oldest)
        }
      }
    }
    return value
  }

  async #currentVersion(): Promise<number> {
    const [row] = await versionRow.execute(this.#db, {})
    if (row === undefined) {
      throw new Error('credential_version has no row (migration 0014 makes it)')
    }
    const version = Number(row.version)
    if (version !== this.#version) {
      this.#entries.clear()
      this.#version = version
    }
    return version
  }
}

/** The one row every lookup reads first. */
const versionRow = new CompiledStatement((db) =>
  db.selectFrom('credential_version').select('version').where('id', '=', 1),
)
