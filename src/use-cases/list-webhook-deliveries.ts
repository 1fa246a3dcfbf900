/**
 * listWebhookDeliveries: the delivery log of one of the calling account's webhooks (beyond
 * Fax.Plus): its newest deliveries with every attempt, and, for a caller whose token may edit
 * webhooks, the hook's signing secret, which the receiver needs to check signatures (a hook gets
 * one on first need, here or at its first delivery). A token that may only read webhooks gets
 * the log without the secret: the secret lets its holder sign requests the receiver takes for
 * faxd's, so it needs what rotating it needs (SIGNING_SECRET_SCOPES). Another account's hook does
 * not exist (`webhook_not_found`), as for deleteWebhook.
 */
import { DomainError } from '../domain/domain-error.js'
import { scopesPermit } from '../domain/scopes.js'
import {
  newSigningSecret,
  SIGNING_SECRET_SCOPES,
  type WebhookDelivery,
} from '../domain/webhook-delivery.js'
import type { Actor, Services } from './context.js'

/** The log shows this many deliveries, newest first. */
export const DELIVERY_LOG_LIMIT = 100

export interface DeliveryLog {
  /** The secret that signs the hook's deliveries; null when the caller may not see it. */
  readonly signingSecret: string | null
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
  let signingSecret: string | null = null
  if (scopesPermit(actor.token.scopes, SIGNING_SECRET_SCOPES)) {
    const secrets = await store.webhookDeliveries.signingSecrets(webhook.id, newSigningSecret())
    if (secrets === null) {
      throw new DomainError('webhook_not_found', 'No webhook with this id')
    }
    signingSecret = secrets.current
  }
  const deliveries = await store.webhookDeliveries.listByHook(webhook.id, DELIVERY_LOG_LIMIT)
  return { signingSecret, deliveries }
}
