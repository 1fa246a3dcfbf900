/**
 * Transmission: a delivery knows whether it is being called, how many attempts it has had and
 * which pages have been confirmed; every attempt is kept in `fax_attempts` under the fax id (the
 * delivery's id), where it outlives the delivery row once the fax has its record.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('calling', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('deliveries')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('deliveries')
    .addColumn('pages_confirmed', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute()
  await db.schema
    .createTable('fax_attempts')
    .addColumn('fax_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('carrier', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pages_confirmed', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('remote_station_id', 'text')
    .addColumn('bit_rate', 'integer')
    .addColumn('coding', 'text')
    .addPrimaryKeyConstraint('fax_attempts_pkey', ['fax_id', 'attempt'])
    .execute()
}
