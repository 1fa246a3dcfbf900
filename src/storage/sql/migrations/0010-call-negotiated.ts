/**
 * What a call negotiated, kept whole: every attempt now keeps ECM and the resolution of its pages
 * beside the rate, coding and remote identity (`fax_attempts.ecm`, `.resolution`), and the call
 * in progress keeps what it negotiated as soon as it is connected (`deliveries.call_negotiated`,
 * a JSON object), so that an attempt whose worker died after the connection is recorded with it.
 *
 * Attempts made before have no ECM flag, except those coded MMR: T.30 sends T.6 (MMR) only with
 * error correction (DIS/DCS bit 31, "T.6 coding ... only with ECM"), so theirs was on. The rest
 * keep null, unknown, as does every earlier attempt's resolution.
 */
import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('fax_attempts').addColumn('ecm', 'integer').execute()
  await db.schema.alterTable('fax_attempts').addColumn('resolution', 'text').execute()
  await db.schema.alterTable('deliveries').addColumn('call_negotiated', 'text').execute()
  await sql`update fax_attempts set ecm = 1 where coding = 'mmr'`.execute(db)
}
