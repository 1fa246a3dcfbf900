/**
 * rotateWebhookSecret (beyond Fax.Plus): gives one of the calling account's webhooks a new
 * signing secret, without registering the hook again. The secret it replaces keeps signing for
 * SECRET_ROTATION_GRACE_MS (a day): meanwhile every delivery carries a signature with each
 * (signature.ts), so the receiver can switch to the new secret without refusing an event.
 *
 * A rotation during the grace period of an earlier one replaces the secret that was current; the
 * older one stops signing at once. So two rotations in a row retire a leaked secret immediately,
 * while the secret of the first rotation, which only its caller has seen, bridges the switch.
 * Another account's hook does not exist (`webhook_not_found`), as for deleteWebhook.
 */
import { DomainError } from '../domain/domain-error.js'
import { newSigningSecret, SECRET_ROTATION_GRACE_MS } from '../domain/webhook-delivery.js'
import type { Actor, Services } from './context.js'

export interface RotatedSecret {
  readonly signingSecret: string
  /** When the replaced secret stops signing; null when the hook had none (nothing to replace). */
  readonly previousValidUntilMs: number | null
}

export async function rotateWebhookSecret(
  services: Services,
  actor: Actor,
  hookId: string,
): Promise<RotatedSecret> {
  const { store, clock } = services
  const webhook = await store.webhooks.get(hookId)
  if (!webhook || webhook.uid !== actor.account.uid) {
    throw new DomainError('webhook_not_found', 'No webhook with this id')
  }
  const secrets = await store.webhookDeliveries.rotateSigningSecret(
    webhook.id,
    newSigningSecret(),
    clock.now() + SECRET_ROTATION_GRACE_MS,
  )
  if (secrets === null) {
    throw new DomainError('webhook_not_found', 'No webhook with this id')
  }
  return {
    signingSecret: secrets.current,
    previousValidUntilMs: secrets.previous?.validUntilMs ?? null,
  }
}
