/**
 * createWebhook: subscribes the calling account to an event (Fax.Plus hooks have no user_id in
 * their path). A target must be an absolute http(s) URL without a user name or password
 * (faxd does not send them: a receiver checks X-Faxd-Signature instead), and one faxd may call:
 * a target on a loopback, private or link-local address, or on this server's own, is refused
 * here with the reason unless the operator allows private targets (FAXD_WEBHOOK_ALLOW_PRIVATE),
 * instead of being accepted and then never delivered. Whether its host may be called is decided
 * again before each delivery (src/webhooks/target-guard.ts), since the addresses of a name
 * change.
 */
import { DomainError } from '../domain/domain-error.js'
import { hasCredentials, type Webhook, type WebhookEvent } from '../domain/webhook.js'
import { newId24 } from '../shared/ids.js'
import type { Actor, Services } from './context.js'

export async function createWebhook(
  services: Services,
  actor: Actor,
  target: string,
  event: WebhookEvent,
): Promise<Webhook> {
  const url = httpUrl(target)
  if (url === null) {
    throw new DomainError('invalid_target', 'target must be an absolute http or https URL')
  }
  if (hasCredentials(url)) {
    throw new DomainError(
      'invalid_target',
      'target must not contain a user name or password; faxd signs every request instead (X-Faxd-Signature)',
    )
  }
  const refusal = await services.webhookTargets.refusal(target)
  if (refusal !== null) {
    throw new DomainError(
      'invalid_target',
      `faxd may not call this target (${refusal}); loopback, private, link-local and this ` +
        "server's own addresses are refused unless the operator sets FAXD_WEBHOOK_ALLOW_PRIVATE=1 " +
        '(docs/webhooks.md)',
    )
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

function httpUrl(text: string): URL | null {
  try {
    const url = new URL(text)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
      ? url
      : null
  } catch {
    return null
  }
}
