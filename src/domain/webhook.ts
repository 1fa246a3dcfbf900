/** A webhook subscription: POST the event's payload to `target`. Delivery comes later. */
export const WEBHOOK_EVENTS = ['fax_received', 'fax_sent'] as const
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]

export interface Webhook {
  readonly id: string
  readonly uid: string
  readonly target: string
  readonly event: WebhookEvent
  readonly createdAtMs: number
}
