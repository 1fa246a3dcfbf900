/**
 * The claim's indexes (sql-job-queue.ts claimQuery). jobs_run_at_id_idx (run_at, id) served a
 * claim that walked every due job in run order: it passed over the jobs in hand (leased, still
 * due by run_at) and the jobs of kinds it did not ask for, so with 10,000 calls in progress a
 * claim read 10,000 rows (4.8 ms), and one for webhooks behind 1,000,000 due calls read them all
 * (150 ms). Now:
 * - jobs_free_idx (kind, run_at, id) where nobody holds the job: a kind's first free due job is
 *   the first entry of its range;
 * - jobs_leased_idx (locked_until) where somebody does: the lease that ran out first, for the
 *   take-over of a dead worker's job.
 */
import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index jobs_free_idx on jobs (kind, run_at, id) where locked_by is null`.execute(
    db,
  )
  await sql`create index jobs_leased_idx on jobs (locked_until) where locked_by is not null`.execute(
    db,
  )
  await db.schema.dropIndex('jobs_run_at_id_idx').execute()
}
