/**
 * Statements on the jobs table that other repositories run inside their own transactions (an
 * entry removed, a line freed), so that no repository imports another.
 */
import type { CompiledQuery, Kysely, Transaction } from 'kysely'
import { CompiledStatement, type Slots } from './compiled-statement.js'
import type { Database } from './schema.js'

/**
 * Ends the jobs of an outbox entry that is being removed, in the transaction that removes it:
 * those nobody holds are deleted; those a worker holds are detached from the entry instead, so
 * that the job whose run removes the entry (its last call, its failed render) or that is running
 * while it is cancelled is not deleted under its worker, which records its end itself. Every
 * removal of an entry calls this first; the schema's ON DELETE CASCADE of `jobs.outbox_id` then
 * finds nothing left to delete, and stays only as a backstop. (In this order: a job claimed
 * between the two statements is held when the second runs, and is detached, not deleted.)
 */
export async function endJobsOf(trx: Transaction<Database>, outboxId: string): Promise<void> {
  for (const query of endJobsOfQueries(trx, outboxId)) {
    await trx.executeQuery(query)
  }
}

/** endJobsOf's statements, to run later (statement-batch.ts), in this order. */
export function endJobsOfQueries(
  db: Kysely<Database>,
  outboxId: string,
): [CompiledQuery<unknown>, CompiledQuery<unknown>] {
  return [
    freeJobsOfEntryDeleted.with(db, { outboxId }),
    heldJobsOfEntryDetached.with(db, { outboxId }),
  ]
}

const freeJobsOfEntryDeleted = new CompiledStatement((db, $: Slots<'outboxId'>) =>
  db.deleteFrom('jobs').where('outbox_id', '=', $.outboxId).where('locked_by', 'is', null),
)
const heldJobsOfEntryDetached = new CompiledStatement((db, $: Slots<'outboxId'>) =>
  db.updateTable('jobs').set({ outbox_id: null }).where('outbox_id', '=', $.outboxId),
)

/**
 * The statement that makes the first job waiting for each of `resources` (JobQueue.release's
 * `waitingFor`) due at `atMs`, if it was due later; for the transaction that frees them, to run
 * in its batch (statement-batch.ts). One statement for all of them (one resource at least): a
 * call's end frees its destination's line and its sending number's.
 */
export function wakeFirstWaitingForQuery(
  db: Kysely<Database>,
  resources: readonly string[],
  atMs: number,
): CompiledQuery<unknown> {
  const [first, second, ...more] = resources
  if (first === undefined) {
    throw new RangeError('no resource to wake a job for')
  }
  if (second === undefined) {
    return firstWaitingForOneWoken.with(db, { first, atMs })
  }
  if (more.length === 0) {
    return firstWaitingForTwoWoken.with(db, { first, second, atMs })
  }
  return firstWaitingForWoken(db, resources, atMs).compile()
}

/** The update that wakes the first job waiting for each resource: one statement for all. */
function firstWaitingForWoken(db: Kysely<Database>, resources: readonly string[], atMs: number) {
  // Each first job in a FROM of its own: SQL allows ORDER BY and LIMIT in a union only there.
  const [first, ...others] = resources.map((resource, index) =>
    db.selectFrom(firstWaitingForQuery(db, resource, atMs).as(`w${index}`)).select('id'),
  )
  if (first === undefined) {
    throw new RangeError('no resource to wake a job for')
  }
  const waking = others.reduce((union, next) => union.unionAll(next), first)
  return db.updateTable('jobs').set({ run_at: atMs, waiting_for: null }).where('id', 'in', waking)
}

// A call's end frees one line, or two (its destination's and its sending number's).
const firstWaitingForOneWoken = new CompiledStatement((db, $: Slots<'first' | 'atMs'>) =>
  firstWaitingForWoken(db, [$.first], $.atMs),
)
const firstWaitingForTwoWoken = new CompiledStatement((db, $: Slots<'first' | 'second' | 'atMs'>) =>
  firstWaitingForWoken(db, [$.first, $.second], $.atMs),
)

/**
 * The first job waiting for `resource` that is due later than `atMs`: read on the partial
 * index jobs_waiting_for_idx (migration 0015), which holds only jobs that wait.
 */
export function firstWaitingForQuery(db: Kysely<Database>, resource: string, atMs: number) {
  return db
    .selectFrom('jobs')
    .select('id')
    .where('waiting_for', '=', resource)
    .where('locked_by', 'is', null)
    .where('run_at', '>', atMs)
    .orderBy('run_at')
    .orderBy('id')
    .limit(1)
}

/**
 * Completes a job (deletes it) if `worker` still holds it: JobQueue.complete's statement, and
 * the one a transaction that records a job's outcome runs to end the job in the same commit.
 * Answers whether it did.
 */
export async function completeJob(
  db: Kysely<Database>,
  id: string,
  worker: string,
): Promise<boolean> {
  return (await jobCompleted.execute(db, { id, worker })).length === 1
}

/** completeJob's statement, to run later (statement-batch.ts): a row when it completed it. */
export function completeJobQuery(
  db: Kysely<Database>,
  id: string,
  worker: string,
): CompiledQuery<{ id: string }> {
  return jobCompleted.with(db, { id, worker })
}

const jobCompleted = new CompiledStatement((db, $: Slots<'id' | 'worker'>) =>
  db.deleteFrom('jobs').where('id', '=', $.id).where('locked_by', '=', $.worker).returning('id'),
)
