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
 * Makes the first job waiting for `resource` (JobQueue.release's `waitingFor`) due at `atMs`, if
 * it was due later; for the transaction that frees the resource.
 */
export async function wakeOneWaitingFor(
  trx: Transaction<Database>,
  resource: string,
  atMs: number,
): Promise<void> {
  await trx
    .updateTable('jobs')
    .set({ run_at: atMs, waiting_for: null })
    .where('id', '=', () => firstWaitingForQuery(trx, resource, atMs))
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
