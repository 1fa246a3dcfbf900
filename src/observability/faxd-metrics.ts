/**
 * The metrics a faxd process exposes at /metrics (docs/operating.md, "Metrics"): what its HTTP
 * API answered, what its worker did (renders, call attempts and their pages, faxes ended,
 * webhook deliveries), how the shared job queue stands, and the process itself. Counters count
 * since the process started, as Prometheus expects; each process (`faxd serve`, every
 * `faxd worker`) has its own, and Prometheus adds them up. The queue is read from the database
 * at each scrape, so every process reports the same queue.
 *
 * The parts of faxd that do the work know nothing of Prometheus: they report what happened
 * through callbacks (sendFaxJob's onOutcome, renderFaxJob's onRendered, deliverWebhookJob's
 * onAttempt, the API's onResponse), which the composition root connects to the methods here.
 */
import { cpuUsage, memoryUsage } from 'node:process'
import type { FaxStatus } from '../domain/fax.js'
import type { JobQueue, QueueDepth } from '../domain/job-queue.js'
import type { CallAttempt } from '../domain/transmission.js'
import type { Clock } from '../shared/clock.js'
import { MetricsRegistry, type Counter, type Histogram } from '../shared/prometheus.js'

/** Seconds: an API answer takes milliseconds; a page preview or an upload, seconds. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** Seconds: a page of text renders in a fraction of a second, an Office file in several. */
const RENDER_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]
/** Seconds: a page takes about half a minute at 9600 bit/s; a long fax, many minutes. */
const CALL_BUCKETS = [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200]

/** What a render of an outbox entry's documents came to. */
export type RenderResult = 'ready' | 'failed' | 'gone'

/** What a webhook delivery attempt came to: delivered, refused, to be tried again, or given up. */
export type WebhookAttemptResult = 'delivered' | 'refused' | 'pending' | 'failed'

export class FaxdMetrics {
  readonly #registry = new MetricsRegistry()
  readonly #httpRequests: Counter
  readonly #httpDurations: Histogram
  readonly #renders: Counter
  readonly #renderDurations: Histogram
  readonly #pagesRendered: Counter
  readonly #callAttempts: Counter
  readonly #callDurations: Histogram
  readonly #pagesSent: Counter
  readonly #faxes: Counter
  readonly #webhookAttempts: Counter

  constructor(queue: JobQueue, clock: Clock) {
    const registry = this.#registry
    // The three queue gauges of one scrape share one read of the queue.
    let reading: Promise<readonly QueueDepth[]> | null = null
    const depth = (): Promise<readonly QueueDepth[]> =>
      (reading ??= queue.depth(clock.now()).finally(() => {
        reading = null
      }))
    this.#httpRequests = registry.counter(
      'faxd_http_requests_total',
      'HTTP requests answered, by method, route (its pattern; "none" when no route matched) and status code.',
      ['method', 'route', 'status'],
    )
    this.#httpDurations = registry.histogram(
      'faxd_http_request_duration_seconds',
      'Time from a request to the end of its answer, by method and route.',
      ['method', 'route'],
      HTTP_BUCKETS,
    )
    this.#renders = registry.counter(
      'faxd_renders_total',
      "Renders of an outbox entry's documents into fax pages, by result: ready, failed (the documents cannot be faxed), gone (the entry was deleted).",
      ['result'],
    )
    this.#renderDurations = registry.histogram(
      'faxd_render_duration_seconds',
      "Time to render an outbox entry's documents into fax pages, by result.",
      ['result'],
      RENDER_BUCKETS,
    )
    this.#pagesRendered = registry.counter(
      'faxd_pages_rendered_total',
      'Fax pages rendered from the documents of outbox entries.',
    )
    this.#callAttempts = registry.counter(
      'faxd_call_attempts_total',
      'Attempts to send a fax, by carrier and status (the fax status the attempt ended with).',
      ['carrier', 'status'],
    )
    this.#callDurations = registry.histogram(
      'faxd_call_duration_seconds',
      'Length of the attempts to send a fax, from the start of the call to its end, by carrier.',
      ['carrier'],
      CALL_BUCKETS,
    )
    this.#pagesSent = registry.counter(
      'faxd_pages_sent_total',
      'Pages the receiving end confirmed, over every attempt, by carrier.',
      ['carrier'],
    )
    this.#faxes = registry.counter(
      'faxd_faxes_total',
      'Faxes sent that reached their final status (their fax record), by status.',
      ['status'],
    )
    this.#webhookAttempts = registry.counter(
      'faxd_webhook_attempts_total',
      'Webhook delivery attempts, by result: delivered, refused (a target faxd may not call), pending (tried again later), failed (given up).',
      ['result'],
    )
    registry.collected(
      'gauge',
      'faxd_jobs_due',
      'Jobs due and free to claim, by kind (render-fax, send-fax, deliver-webhook): the backlog.',
      ['kind'],
      async () =>
        (await depth()).map((row) => ({
          labels: { kind: row.kind },
          value: row.due,
        })),
    )
    registry.collected(
      'gauge',
      'faxd_jobs_oldest_due_seconds',
      'How long the oldest due job of each kind has been waiting; 0 when none is due.',
      ['kind'],
      async () => {
        const rows = await depth()
        const now = clock.now()
        return rows.map((row) => ({
          labels: { kind: row.kind },
          value: row.oldestDueAtMs === null ? 0 : Math.max(0, now - row.oldestDueAtMs) / 1000,
        }))
      },
    )
    registry.collected(
      'gauge',
      'faxd_jobs_in_hand',
      'Jobs a worker holds (renders, calls and webhook deliveries in progress), by kind.',
      ['kind'],
      async () =>
        (await depth()).map((row) => ({
          labels: { kind: row.kind },
          value: row.inHand,
        })),
    )
    const startedAtS = Math.round(performance.timeOrigin) / 1000
    registry.collected(
      'gauge',
      'process_start_time_seconds',
      'When the process started, in seconds since the Unix epoch.',
      [],
      () => Promise.resolve([{ labels: {}, value: startedAtS }]),
    )
    registry.collected(
      'gauge',
      'process_resident_memory_bytes',
      'Resident memory of the process.',
      [],
      () => Promise.resolve([{ labels: {}, value: memoryUsage.rss() }]),
    )
    registry.collected(
      'counter',
      'process_cpu_seconds_total',
      'CPU time the process has used, user and system, in seconds.',
      [],
      () => {
        const { user, system } = cpuUsage()
        return Promise.resolve([{ labels: {}, value: (user + system) / 1e6 }])
      },
    )
  }

  /** The text format for a scrape. */
  exposition(): Promise<string> {
    return this.#registry.exposition()
  }

  httpResponse(method: string, route: string | undefined, status: number, seconds: number): void {
    const routeLabel = route ?? 'none'
    this.#httpRequests.inc({ method, route: routeLabel, status: String(status) })
    this.#httpDurations.observe(seconds, { method, route: routeLabel })
  }

  rendered(result: RenderResult, pages: number, seconds: number): void {
    this.#renders.inc({ result })
    this.#renderDurations.observe(seconds, { result })
    this.#pagesRendered.inc({}, pages)
  }

  /** An attempt ended; `finalStatus` when it was the fax's last (its record was written). */
  attemptEnded(attempt: CallAttempt, finalStatus: FaxStatus | null): void {
    const carrier = attempt.carrier
    this.#callAttempts.inc({ carrier, status: attempt.status })
    this.#callDurations.observe(Math.max(0, attempt.endedAtMs - attempt.startedAtMs) / 1000, {
      carrier,
    })
    this.#pagesSent.inc({ carrier }, attempt.pagesConfirmed.length)
    if (finalStatus !== null) {
      this.#faxes.inc({ status: finalStatus })
    }
  }

  webhookAttempt(result: WebhookAttemptResult): void {
    this.#webhookAttempts.inc({ result })
  }
}
