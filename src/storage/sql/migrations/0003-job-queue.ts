/**
 * The job queue's claim index. A claim asks for the due job of some kinds that nobody holds,
 * earliest run time first, then id (src/storage/sql/sql-job-queue.ts); (run_at, id) hands the
 * rows over in exactly that order, so the claim reads from the earliest run time up to the
 * first row it may take and never sorts, whatever the number of future jobs. Leading with
 * run_at rather than kind keeps that true for a claim over several kinds, which an index led
 * by kind could answer only by reading every due job of those kinds and sorting them.
 * It supersedes the index on run_at alone.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('jobs_run_at_id_idx').on('jobs').columns(['run_at', 'id']).execute()
  await db.schema.dropIndex('jobs_run_at_idx').execute()
}
