/**
 * Webhook deliveries between the `webhook_deliveries` table and the domain. The attempts are a
 * JSON list in one column, as `{at, status_code, error, duration_ms}` objects, checked on the way
 * out like every other stored value. A hook's signing secrets are columns of `webhooks`.
 */
import type { Insertable, Selectable } from 'kysely'
import { WEBHOOK_EVENTS } from '../../domain/webhook.js'
import {
  WEBHOOK_DELIVERY_STATUSES,
  type DeliveryAttempt,
  type SigningSecrets,
  type WebhookDelivery,
} from '../../domain/webhook-delivery.js'
import { oneOf, toJsonText } from './column-values.js'
import type { WebhookDeliveriesTable, WebhooksTable } from './schema.js'

/** One attempt as the `attempts` column stores it. */
interface AttemptCell {
  readonly at: number
  readonly status_code: number | null
  readonly error: string | null
  readonly duration_ms: number
}

export function webhookDeliveryFromRow(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    id: row.id,
    hookId: row.hook_id,
    event: oneOf(WEBHOOK_EVENTS, row.event, 'webhook_deliveries.event'),
    target: row.target,
    body: row.body,
    status: oneOf(WEBHOOK_DELIVERY_STATUSES, row.status, 'webhook_deliveries.status'),
    createdAtMs: row.created_at,
    attempts: parseAttempts(row.attempts),
    nextAttemptAtMs: row.next_attempt_at,
  }
}

export function webhookDeliveryToRow(
  delivery: WebhookDelivery,
): Insertable<WebhookDeliveriesTable> {
  return {
    id: delivery.id,
    hook_id: delivery.hookId,
    event: delivery.event,
    target: delivery.target,
    body: delivery.body,
    status: delivery.status,
    attempt_count: delivery.attempts.length,
    attempts: attemptsToText(delivery.attempts),
    next_attempt_at: delivery.nextAttemptAtMs,
    created_at: delivery.createdAtMs,
  }
}

/**
 * A hook's signing secrets from its `webhooks` row; null when it has no secret yet. A previous
 * secret counts only with its time (a rotation writes the two together).
 */
export function signingSecretsFromRow(
  row: Pick<
    Selectable<WebhooksTable>,
    'signing_secret' | 'previous_signing_secret' | 'previous_secret_valid_until'
  >,
): SigningSecrets | null {
  if (row.signing_secret === null) {
    return null
  }
  const { previous_signing_secret: secret, previous_secret_valid_until: validUntilMs } = row
  return {
    current: row.signing_secret,
    previous: secret === null || validUntilMs === null ? null : { secret, validUntilMs },
  }
}

export function attemptsToText(attempts: readonly DeliveryAttempt[]): string {
  return toJsonText(
    attempts.map((attempt): AttemptCell => ({
      at: attempt.atMs,
      status_code: attempt.statusCode,
      error: attempt.error,
      duration_ms: attempt.durationMs,
    })),
  )
}

export function parseAttempts(text: string): DeliveryAttempt[] {
  const value: unknown = JSON.parse(text)
  if (!Array.isArray(value)) {
    throw new Error('column webhook_deliveries.attempts does not hold a JSON list')
  }
  return value.map((cell: unknown) => {
    if (!isAttemptCell(cell)) {
      throw new Error('column webhook_deliveries.attempts holds a malformed attempt')
    }
    return {
      atMs: cell.at,
      statusCode: cell.status_code,
      error: cell.error,
      durationMs: cell.duration_ms,
    }
  })
}

function isAttemptCell(value: unknown): value is AttemptCell {
  if (typeof value !== 'object' || value === null) {
    return false
  }
  const cell = value as Record<string, unknown>
  return (
    typeof cell['at'] === 'number' &&
    (cell['status_code'] === null || typeof cell['status_code'] === 'number') &&
    (cell['error'] === null || typeof cell['error'] === 'string') &&
    typeof cell['duration_ms'] === 'number'
  )
}
