/**
 * Statements on webhook deliveries that other repositories run inside their own transactions:
 * a change and the webhook events that report it are one commit. The fax repository (a received
 * fax) and the transmission repository (an ended call) import them from here.
 */
import type { Transaction } from 'kysely'
import type { PlannedDelivery, WebhookDelivery } from '../../domain/webhook-delivery.js'
import { insertRows } from './insert-rows.js'
import { newJobToRow } from './job-rows.js'
import type { Database } from './schema.js'
import type { SqlEngine } from './sql-engine.js'
import { webhookDeliveryToRow } from './webhook-delivery-rows.js'

/**
 * Writes planned deliveries and their first jobs inside the caller's transaction (so that an
 * event is queued in the same commit as the change it reports). Hooks deleted meanwhile are left
 * out; on PostgreSQL the others are locked FOR KEY SHARE until the commit.
 */
export async function insertPlannedDeliveries(
  trx: Transaction<Database>,
  engine: SqlEngine,
  planned: readonly PlannedDelivery[],
): Promise<WebhookDelivery[]> {
  if (planned.length === 0) {
    return []
  }
  const hookIds = [...new Set(planned.map((p) => p.delivery.hookId))]
  const existing = await trx
    .selectFrom('webhooks')
    .select('id')
    .where('id', 'in', hookIds)
    .$if(engine === 'postgres', (q) => q.forKeyShare())
    .execute()
  const live = new Set(existing.map((row) => row.id))
  const kept = planned.filter((p) => live.has(p.delivery.hookId))
  await insertRows(
    trx,
    'webhook_deliveries',
    kept.map((p) => webhookDeliveryToRow(p.delivery)),
  )
  await insertRows(
    trx,
    'jobs',
    kept.map((p) => newJobToRow(p.job, null, p.delivery.createdAtMs)),
  )
  return kept.map((p) => p.delivery)
}
