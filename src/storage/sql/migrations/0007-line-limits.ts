/**
 * Line limits: a call starts only while fewer than the allowed calls to its destination, and from
 * its sending number, are in progress. Two indexes make that count a short index walk however
 * many deliveries wait in the outbox. A send job that finds its line taken waits for it
 * (`jobs.waiting_for`), and the call that frees the line makes the first waiting job due.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('deliveries_destination_calling_idx')
    .on('deliveries')
    .columns(['destination', 'calling'])
    .execute()
  await db.schema
    .createIndex('deliveries_from_number_calling_idx')
    .on('deliveries')
    .columns(['from_number', 'calling'])
    .execute()
  await db.schema.alterTable('jobs').addColumn('waiting_for', 'text').execute()
  await db.schema
    .createIndex('jobs_waiting_for_idx')
    .on('jobs')
    .columns(['waiting_for', 'run_at', 'id'])
    .execute()
}
