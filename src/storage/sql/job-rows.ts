/** Jobs between the `jobs` table and the domain: a new job's row, and a claimed job from its row. */
import type { Insertable, Selectable } from 'kysely'
import { JOB_KINDS, type ClaimedJob, type NewJob } from '../../domain/job-queue.js'
import { oneOf, parseJsonObject, toJsonText } from './column-values.js'
import type { JobsTable } from './schema.js'

/**
 * A job nobody holds yet, serving `outboxId` (null: no outbox entry) and, for a send-fax job,
 * calling `deliveryId`.
 */
export function newJobToRow(
  job: NewJob,
  outboxId: string | null,
  createdAtMs: number,
  deliveryId: string | null = null,
): Insertable<JobsTable> {
  return {
    id: job.id,
    kind: job.kind,
    payload: toJsonText(job.payload),
    run_at: job.runAtMs,
    locked_until: null,
    locked_by: null,
    attempts: 0,
    created_at: createdAtMs,
    outbox_id: outboxId,
    delivery_id: deliveryId,
  }
}

/**
 * The send-fax job of one attempt at a delivery: the one place in storage that writes its
 * payload (send-fax-job.ts reads it), beside the delivery's own column.
 */
export function sendFaxJobRow(
  job: { readonly id: string; readonly deliveryId: string; readonly runAtMs: number },
  outboxId: string,
  createdAtMs: number,
): Insertable<JobsTable> {
  const { id, deliveryId, runAtMs } = job
  return newJobToRow(
    { id, kind: 'send-fax', payload: { deliveryId }, runAtMs },
    outboxId,
    createdAtMs,
    deliveryId,
  )
}

/** The row a claim returned: it holds a lease, so `locked_until` is set. */
export function claimedJobFromRow(row: Selectable<JobsTable>): ClaimedJob {
  if (row.locked_until === null || row.locked_by === null) {
    throw new Error(`job ${row.id} was claimed but holds no lease`)
  }
  return {
    id: row.id,
    kind: oneOf(JOB_KINDS, row.kind, 'jobs.kind'),
    payload: parseJsonObject(row.payload, 'jobs.payload'),
    runAtMs: row.run_at,
    attempts: row.attempts,
    outboxId: row.outbox_id,
    lockedUntilMs: row.locked_until,
    lockedBy: row.locked_by,
  }
}
