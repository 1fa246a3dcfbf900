/**
 * Indexes that serve each fax list directly, newest first, with the id in the index so that
 * records sharing a start time need no sort and a page can start below a record's place
 * (the cursor of GET …/faxes):
 * - every record of an owner: (owner_uid, started_at, id), in place of (owner_uid, started_at);
 * - `sent`: (owner_uid, direction, started_at, id);
 * - `inbox`: (owner_uid, direction, is_spam, started_at, id), exactly its two conditions (with
 *   the spam index alone, an inbox among many sent faxes would step over all of them);
 * - `spam`: (owner_uid, is_spam, started_at, id), so that an empty spam folder is one index
 *   probe instead of a walk through all of the owner's records.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('faxes_owner_uid_started_at_idx').execute()
  await db.schema
    .createIndex('faxes_owner_started_id_idx')
    .on('faxes')
    .columns(['owner_uid', 'started_at', 'id'])
    .execute()
  await db.schema
    .createIndex('faxes_owner_direction_started_id_idx')
    .on('faxes')
    .columns(['owner_uid', 'direction', 'started_at', 'id'])
    .execute()
  await db.schema
    .createIndex('faxes_owner_direction_spam_started_id_idx')
    .on('faxes')
    .columns(['owner_uid', 'direction', 'is_spam', 'started_at', 'id'])
    .execute()
  await db.schema
    .createIndex('faxes_owner_spam_started_id_idx')
    .on('faxes')
    .columns(['owner_uid', 'is_spam', 'started_at', 'id'])
    .execute()
}
