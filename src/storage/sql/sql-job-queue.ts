/**
 * JobQueue on SQL, over the `jobs` table. A claim is one UPDATE … WHERE id = (SELECT id … ORDER BY
 * run_at, id LIMIT 1) RETURNING: on PostgreSQL the subquery locks its row FOR UPDATE SKIP LOCKED,
 * so concurrent claims pass over a row another claim is taking instead of waiting for it or
 * taking it twice; on SQLite the single writer runs the statement alone. The lease checks of
 * heartbeat, complete and release are the WHERE of their one statement. Every write goes through
 * the transaction runner, so it is on disk when it resolves (group commit on SQLite).
 *
 * The claim walks the index jobs_run_at_id_idx (run_at, id) from the earliest run time and stops
 * at the first due row it may take (migration 0003): future jobs are never read, and no sort is
 * needed. Rows it passes over are due jobs of other kinds and leased jobs.
 */
import type { Kysely } from 'kysely'
import type { ClaimedJob, ClaimRequest, JobQueue, NewJob } from '../../domain/job-queue.js'
import type { SqlEngine } from './sql-engine.js'
import { claimedJobFromRow, newJobToRow } from './job-rows.js'
import type { Database } from './schema.js'
import type { TransactionRunner } from './transaction-runner.js'

export class SqlJobQueue implements JobQueue {
  readonly #engine: SqlEngine
  readonly #transactions: TransactionRunner

  constructor(engine: SqlEngine, transactions: TransactionRunner) {
    this.#engine = engine
    this.#transactions = transactions
  }

  async enqueue(job: NewJob & { readonly outboxId?: string | null }, nowMs: number): Promise<void> {
    checkTime('runAtMs', job.runAtMs)
    checkTime('nowMs', nowMs)
    const row = newJobToRow(job, job.outboxId ?? null, nowMs)
    await this.#transactions.run((trx) => trx.insertInto('jobs').values(row).execute())
  }

  async claim(request: ClaimRequest): Promise<ClaimedJob | null> {
    checkTime('nowMs', request.nowMs)
    checkTime('leaseMs', request.leaseMs)
    if (request.leaseMs <= 0) {
      throw new RangeError(`leaseMs must be more than 0, not ${request.leaseMs}`)
    }
    if (request.kinds.length === 0) {
      return null
    }
    const row = await this.#transactions.run((trx) =>
      claimQuery(trx, this.#engine, request).executeTakeFirst(),
    )
    return row === undefined ? null : claimedJobFromRow(row)
  }

  async heartbeat(id: string, worker: string, untilMs: number, nowMs: number): Promise<boolean> {
    checkTime('untilMs', untilMs)
    checkTime('nowMs', nowMs)
    const result = await this.#transactions.run((trx) =>
      trx
        .updateTable('jobs')
        .set({ locked_until: untilMs })
        .where('id', '=', id)
        .where('locked_by', '=', worker)
        .where('locked_until', '>=', nowMs)
        .executeTakeFirst(),
    )
    return result.numUpdatedRows === 1n
  }

  async complete(id: string, worker: string): Promise<boolean> {
    const result = await this.#transactions.run((trx) =>
      trx
        .deleteFrom('jobs')
        .where('id', '=', id)
        .where('locked_by', '=', worker)
        .executeTakeFirst(),
    )
    return result.numDeletedRows === 1n
  }

  async release(
    id: string,
    worker: string,
    runAtMs: number,
    waitingFor?: string,
  ): Promise<boolean> {
    checkTime('runAtMs', runAtMs)
    const result = await this.#transactions.run((trx) =>
      trx
        .updateTable('jobs')
        .set({
          run_at: runAtMs,
          locked_by: null,
          locked_until: null,
          waiting_for: waitingFor ?? null,
        })
        .where('id', '=', id)
        .where('locked_by', '=', worker)
        .executeTakeFirst(),
    )
    return result.numUpdatedRows === 1n
  }
}

/**
 * The claim statement, exported so a test can read its query plan. `request.kinds` must not be
 * empty (an empty IN list is not SQL).
 */
export function claimQuery(db: Kysely<Database>, engine: SqlEngine, request: ClaimRequest) {
  const { kinds, worker, leaseMs, nowMs } = request
  return db
    .updateTable('jobs')
    .set((eb) => ({
      locked_by: worker,
      locked_until: nowMs + leaseMs,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', '=', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where('kind', 'in', kinds)
        .where('run_at', '<=', nowMs)
        .where((w) => w.or([w('locked_until', 'is', null), w('locked_until', '<', nowMs)]))
        .orderBy('run_at')
        .orderBy('id')
        .limit(1)
        .$if(engine === 'postgres', (q) => q.forUpdate().skipLocked()),
    )
    .returningAll()
}

/** Times go into bigint columns: whole milliseconds only. */
function checkTime(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${name} must be a whole number of milliseconds, not ${value}`)
  }
}
