/**
 * How the repositories run a transaction. On PostgreSQL each transaction is its own (the server
 * runs many at once and groups commits itself). On SQLite, with one writer and a WAL sync
 * before each commit is answered (sqlite-driver.ts), transactions that arrive together share
 * one commit: each runs in its own savepoint inside one transaction, a failing
 * one is rolled back to its savepoint alone, and every caller is answered only after the
 * shared commit is on disk. That keeps "acknowledged means durable" and divides the fsync
 * among the requests of a batch (measured in docs/benchmarks.md).
 */
import type { Kysely, Transaction } from 'kysely'
import type { Database } from './schema.js'

export type TransactionWork<T> = (trx: Transaction<Database>) => Promise<T>

/** One statement, atomic by itself: it needs no transaction around it. */
export type StatementWork<T> = (db: Kysely<Database>) => Promise<T>

export interface TransactionRunner {
  run<T>(work: TransactionWork<T>): Promise<T>
  /**
   * Runs one statement that is atomic by itself (a claim, a lease's renewal, a call's progress).
   * PostgreSQL runs it in autocommit: one round trip, where BEGIN and COMMIT around it make
   * three. SQLite runs it in the shared commit like any transaction, so it is on disk when it
   * resolves.
   */
  runStatement<T>(work: StatementWork<T>): Promise<T>
  /** Waits until every transaction handed in so far has finished. */
  drain(): Promise<void>
}

export class OwnTransactions implements TransactionRunner {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  run<T>(work: TransactionWork<T>): Promise<T> {
    return this.#db.transaction().execute(work)
  }

  runStatement<T>(work: StatementWork<T>): Promise<T> {
    return work(this.#db)
  }

  async drain(): Promise<void> {}
}

interface Pending {
  readonly work: TransactionWork<unknown>
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

/** Enough to share one fsync widely, small enough that one batch never holds the writer long. */
const MAX_BATCH = 64

export class GroupCommit implements TransactionRunner {
  readonly #db: Kysely<Database>
  readonly #queue: Pending[] = []
  #flushing: Promise<void> | null = null

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  runStatement<T>(work: StatementWork<T>): Promise<T> {
    return this.run(work)
  }

  run<T>(work: TransactionWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
      this.#flushing ??= this.#flush()
    })
  }

  async drain(): Promise<void> {
    while (this.#flushing) {
      await this.#flushing
    }
  }

  /**
   * Commits batches until the queue is empty. It clears `#flushing` itself, in the same
   * synchronous step as it finds the queue empty: a caller answered by the last batch may hand
   * in its next transaction before any other callback runs, and that one must start a new flush,
   * not join this one as it ends (it would wait until another caller came along).
   */
  async #flush(): Promise<void> {
    try {
      // Let the requests that are ready in this turn of the event loop join the first batch.
      await new Promise((resolve) => setImmediate(resolve))
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_BATCH)
        let outcomes: Outcome[]
        try {
          outcomes = await this.#commitBatch(batch)
        } catch (error) {
          outcomes = batch.map(() => ({ ok: false, error }))
        }
        batch.forEach((pending, index) => {
          const outcome = outcomes[index]
          if (outcome?.ok) {
            pending.resolve(outcome.value)
          } else {
            pending.reject(outcome ? outcome.error : new Error('transaction lost its outcome'))
          }
        })
      }
    } finally {
      this.#flushing = null
    }
  }

  async #commitBatch(batch: readonly Pending[]): Promise<Outcome[]> {
    const trx = await this.#db.startTransaction().execute()
    const outcomes: Outcome[] = []
    try {
      for (const [index, pending] of batch.entries()) {
        const name = `work_${index}`
        const savepoint = await trx.savepoint(name).execute()
        try {
          const value = await pending.work(savepoint)
          await savepoint.releaseSavepoint(name).execute()
          outcomes.push({ ok: true, value })
        } catch (error) {
          await savepoint.rollbackToSavepoint(name).execute()
          outcomes.push({ ok: false, error })
        }
      }
      await trx.commit().execute()
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => {
          // The first error says why the batch failed; a failed rollback adds nothing to it.
        })
      throw error
    }
    return outcomes
  }
}
