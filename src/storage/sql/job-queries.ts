/**
 * Statements on the jobs table that other repositories run inside their own transactions (an
 * entry removed, a line freed), so that no repository imports another.
 */
import type { Kysely, Transaction } from 'kysely'
import type { Database } from './schema.js'

/**
 * Ends the jobs of an outbox entry that is being removed, in the transaction that removes it:
 * those nobody holds are deleted; those a worker holds are detached from the entry instead, so
 * that the job whose run removes the entry (its last call, its failed render) or that is running
 * while it is cancelled is not deleted under its worker, which records its end itself. Every
 * removal of an entry calls this first; the schema's ON DELETE CASCADE of `jobs.outbox_id` then
 * finds nothing left to delete, and stays only as a backstop.
 */
export async function endJobsOf(trx: Transaction<Database>, outboxId: string): Promise<void> {
  await trx
    .deleteFrom('jobs')
    .where('outbox_id', '=', outboxId)
    .where('locked_by', 'is', null)
    .execute()
  await trx.updateTable('jobs').set({ outbox_id: null }).where('outbox_id', '=', outboxId).execute()
}

/**
 * Makes the first job waiting for each of `resources` (JobQueue.release's `waitingFor`) due at
 * `atMs`, if it was due later; for the transaction that frees them. One statement for all of
 * them: a call's end frees its destination's line and its sending number's.
 */
export async function wakeFirstWaitingFor(
  trx: Transaction<Database>,
  resources: readonly string[],
  atMs: number,
): Promise<void> {
  // Each first job in a FROM of its own: SQL allows ORDER BY and LIMIT in a union only there.
  const [first, ...others] = resources.map((resource, index) =>
    trx.selectFrom(firstWaitingForQuery(trx, resource, atMs).as(`w${index}`)).select('id'),
  )
  if (first === undefined) {
    return
  }
  const waking = others.reduce((union, next) => union.unionAll(next), first)
  await trx
    .updateTable('jobs')
    .set({ run_at: atMs, waiting_for: null })
    .where('id', 'in', waking)
    .execute()
}

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
