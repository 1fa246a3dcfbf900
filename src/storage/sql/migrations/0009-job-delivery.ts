/**
 * The delivery a send-fax job calls, as a column of its own (`jobs.delivery_id`), so that the
 * outbox's progress reads a delivery's next attempt by a plain match instead of parsing job
 * payloads (issue 11: repositories store and load). Jobs of other kinds leave it null. The
 * send-fax jobs already queued get it from their payload, here, once.
 */
import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('delivery_id', 'text').execute()
  const { rows } = await sql<{ id: string; payload: string }>`
    select id, payload from jobs where kind = 'send-fax'
  `.execute(db)
  for (const row of rows) {
    const deliveryId = (JSON.parse(row.payload) as { deliveryId?: unknown }).deliveryId
    if (typeof deliveryId === 'string') {
      await sql`update jobs set delivery_id = ${deliveryId} where id = ${row.id}`.execute(db)
    }
  }
}
