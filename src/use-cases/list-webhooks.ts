/**
 * listWebhooks: the calling account's webhook subscriptions to one event (Fax.Plus hooks have no
 * user_id in their path).
 */
import type { Webhook, WebhookEvent } from '../domain/webhook.js'
import type { Actor, Services } from './context.js'

export async function listWebhooks(
  services: Services,
  actor: Actor,
  event: WebhookEvent,
): Promise<Webhook[]> {
  return services.store.webhooks.list(actor.account.uid, event)
}
