/**
 * The header line (src/domain/header-line.ts):
 * - `outbox_entries.header_line`: the account's choice when the fax was sent, as JSON
 *   ({template, timeZone, name}); null: no header (turned off, or entries made before this);
 * - `fax_attempts.header`: the text one attempt's pages carried (null: none);
 * - `faxes.header`: the text of the fax record's last attempt, answered as the record's
 *   `header`.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox_entries').addColumn('header_line', 'text').execute()
  await db.schema.alterTable('fax_attempts').addColumn('header', 'text').execute()
  await db.schema.alterTable('faxes').addColumn('header', 'text').execute()
}
