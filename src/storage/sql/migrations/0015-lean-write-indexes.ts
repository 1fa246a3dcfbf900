/**
 * Indexes that sendFax no longer writes to. The line-limit counts (0007) ask only for deliveries
 * in a call (`calling = 1`), and the wake-up of a waiting job only for jobs that wait
 * (`waiting_for = ?`); as partial indexes on exactly those rows, they hold a row only while it is
 * in a call or waiting, so inserting a fax's deliveries and its render job (neither calling nor
 * waiting) touches neither. The queries write `calling = 1` as a literal, not a parameter, so that
 * both planners see that the index covers them (test/storage/write-index-plans.test.ts).
 */
import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('deliveries_destination_calling_idx').execute()
  await db.schema.dropIndex('deliveries_from_number_calling_idx').execute()
  await db.schema.dropIndex('jobs_waiting_for_idx').execute()
  await sql`create index deliveries_calling_destination_idx on deliveries (destination)
    where calling = 1`.execute(db)
  await sql`create index deliveries_calling_from_number_idx on deliveries (from_number)
    where calling = 1`.execute(db)
  await sql`create index jobs_waiting_for_idx on jobs (waiting_for, run_at, id)
    where waiting_for is not null`.execute(db)
}
