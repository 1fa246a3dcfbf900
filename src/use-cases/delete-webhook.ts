/**
 * deleteWebhook: removes one of the calling account's webhook subscriptions (Fax.Plus hooks have
 * no user_id in their path); another account's hook does not exist (`webhook_not_found`).
 */
import { DomainError } from '../domain/domain-error.js'
import type { Actor, Services } from './context.js'

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
