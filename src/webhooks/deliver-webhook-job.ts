/**
 * The `deliver-webhook` job: one attempt of one delivery. It checks the target (target-guard.ts),
 * POSTs the delivery's body with its signed headers (signature.ts: the hook's current secret,
 * and the one a rotation replaced while its grace period lasts) to a checked address, and
 * records the attempt with what follows from it, in one transaction:
 *
 * - any 2xx within the timeout: `delivered`;
 * - a refused target (scheme, a user name or password in the URL, or an address the operator
 *   has not allowed, this server's own among them): `refused`, never retried, and no request is
 *   made;
 * - anything else (another status, a redirect, which is not followed, a network error, a failed
 *   lookup, the timeout): the job of the next attempt, on the schedule of
 *   src/domain/webhook-delivery.ts (30 s, 1 min, 2 min, … at most 1 h), or `failed` once the
 *   next attempt would fall more than 24 hours after the event.
 *
 * The handler keeps its own schedule by writing the next attempt's job itself and returning, so
 * the worker completes the current job; it throws only when the store fails, and then the
 * worker runs the same attempt again later. A job whose attempt is already recorded, or whose
 * delivery is finished or gone (its hook deleted), does nothing.
 */
import type { ClaimedJob } from '../domain/job-queue.js'
import type { Store } from '../domain/ports.js'
import {
  deliveryJob,
  deliveryJobPayload,
  newSigningSecret,
  nextAttemptAtMs,
  signingKeysAt,
  type AttemptOutcome,
  type DeliveryAttempt,
  type SigningSecrets,
  type WebhookDelivery,
} from '../domain/webhook-delivery.js'
import type { Clock } from '../shared/clock.js'
import { deliveryHeaders } from './signature.js'
import {
  checkTarget,
  systemResolver,
  type HostResolver,
  type OwnAddresses,
} from './target-guard.js'
import type { WebhookHttpClient } from './webhook-http-client.js'

/** How long a receiver has to answer, unless the settings say otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000

/** Error texts are kept to this length in the delivery log. */
const MAX_ERROR_LENGTH = 300

export interface WebhookDeliverySettings {
  /**
   * FAXD_WEBHOOK_ALLOW_PRIVATE=1: loopback, private, link-local, … targets may be called, and so
   * may this server's own addresses.
   */
  readonly allowPrivateTargets: boolean
  readonly timeoutMs?: number
}

export interface DeliverWebhookDeps {
  readonly store: Store
  readonly clock: Clock
  readonly http: WebhookHttpClient
  readonly settings: WebhookDeliverySettings
  /** Resolves target host names; the system resolver unless set. */
  readonly resolve?: HostResolver
  /** This server's addresses, read before every attempt; its network interfaces unless set. */
  readonly ownAddresses?: OwnAddresses
  /** Each attempt's outcome, once it is recorded (for the operator's logs and metrics). */
  readonly onAttempt?: (attempt: WebhookAttemptReport) => void
}

type AttemptResult = 'delivered' | 'refused' | 'retry'

/** What one delivery attempt came to, for the operator. */
export interface WebhookAttemptReport {
  readonly deliveryId: string
  readonly hookId: string
  readonly event: string
  readonly attempt: number
  readonly status: AttemptOutcome['status']
  readonly statusCode: number | null
  readonly error: string | null
}

export function deliverWebhookJob(deps: DeliverWebhookDeps): (job: ClaimedJob) => Promise<void> {
  const { store, clock } = deps
  return async (job) => {
    const ref = deliveryJobPayload(job.payload)
    if (ref === null) {
      return // Not a job this code wrote: nothing to do, and nothing to retry.
    }
    const delivery = await store.webhookDeliveries.get(ref.deliveryId)
    if (
      delivery === null ||
      delivery.status !== 'pending' ||
      delivery.attempts.length !== ref.attempt - 1
    ) {
      return
    }
    const secrets = await store.webhookDeliveries.signingSecrets(
      delivery.hookId,
      newSigningSecret(),
    )
    if (secrets === null) {
      return
    }
    const { result, attempt } = await attemptDelivery(deps, delivery, secrets)
    const outcome = outcomeOf(result, delivery, ref.attempt, clock.now())
    await store.webhookDeliveries.recordAttempt(delivery.id, ref.attempt, attempt, outcome)
    deps.onAttempt?.({
      deliveryId: delivery.id,
      hookId: delivery.hookId,
      event: delivery.event,
      attempt: ref.attempt,
      status: outcome.status,
      statusCode: attempt.statusCode,
      error: attempt.error,
    })
  }
}

async function attemptDelivery(
  deps: DeliverWebhookDeps,
  delivery: WebhookDelivery,
  secrets: SigningSecrets,
): Promise<{ result: AttemptResult; attempt: DeliveryAttempt }> {
  const atMs = deps.clock.now()
  const started = performance.now()
  const logged = (result: AttemptResult, statusCode: number | null, error: string | null) => ({
    result,
    attempt: {
      atMs,
      statusCode,
      error: error === null ? null : error.slice(0, MAX_ERROR_LENGTH),
      durationMs: Math.round(performance.now() - started),
    },
  })
  try {
    const check = await checkTarget(delivery.target, {
      allowPrivate: deps.settings.allowPrivateTargets,
      resolve: deps.resolve ?? systemResolver,
      ...(deps.ownAddresses === undefined ? {} : { ownAddresses: deps.ownAddresses }),
    })
    if (!check.allowed) {
      return logged('refused', null, `refused: ${check.reason}`)
    }
    const response = await deps.http.post({
      url: check.url,
      addresses: check.addresses,
      // Signed at the attempt's own time: a retry after the grace period has only the new key.
      headers: deliveryHeaders(delivery, signingKeysAt(secrets, atMs), Math.floor(atMs / 1000)),
      body: delivery.body,
      timeoutMs: deps.settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    })
    const { statusCode, location } = response
    if (statusCode >= 200 && statusCode < 300) {
      return logged('delivered', statusCode, null)
    }
    if (statusCode >= 300 && statusCode < 400) {
      const where = location === null ? '' : ` to ${location}`
      return logged('retry', statusCode, `redirect${where} not followed`)
    }
    return logged('retry', statusCode, null)
  } catch (error) {
    return logged('retry', null, describeError(error))
  }
}

function outcomeOf(
  result: AttemptResult,
  delivery: WebhookDelivery,
  attemptNumber: number,
  nowMs: number,
): AttemptOutcome {
  if (result !== 'retry') {
    return { status: result }
  }
  const nextAtMs = nextAttemptAtMs(delivery.createdAtMs, attemptNumber, nowMs)
  return nextAtMs === null
    ? { status: 'failed' }
    : { status: 'pending', nextJob: deliveryJob(delivery.id, attemptNumber + 1, nextAtMs) }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error)
  }
  const code = (error as NodeJS.ErrnoException).code
  return code === undefined || error.message.includes(code)
    ? error.message
    : `${code}: ${error.message}`
}
