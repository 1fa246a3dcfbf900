/**
 * The `render-fax` job: makes the pages of the outbox entry named in its payload. A job that has
 * already failed this often (the renderer itself kept breaking, not the document: a document
 * that cannot be rendered is an outcome, not a failure) ends its fax with
 * `failed_internal_process_error` instead of trying forever. The worker's signal stops the
 * render in progress (its process is killed) when the job's lease is lost or the worker stops.
 */
import type { ClaimedJob } from '../domain/job-queue.js'
import {
  endOutboxEntry,
  prepareOutboxPages,
  type PreparedOutcome,
  type RenderServices,
} from '../use-cases/prepare-outbox-pages.js'
import type { JobHandler } from './worker.js'

export const MAX_RENDER_ATTEMPTS = 5

export interface RenderFaxJobEvents {
  /** A render ended with `outcome`, after `seconds` (not called when it threw or was stopped). */
  onRendered?(outboxId: string, outcome: PreparedOutcome, seconds: number): void
}

export function renderFaxJob(
  services: RenderServices,
  events: RenderFaxJobEvents = {},
): JobHandler {
  return async (job: ClaimedJob, signal: AbortSignal) => {
    const outboxId = job.payload['outboxId']
    if (typeof outboxId !== 'string') {
      return // Not ours to understand: nothing to do, and nothing to retry.
    }
    if (job.attempts > MAX_RENDER_ATTEMPTS) {
      await endOutboxEntry(
        services,
        outboxId,
        'failed_internal_process_error',
        `the pages could not be prepared in ${MAX_RENDER_ATTEMPTS} attempts`,
      )
      return
    }
    const started = performance.now()
    const outcome = await prepareOutboxPages(services, outboxId, signal)
    events.onRendered?.(outboxId, outcome, (performance.now() - started) / 1000)
  }
}
