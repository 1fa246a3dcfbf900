/**
 * listWebhookDeliveries: the delivery log of one of the calling account's webhooks (beyond
 * Fax.Plus): its newest deliveries with every attempt, and the hook's signing secret, which the
 * receiver needs to check signatures (a hook gets one on first need, here or at its first
 * delivery). Another account's hook does not exist (`webhook_not_found`), as for deleteWebhook.
 */
import { DomainError } from '../domain/domain-error.js'
import { newSigningSecret, type WebhookDelivery } from '../domain/webhook-delivery.js'
import type { Actor, Services } from './context.js'

/** The log shows this many deliveries, newest first. */
export const DELIVERY_LOG_LIMIT = 100

export interface DeliveryLog {
  readonly signingSecret: string
  readonly deliveries: readonly WebhookDelivery[]
}

export async function listWebhookDeliveries(
  services: Services,
  actor: Actor,
  hookId: string,
): Promise<DeliveryLog> {
  const { store } = services
  const webhook = await store.webhooks.get(hookId)
  if (!webhook || webhook.uid !== actor.account.uid) {
    throw new DomainError('webhook_not_found', 'No webhook with this id')
  }
  const signingSecret = await store.webhookDeliveries.signingSecret(webhook.id, newSigningSecret())
  if (signingSecret === null) {
    throw new DomainError('webhook_not_found', 'No webhook with this id')
  }
  const deliveries = await store.webhookDeliveries.listByHook(webhook.id, DELIVERY_LOG_LIMIT)
  return { signingSecret, deliveries }
}
