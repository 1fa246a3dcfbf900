/**
 * enqueueWebhookEvent: an event (a fax sent or received) for every hook the user has for it,
 * each a pending delivery with the Fax.Plus payload and the job of its first attempt, all
 * written in one transaction. Called by the code that ends a fax; the worker's
 * deliver-webhook-job.ts does the rest.
 */
import type { Store } from '../domain/ports.js'
import {
  planWebhookDeliveries,
  type WebhookDelivery,
  type WebhookEventInput,
} from '../domain/webhook-delivery.js'
import type { Clock } from '../shared/clock.js'

/** Answers the deliveries written: none when the user has no hook for the event. */
export async function enqueueWebhookEvent(
  store: Store,
  clock: Clock,
  input: WebhookEventInput,
): Promise<WebhookDelivery[]> {
  const hooks = await store.webhooks.list(input.uid, input.event)
  return store.webhookDeliveries.create(planWebhookDeliveries(hooks, input, clock.now()))
}
