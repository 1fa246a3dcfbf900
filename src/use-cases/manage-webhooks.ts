/**
 * Webhook subscriptions of the calling account (Fax.Plus hooks have no user_id in their path).
 * A target must be an absolute http(s) URL. Delivering events comes with the delivery engine.
 */
import { DomainError } from '../domain/domain-error.js'
import type { Webhook, WebhookEvent } from '../domain/webhook.js'
import { newId24 } from '../shared/ids.js'
import type { Actor, Services } from './context.js'

export async function createWebhook(
  services: Services,
  actor: Actor,
  target: string,
  event: WebhookEvent,
): Promise<Webhook> {
  if (!isHttpUrl(target)) {
    throw new DomainError('invalid_target', 'target must be an absolute http or https URL')
  }
  const webhook: Webhook = {
    id: newId24(),
    uid: actor.account.uid,
    target,
    event,
    createdAtMs: services.clock.now(),
  }
  await services.store.webhooks.add(webhook)
  return webhook
}

export async function listWebhooks(
  services: Services,
  actor: Actor,
  event: WebhookEvent,
): Promise<Webhook[]> {
  return services.store.webhooks.list(actor.account.uid, event)
}

export async function deleteWebhook(
  services: Services,
  actor: Actor,
  hookId: string,
): Promise<void> {
  const webhook = await services.store.webhooks.get(hookId)
  if (!webhook || webhook.uid !== actor.account.uid) {
    throw new DomainError('webhook_not_found', 'No webhook with this id')
  }
  await services.store.webhooks.delete(webhook.id)
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}
