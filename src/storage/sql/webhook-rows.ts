/** Webhooks between the `webhooks` table and the domain. */
import type { Insertable, Selectable } from 'kysely'
import { WEBHOOK_EVENTS, type Webhook } from '../../domain/webhook.js'
import { oneOf } from './column-values.js'
import type { WebhooksTable } from './schema.js'

export function webhookFromRow(row: Selectable<WebhooksTable>): Webhook {
  return {
    id: row.id,
    uid: row.uid,
    target: row.target,
    event: oneOf(WEBHOOK_EVENTS, row.event, 'webhooks.event'),
    createdAtMs: row.created_at,
  }
}

export function webhookToRow(webhook: Webhook): Insertable<WebhooksTable> {
  return {
    id: webhook.id,
    uid: webhook.uid,
    target: webhook.target,
    event: webhook.event,
    created_at: webhook.createdAtMs,
  }
}
