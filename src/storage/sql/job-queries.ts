/**
 * Statements on the jobs table that other repositories run inside their own transactions (an
 * entry removed, a line freed), so that no repository imports another.
 */
import type { Transaction } from 'kysely'
import type { Database } from './schema.js'

/**
 * Before an outbox entry is removed with its jobs (the cascade of `jobs.outbox_id`): the jobs a
 * worker holds are detached from it instead, so that the job whose run removes the entry (its
 * last call, or its failed render) is not deleted under its worker, which completes it itself.
 */
export async function detachJobsInHand(
  trx: Transaction<Database>,
  outboxId: string,
): Promise<void> {
  await trx
    .updateTable('jobs')
    .set({ outbox_id: null })
    .where('outbox_id', '=', outboxId)
    .where('locked_by', 'is not', null)
    .execute()
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
    .where('id', '=', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where('waiting_for', '=', resource)
        .where('locked_by', 'is', null)
        .where('run_at', '>', atMs)
        .orderBy('run_at')
        .orderBy('id')
        .limit(1),
    )
    .execute()
}
