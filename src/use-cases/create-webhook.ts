/**
 * createWebhook: subscribes the calling account to an event (Fax.Plus hooks have no user_id in
 * their path). A target must be an absolute http(s) URL. Delivering events comes with the
 * delivery engine.
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

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}
