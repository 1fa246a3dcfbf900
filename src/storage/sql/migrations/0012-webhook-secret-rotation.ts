/**
 * Webhook secret rotation: a hook keeps, beside the secret that signs its deliveries, the one the
 * last rotation replaced (`webhooks.previous_signing_secret`) and when that one stops signing
 * (`webhooks.previous_secret_valid_until`, milliseconds). Until then every delivery carries a
 * signature with each, so a receiver can switch to the new secret without refusing an event
 * (docs/webhooks.md). A previous secret past its time is no longer used; the next rotation
 * overwrites it. Hooks made before have no previous secret: both columns null.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhooks').addColumn('previous_signing_secret', 'text').execute()
  await db.schema
    .alterTable('webhooks')
    .addColumn('previous_secret_valid_until', 'bigint')
    .execute()
}
