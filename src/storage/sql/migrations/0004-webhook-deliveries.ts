/**
 * Webhook deliveries: a webhook gets the secret that signs its deliveries (set when first
 * needed, so hooks made before this migration get one too), and every event for a hook is a
 * row of `webhook_deliveries` with its attempts (a JSON list, at most a few dozen). Deleting a
 * hook deletes its deliveries; the job of a pending attempt then finds nothing to do.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhooks').addColumn('signing_secret', 'text').execute()
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hook_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempt_count', 'integer', (c) => c.notNull())
    .addColumn('attempts', 'text', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint(
      'webhook_deliveries_hook_id_fkey',
      ['hook_id'],
      'webhooks',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute()
  await db.schema
    .createIndex('webhook_deliveries_hook_id_created_at_idx')
    .on('webhook_deliveries')
    .columns(['hook_id', 'created_at', 'id'])
    .execute()
}
