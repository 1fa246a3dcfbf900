/**
 * Webhook deliveries: one event (a fax sent or received) for one of the user's webhooks. Its
 * body is fixed when the event happens (the Fax.Plus payload, `{"hook": {…}, "data": {…}}`) and
 * POSTed, signed, until the receiver answers 2xx; a failed attempt is retried on the schedule
 * below for 24 hours from the event, then the delivery has `failed` for good. A target that
 * resolves to an address the server may not call is `refused` at once (src/webhooks has the
 * rules). Every attempt is kept, with its time, HTTP status or error, and duration.
 *
 * Each attempt is one `deliver-webhook` job whose payload names the delivery and the attempt's
 * number; the handler that makes attempt n records it and writes the job of attempt n + 1 in one
 * transaction (WebhookDeliveryRepository.recordAttempt). A job whose attempt is already recorded
 * (a worker that crashed after recording, or a lease taken over) finds nothing to do.
 */
import { newId24, newSecret } from '../shared/ids.js'
import type { NewJob } from './job-queue.js'
import type { Scope } from './scopes.js'
import type { Webhook, WebhookEvent } from './webhook.js'

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'refused'] as const
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number]

/** One POST to the target, or one refusal to make it. */
export interface DeliveryAttempt {
  readonly atMs: number
  /** The HTTP status of the answer; null when none came (network error, timeout, refusal). */
  readonly statusCode: number | null
  /** What went wrong, for people; null for an answer that explains itself by its status. */
  readonly error: string | null
  readonly durationMs: number
}

export interface WebhookDelivery {
  /** `evt_<24 hex>`: the idempotency id, sent as X-Faxd-Delivery on every attempt. */
  readonly id: string
  readonly hookId: string
  readonly event: WebhookEvent
  /** The hook's target when the event happened (hooks cannot be changed, only deleted). */
  readonly target: string
  /** The JSON text POSTed on every attempt, byte for byte. */
  readonly body: string
  readonly status: WebhookDeliveryStatus
  readonly createdAtMs: number
  /** Oldest first. */
  readonly attempts: readonly DeliveryAttempt[]
  /** When the next attempt is due; null once the delivery is no longer pending. */
  readonly nextAttemptAtMs: number | null
}

/**
 * A hook's signing secrets: the one that signs its deliveries, and the one the last rotation
 * replaced, with the time it stops signing (it is kept, unused, after that time, until the next
 * rotation overwrites it).
 */
export interface SigningSecrets {
  readonly current: string
  readonly previous: { readonly secret: string; readonly validUntilMs: number } | null
}

/** The keys that sign one attempt: the current secret, and the previous one while it is valid. */
export interface SigningKeys {
  readonly current: string
  readonly previous: string | null
}

/** What the code that ends a fax knows of the event. */
export interface WebhookEventInput {
  /** The user whose hooks for `event` receive it. */
  readonly uid: string
  readonly event: WebhookEvent
  /** `hook.id` of the Fax.Plus payload: the fax id (it differs from `data.id` on a retry). */
  readonly hookIdForPayload: string
  /** `data` of the Fax.Plus payload, as it is to be sent. */
  readonly data: Readonly<Record<string, unknown>>
}

/** A new delivery and the job of its first attempt, written together. */
export interface PlannedDelivery {
  readonly delivery: WebhookDelivery
  readonly job: NewJob
}

/** How an attempt ends a delivery, or the job of the next attempt when it stays pending. */
export type AttemptOutcome =
  | { readonly status: 'delivered' | 'failed' | 'refused' }
  | { readonly status: 'pending'; readonly nextJob: NewJob }

export interface WebhookDeliveryRepository {
  /**
   * Writes the deliveries and the jobs of their first attempts in one transaction, all or
   * nothing, and answers the deliveries written: those of hooks deleted meanwhile are left out.
   */
  create(planned: readonly PlannedDelivery[]): Promise<WebhookDelivery[]>
  get(id: string): Promise<WebhookDelivery | null>
  /** The hook's deliveries, newest first, at most `limit`. */
  listByHook(hookId: string, limit: number): Promise<WebhookDelivery[]>
  /**
   * The hook's signing secrets. A hook that has none yet gets `candidate` (once: of concurrent
   * callers, all get the secret that was stored first). Null when the hook does not exist.
   */
  signingSecrets(hookId: string, candidate: string): Promise<SigningSecrets | null>
  /**
   * Gives the hook `secret` to sign with from now on. The secret it had becomes the previous
   * one, signing until `previousValidUntilMs`; a previous one from an earlier rotation is
   * forgotten, and a hook that had no secret yet gets no previous one. One step, so that of
   * concurrent rotations each replaces the secret the one before it stored. Answers the hook's
   * secrets afterwards; null when the hook does not exist.
   */
  rotateSigningSecret(
    hookId: string,
    secret: string,
    previousValidUntilMs: number,
  ): Promise<SigningSecrets | null>
  /**
   * Records attempt number `attemptNumber` (1 for the first) and its outcome, and writes the
   * next attempt's job when the delivery stays pending, in one transaction; only if the
   * delivery is pending with exactly `attemptNumber - 1` attempts. False (nothing written)
   * otherwise: the delivery is gone, finished, or this attempt was recorded already.
   */
  recordAttempt(
    id: string,
    attemptNumber: number,
    attempt: DeliveryAttempt,
    outcome: AttemptOutcome,
  ): Promise<boolean>
}

/** Retries go on for this long after the event; then the delivery has failed. */
export const RETRY_WINDOW_MS = 24 * 60 * 60_000
const FIRST_RETRY_MS = 30_000
const LONGEST_RETRY_MS = 60 * 60_000

/** Wait after `failedAttempts` failed attempts: 30 s, 1 min, 2 min, 4 min, … at most 1 hour. */
export function retryDelayMs(failedAttempts: number): number {
  const doublings = Math.min(Math.max(0, failedAttempts - 1), 20)
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** doublings)
}

/**
 * When to try again after the `failedAttempts`-th failure at `nowMs`; null when that time would
 * fall after the retry window, so the delivery has failed.
 */
export function nextAttemptAtMs(
  createdAtMs: number,
  failedAttempts: number,
  nowMs: number,
): number | null {
  const next = nowMs + retryDelayMs(failedAttempts)
  return next <= createdAtMs + RETRY_WINDOW_MS ? next : null
}

/** The job that makes attempt number `attempt` of a delivery at `runAtMs`. */
export function deliveryJob(deliveryId: string, attempt: number, runAtMs: number): NewJob {
  return {
    id: newId24(runAtMs),
    kind: 'deliver-webhook',
    payload: { deliveryId, attempt },
    runAtMs,
  }
}

/** Reads a `deliver-webhook` job's payload; null when it is not one this code wrote. */
export function deliveryJobPayload(
  payload: Readonly<Record<string, unknown>>,
): { deliveryId: string; attempt: number } | null {
  const { deliveryId, attempt } = payload
  if (typeof deliveryId !== 'string' || typeof attempt !== 'number') {
    return null
  }
  return Number.isSafeInteger(attempt) && attempt >= 1 ? { deliveryId, attempt } : null
}

/**
 * A new signing secret: `whsec_` and 32 random bytes in base64url. The whole text, as UTF-8, is
 * the HMAC-SHA256 key.
 */
export function newSigningSecret(): string {
  return newSecret('whsec_')
}

/**
 * How long a replaced secret still signs. A day: time for the receiver's owner to deploy the new
 * secret; the old one is then not usable for long should it be the reason for the rotation.
 */
export const SECRET_ROTATION_GRACE_MS = 24 * 60 * 60_000

/**
 * The scopes that may read and rotate a hook's signing secret: those that may edit webhooks.
 * Whoever holds the secret can sign requests that the receiver takes for faxd's, which is more
 * than reading the delivery log lets one do. OAuth2's scope `all` covers them.
 */
export const SIGNING_SECRET_SCOPES: readonly Scope[] = ['fax:all:edit', 'fax:webhook:edit']

/**
 * The keys that sign an attempt made at `atMs`: the previous secret only while `atMs` is before
 * its end, so that every attempt from then on is signed with the current secret alone.
 */
export function signingKeysAt(secrets: SigningSecrets, atMs: number): SigningKeys {
  const { current, previous } = secrets
  return {
    current,
    previous: previous !== null && atMs < previous.validUntilMs ? previous.secret : null,
  }
}

/** `evt_` and 24 hex digits; ids made one after another sort one after another. */
export function newDeliveryId(nowMs: number): string {
  return `evt_${newId24(nowMs)}`
}

/**
 * One delivery per hook, each with the Fax.Plus payload for that hook and the job of its first
 * attempt, due now. Hooks of another event are left out.
 */
export function planWebhookDeliveries(
  hooks: readonly Webhook[],
  input: WebhookEventInput,
  nowMs: number,
): PlannedDelivery[] {
  return hooks
    .filter((hook) => hook.event === input.event && hook.uid === input.uid)
    .map((hook) => {
      const id = newDeliveryId(nowMs)
      const delivery: WebhookDelivery = {
        id,
        hookId: hook.id,
        event: input.event,
        target: hook.target,
        body: webhookBody(hook.target, input, nowMs),
        status: 'pending',
        createdAtMs: nowMs,
        attempts: [],
        nextAttemptAtMs: nowMs,
      }
      return { delivery, job: deliveryJob(id, 1, nowMs) }
    })
}

/**
 * The Fax.Plus webhook payload (its docs, /concepts/webhook): `hook` with the fax id, the event,
 * its time as "YYYY-MM-DD HH:mm:ss" UTC and the target, then the caller's `data`.
 */
export function webhookBody(target: string, input: WebhookEventInput, nowMs: number): string {
  return JSON.stringify({
    hook: {
      id: input.hookIdForPayload,
      event: input.event,
      event_time: new Date(nowMs).toISOString().slice(0, 19).replace('T', ' '),
      target,
    },
    data: input.data,
  })
}
