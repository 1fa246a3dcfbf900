/**
 * Call fence: which hold on a delivery's call may end it. Every time a worker gets the call (a
 * new attempt, or the take-over of one whose worker stopped renewing its lease) the fence goes
 * up by one, and the worker is handed the new value; ending the call, or keeping its progress,
 * is refused to a worker with an older one. So a worker that lost its job to another, but whose
 * call went on, cannot end the call the other took over (issue 11).
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('call_fence', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
}
