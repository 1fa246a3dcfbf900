/**
 * What the worker's jobs report (their callbacks) becomes: a log line at each step of a fax's
 * life, with the outbox entry's id and the fax's (its delivery's) on it, and the operator's
 * metrics (observability/faxd-metrics.ts). The API logs the first step, "fax accepted".
 *
 *   pages rendered / pages not rendered   outbox, pages or status, seconds
 *   calling                                outbox, fax, attempt (the job's run)
 *   attempt ended                          outbox, fax, attempt, carrier, status, pages, next
 *   fax ended                              outbox, fax, status, pages
 *   webhook delivered / not delivered      delivery, hook, event, attempt, status, code
 */
import type { RenderFaxJobEvents } from './jobs/render-fax-job.js'
import type { SendFaxJobEvents } from './jobs/send-fax-job.js'
import type { FaxdMetrics } from './observability/faxd-metrics.js'
import type { Logger } from './shared/logger.js'
import type { WebhookAttemptReport } from './webhooks/deliver-webhook-job.js'

export interface WorkerReports {
  readonly render: RenderFaxJobEvents
  readonly send: SendFaxJobEvents
  readonly webhook: (attempt: WebhookAttemptReport) => void
}

export function workerReports(logger: Logger, metrics?: FaxdMetrics): WorkerReports {
  return {
    render: {
      onRendered: (outbox, outcome, seconds) => {
        const took = Math.round(seconds * 1000) / 1000
        if (outcome.outcome === 'ready') {
          logger.info({ outbox, pages: outcome.pages, seconds: took }, 'pages rendered')
        } else if (outcome.outcome === 'failed') {
          logger.info(
            { outbox, status: outcome.status, reason: outcome.description, seconds: took },
            'pages not rendered: the fax ends',
          )
        }
        metrics?.rendered(outcome.outcome, outcome.outcome === 'ready' ? outcome.pages : 0, seconds)
      },
    },
    send: {
      onStart: (job, fax) => {
        logger.info({ outbox: job.outboxId, fax, run: job.attempts }, 'calling')
      },
      onOutcome: (job, fax, outcome) => {
        if (!('attempt' in outcome)) {
          return
        }
        const { attempt } = outcome
        const next =
          outcome.outcome === 'retry'
            ? { retryAt: new Date(outcome.retryAtMs).toISOString() }
            : outcome.outcome === 'restart'
              ? { next: 'again at once: the call was cut off by our side' }
              : {}
        logger.info(
          {
            outbox: job.outboxId,
            fax,
            attempt: attempt.attempt,
            carrier: attempt.carrier,
            status: attempt.status,
            pages: attempt.pagesConfirmed.length,
            description: attempt.description,
            ...next,
          },
          'attempt ended',
        )
        const final = outcome.outcome === 'final' ? outcome.record : null
        if (final !== null) {
          logger.info(
            { outbox: job.outboxId, fax, status: final.status, pages: final.pages },
            'fax ended',
          )
        }
        metrics?.attemptEnded(attempt, final === null ? null : final.status)
      },
    },
    webhook: (report) => {
      const fields = {
        delivery: report.deliveryId,
        hook: report.hookId,
        event: report.event,
        attempt: report.attempt,
        status: report.status,
        code: report.statusCode,
        ...(report.error === null ? {} : { error: report.error }),
      }
      if (report.status === 'delivered') {
        logger.info(fields, 'webhook delivered')
      } else {
        logger.warn(fields, 'webhook not delivered')
      }
      metrics?.webhookAttempt(report.status)
    },
  }
}
