/**
 * JobQueue on SQL, over the `jobs` table. A claim is one UPDATE … WHERE id = (SELECT id … ORDER BY
 * run_at, id LIMIT 1) RETURNING: on PostgreSQL the subquery locks its row FOR UPDATE SKIP LOCKED,
 * so concurrent claims pass over a row another claim is taking instead of waiting for it or
 * taking it twice; on SQLite the single writer runs the statement alone. The lease checks of
 * heartbeat, complete and release are the WHERE of their one statement. Every write is one
 * statement through the transaction runner's runStatement: on disk when it resolves (group commit
 * on SQLite), one round trip on PostgreSQL.
 *
 * The claim reads, per kind asked for, the first free due job of the partial index jobs_free_idx,
 * and the first expired lease of jobs_leased_idx (migration 0018; claimQuery): it never reads
 * future jobs, jobs of other kinds or jobs in hand, so its cost does not grow with the queue
 * (docs/architecture.md, "The claim at a million jobs").
 */
import { type Kysely, type Selectable, sql } from 'kysely'
import { CompiledStatement, type Slots } from './compiled-statement.js'
import {
  JOB_KINDS,
  type ClaimedJob,
  type ClaimRequest,
  type JobKind,
  type JobQueue,
  type NewJob,
  type QueueDepth,
} from '../../domain/job-queue.js'
import type { SqlEngine } from './sql-engine.js'
import { completeJob } from './job-queries.js'
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
    await this.#transactions.runStatement((trx) => trx.insertInto('jobs').values(row).execute())
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
    const statement = claimStatementFor(this.#engine, request.kinds)
    const [row] = await this.#transactions.runStatement((trx) =>
      statement.execute(trx, {
        worker: request.worker,
        nowMs: request.nowMs,
        lockedUntil: request.nowMs + request.leaseMs,
      }),
    )
    return row === undefined ? null : claimedJobFromRow(row)
  }

  async heartbeat(id: string, worker: string, untilMs: number, nowMs: number): Promise<boolean> {
    checkTime('untilMs', untilMs)
    checkTime('nowMs', nowMs)
    const result = await this.#transactions.runStatement((trx) =>
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
    return this.#transactions.runStatement((trx) => completeJob(trx, id, worker))
  }

  async release(
    id: string,
    worker: string,
    runAtMs: number,
    waitingFor?: string,
  ): Promise<boolean> {
    checkTime('runAtMs', runAtMs)
    const result = await this.#transactions.runStatement((trx) =>
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

  async depth(nowMs: number): Promise<readonly QueueDepth[]> {
    checkTime('nowMs', nowMs)
    const free = sql<boolean>`locked_by is null or locked_until < ${nowMs}`
    const rows = await this.#transactions.runStatement((trx) =>
      trx
        .selectFrom('jobs')
        .select((eb) => [
          'kind',
          eb.fn
            .sum<number | string>(sql`case when run_at <= ${nowMs} and (${free}) then 1 else 0 end`)
            .as('due'),
          eb.fn
            .min<number | null>(sql`case when run_at <= ${nowMs} and (${free}) then run_at end`)
            .as('oldest_due_at'),
          eb.fn.sum<number | string>(sql`case when ${free} then 0 else 1 end`).as('in_hand'),
        ])
        .groupBy('kind')
        .orderBy('kind')
        .execute(),
    )
    return rows
      .filter((row): row is typeof row & { kind: JobKind } =>
        (JOB_KINDS as readonly string[]).includes(row.kind),
      )
      .map((row) => ({
        kind: row.kind,
        due: Number(row.due),
        oldestDueAtMs: row.oldest_due_at === null ? null : Number(row.oldest_due_at),
        inHand: Number(row.in_hand),
      }))
  }
}

/**
 * The claim statement, exported so a test can read its query plan. `request.kinds` must not be
 * empty (an empty IN list is not SQL).
 *
 * It picks, of a few candidates, the one that comes first by run time, then id:
 * - per kind, the first free due job, from the partial index jobs_free_idx (kind, run_at, id)
 *   where nobody holds the job (migration 0018). A kind's claim reads only its own jobs, so a
 *   worker asking for webhooks is not held up by a million due calls, and jobs in hand (leased)
 *   are not in that index at all: with 10,000 calls in progress a claim does not pass over
 *   10,000 rows, as a claim over one (run_at, id) index did;
 * - the job whose lease ran out first (a dead worker's), from jobs_leased_idx (locked_until).
 * On PostgreSQL each candidate is locked FOR UPDATE SKIP LOCKED, so concurrent claims pass over
 * a row another claim is taking; the candidates not chosen are unlocked when the statement's
 * transaction ends, at once.
 */
export function claimQuery(db: Kysely<Database>, engine: SqlEngine, request: ClaimRequest) {
  const { kinds, worker, leaseMs, nowMs } = request
  return claimOf(db, engine, kinds, { worker, nowMs, lockedUntil: nowMs + leaseMs })
}

/** The claim of `kinds`, with its values given: a run's own, or a compiled statement's slots. */
function claimOf(
  db: Kysely<Database>,
  engine: SqlEngine,
  kinds: readonly JobKind[],
  values: { readonly worker: string; readonly nowMs: number; readonly lockedUntil: number },
) {
  const { worker, nowMs, lockedUntil } = values
  const free = kinds.map((kind) =>
    db
      .selectFrom('jobs')
      .select(['id', 'run_at'])
      .where('kind', '=', kind)
      .where('locked_by', 'is', null)
      .where('run_at', '<=', nowMs)
      .orderBy('run_at')
      .orderBy('id')
      .limit(1)
      .$if(engine === 'postgres', (q) => q.forUpdate().skipLocked()),
  )
  const expired = db
    .selectFrom('jobs')
    .select(['id', 'run_at'])
    .where('locked_by', 'is not', null)
    .where('locked_until', '<', nowMs)
    .where('kind', 'in', kinds)
    .where('run_at', '<=', nowMs)
    .orderBy('locked_until')
    .limit(1)
    .$if(engine === 'postgres', (q) => q.forUpdate().skipLocked())
  // Each candidate query sits in a FROM of its own: SQL allows ORDER BY, LIMIT and FOR UPDATE
  // in a union only there.
  const [first, ...others] = [...free, expired].map((candidate, index) =>
    db.selectFrom(candidate.as(`c${index}`)).selectAll(),
  )
  if (first === undefined) {
    throw new RangeError('a claim needs at least one kind')
  }
  const candidates = others.reduce((union, next) => union.unionAll(next), first)
  return db
    .updateTable('jobs')
    .set((eb) => ({
      locked_by: worker,
      locked_until: lockedUntil,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', '=', (eb) =>
      eb
        .selectFrom(candidates.as('candidates'))
        .select('candidates.id')
        .orderBy('candidates.run_at')
        .orderBy('candidates.id')
        .limit(1),
    )
    .returningAll()
}

/** The claim statements, compiled once per engine and list of kinds asked for. */
const claimStatements = new Map<
  string,
  CompiledStatement<'worker' | 'nowMs' | 'lockedUntil', Selectable<Database['jobs']>>
>()

function claimStatementFor(engine: SqlEngine, kinds: readonly JobKind[]) {
  const key = `${engine} ${kinds.join(' ')}`
  let statement = claimStatements.get(key)
  if (statement === undefined) {
    statement = new CompiledStatement((db, $: Slots<'worker' | 'nowMs' | 'lockedUntil'>) =>
      claimOf(db, engine, kinds, $),
    )
    claimStatements.set(key, statement)
  }
  return statement
}

/** Times go into bigint columns: whole milliseconds only. */
function checkTime(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${name} must be a whole number of milliseconds, not ${value}`)
  }
}
