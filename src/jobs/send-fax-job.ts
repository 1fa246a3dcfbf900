/**
 * The `send-fax` job: one attempt to send an outbox entry to one destination (its payload names
 * the delivery). The attempt's outcome, the next attempt's job when there is one, and the end of
 * this job are written by the use case in one transaction with the attempt record. While its destination or its
 * sending number has no line free (CallLimits), the job is given back to wait for the line: the
 * call that frees it makes the job due, or half a minute passes.
 *
 * The worker's signal goes to the carrier: a call cut off by it (the lease was lost, or the
 * worker is stopping) is left open, and the job is given back due at once, so that its next run
 * takes the call over and ends it as it stood. (After a lost lease the worker records nothing,
 * and the job is already someone else's or soon will be.)
 */
import type { ClaimedJob } from '../domain/job-queue.js'
import {
  transmitDelivery,
  type TransmitOutcome,
  type TransmitServices,
} from '../use-cases/transmit-delivery.js'
import type { JobHandler } from './worker.js'

export interface SendFaxJobEvents {
  /** A run begins: the delivery's call is about to be placed (or taken over). */
  onStart?(job: ClaimedJob, deliveryId: string): void
  /** Each run's outcome, once it is recorded (for the operator's logs and metrics). */
  onOutcome?(job: ClaimedJob, deliveryId: string, outcome: TransmitOutcome): void
}

export function sendFaxJob(services: TransmitServices, events: SendFaxJobEvents = {}): JobHandler {
  return async (job: ClaimedJob, signal: AbortSignal) => {
    const deliveryId = job.payload['deliveryId']
    if (typeof deliveryId !== 'string') {
      return // Not ours to understand: nothing to do, and nothing to retry.
    }
    events.onStart?.(job, deliveryId)
    // Claimed before and not finished: its worker may have died in the middle of a call.
    const result = await transmitDelivery(services, deliveryId, {
      takeOver: job.attempts > 1,
      signal,
      job: { id: job.id, worker: job.lockedBy },
    })
    events.onOutcome?.(job, deliveryId, result)
    switch (result.outcome) {
      case 'line-busy':
        return { laterAtMs: result.laterAtMs, waitingFor: result.line }
      case 'interrupted':
        return { laterAtMs: services.clock.now() }
      case 'gone':
        return undefined
      default:
        return { completed: true } // in the commit that recorded the attempt
    }
  }
}
