/**
 * Rendered documents: an outbox entry keeps the key of its TIFF-F once its pages are ready, a fax
 * record the key of its pages (when it has any) and the sentence that explains its status
 * (the `description` of the Fax.Plus fax record).
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox_entries').addColumn('document_key', 'text').execute()
  await db.schema.alterTable('faxes').addColumn('document_key', 'text').execute()
  await db.schema
    .alterTable('faxes')
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .execute()
}
