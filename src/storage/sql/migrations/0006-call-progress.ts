/**
 * Call progress: while a delivery is calling, the pages the receiver has confirmed so far and
 * when the call started are kept on its row, so that a worker that takes over the job of one
 * that died mid-call knows what the interrupted call achieved.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('call_pages', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute()
  await db.schema.alterTable('deliveries').addColumn('call_started_at', 'bigint').execute()
}
