/**
 * The headers of a delivery, and its signature: `X-Faxd-Signature: v1=<hex>`, the HMAC-SHA256
 * of "<X-Faxd-Timestamp>.<raw body>" keyed with the hook's signing secret (its text as UTF-8).
 * The timestamp is the attempt's, in Unix seconds, so a receiver can refuse old replays;
 * X-Faxd-Delivery is the same on every attempt of an event, so it can drop duplicates.
 *
 * For SECRET_ROTATION_GRACE_MS (a day) after the secret is rotated, `X-Faxd-Signature-Previous:
 * v1=<hex>` carries the same signature made with the secret the rotation replaced. X-Faxd-Signature always holds exactly one
 * signature, made with the current secret, so a receiver that compares it whole keeps working
 * once it holds the new secret; one that checks both headers accepts either secret meanwhile.
 * docs/webhooks.md shows how to check them.
 */
import { createHmac } from 'node:crypto'
import type { SigningKeys, WebhookDelivery } from '../domain/webhook-delivery.js'

export const USER_AGENT = 'faxd-webhooks/1'

export function webhookSignature(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')
  return `v1=${mac}`
}

export function deliveryHeaders(
  delivery: WebhookDelivery,
  keys: SigningKeys,
  timestampSeconds: number,
): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': USER_AGENT,
    'X-Faxd-Event': delivery.event,
    'X-Faxd-Delivery': delivery.id,
    'X-Faxd-Timestamp': String(timestampSeconds),
    'X-Faxd-Signature': webhookSignature(keys.current, timestampSeconds, delivery.body),
  }
  if (keys.previous !== null) {
    headers['X-Faxd-Signature-Previous'] = webhookSignature(
      keys.previous,
      timestampSeconds,
      delivery.body,
    )
  }
  return headers
}
