/** WebhookRepository on SQL: subscriptions in `webhooks`, listed oldest first. */
import type { Kysely } from 'kysely'
import type { WebhookRepository } from '../../domain/ports.js'
import type { Webhook, WebhookEvent } from '../../domain/webhook.js'
import type { Database } from './schema.js'
import { webhookFromRow, webhookToRow } from './webhook-rows.js'

export class SqlWebhookRepository implements WebhookRepository {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async add(webhook: Webhook): Promise<void> {
    await this.#db.insertInto('webhooks').values(webhookToRow(webhook)).execute()
  }

  async get(id: string): Promise<Webhook | null> {
    const row = await this.#db
      .selectFrom('webhooks')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined ? null : webhookFromRow(row)
  }

  async list(uid: string, event: WebhookEvent): Promise<Webhook[]> {
    const rows = await this.#db
      .selectFrom('webhooks')
      .selectAll()
      .where('uid', '=', uid)
      .where('event', '=', event)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map(webhookFromRow)
  }

  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('webhooks').where('id', '=', id).execute()
  }
}
