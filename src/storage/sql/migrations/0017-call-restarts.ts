/**
 * Calls cut short by a crash of ours are made again without counting against `options.retry`
 * (transmit-delivery.ts): `deliveries.restarts` counts the attempts of a fax that ended that way
 * (the bound on such restarts is checked against it, and the retry budget leaves them out), and
 * `deliveries.resume` is 1 while the next attempt is such a restart, which sends only the pages
 * no attempt has had confirmed.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('restarts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('deliveries')
    .addColumn('resume', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
}
