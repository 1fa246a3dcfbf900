/** SignInThrottleRepository on SQL: one row per key in `sign_in_throttle`. */
import { type Kysely, sql } from 'kysely'
import type { SignInCount, SignInThrottleRepository } from '../../domain/ports.js'
import type { Database, SignInThrottleTable } from './schema.js'
import type { TransactionRunner } from './transaction-runner.js'

export class SqlSignInThrottleRepository implements SignInThrottleRepository {
  readonly #db: Kysely<Database>
  readonly #transactions: TransactionRunner

  constructor(db: Kysely<Database>, transactions: TransactionRunner) {
    this.#db = db
    this.#transactions = transactions
  }

  async read(keys: readonly string[]): Promise<SignInCount[]> {
    if (keys.length === 0) {
      return []
    }
    const rows = await this.#db
      .selectFrom('sign_in_throttle')
      .selectAll()
      .where('key', 'in', keys)
      .execute()
    return rows.map(countFromRow)
  }

  /**
   * One upsert per key: the count goes up by one in the database itself (`failures + 1`), so
   * concurrent failures are all counted; the wait follows from the count it returns. Rows whose
   * time ended before `forgetBeforeMs` go at the same time: a count's wait ends after its last
   * failure, and a trusted address's trust has run out, so none of them means anything now.
   */
  async recordFailure(
    keys: readonly string[],
    atMs: number,
    forgetBeforeMs: number,
    waitUntil: (key: string, failures: number) => number,
  ): Promise<SignInCount[]> {
    return this.#transactions.run(async (trx) => {
      await trx.deleteFrom('sign_in_throttle').where('until_at', '<', forgetBeforeMs).execute()
      const counts: SignInCount[] = []
      for (const key of keys) {
        const row = await trx
          .insertInto('sign_in_throttle')
          .values({ key, failures: 1, last_failure_at: atMs, until_at: 0 })
          .onConflict((conflict) =>
            conflict.column('key').doUpdateSet({
              failures: sql<number>`case when sign_in_throttle.last_failure_at < ${forgetBeforeMs} then 1 else sign_in_throttle.failures + 1 end`,
              last_failure_at: atMs,
            }),
          )
          .returning(['failures'])
          .executeTakeFirstOrThrow()
        const failures = Number(row.failures)
        const untilMs = waitUntil(key, failures)
        await trx
          .updateTable('sign_in_throttle')
          .set({ until_at: untilMs })
          .where('key', '=', key)
          .execute()
        counts.push({ key, failures, lastFailureAtMs: atMs, untilMs })
      }
      return counts
    })
  }

  async clear(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) {
      await this.#db.deleteFrom('sign_in_throttle').where('key', 'in', keys).execute()
    }
  }

  async keep(key: string, atMs: number, untilMs: number): Promise<void> {
    await this.#db
      .insertInto('sign_in_throttle')
      .values({ key, failures: 0, last_failure_at: atMs, until_at: untilMs })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({ failures: 0, until_at: untilMs }),
      )
      .execute()
  }
}

function countFromRow(row: SignInThrottleTable): SignInCount {
  return {
    key: row.key,
    failures: Number(row.failures),
    lastFailureAtMs: Number(row.last_failure_at),
    untilMs: Number(row.until_at),
  }
}
