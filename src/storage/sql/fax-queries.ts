/**
 * The query of a fax list, apart from the repository that runs it so that a test can ask the
 * database how it runs it (test/storage/fax-list-plans.test.ts): newest first (started_at, then
 * id), each category on an index of its own (migration 0013), so the order needs no sort and an
 * empty category is one probe.
 */
import type { Kysely } from 'kysely'
import type { FaxQuery } from '../../domain/fax.js'
import type { Database } from './schema.js'

export function faxListQuery(db: Kysely<Database>, query: FaxQuery) {
  let select = db.selectFrom('faxes').selectAll().where('owner_uid', '=', query.ownerUid)
  if (query.category === 'inbox') {
    select = select.where('direction', '=', 'incoming').where('is_spam', '=', 0)
  } else if (query.category === 'sent') {
    select = select.where('direction', '=', 'outgoing')
  } else if (query.category === 'spam') {
    // A flag is 0 or 1; `= 1` (not `<> 0`) lets the (owner_uid, is_spam, …) index serve it.
    select = select.where('is_spam', '=', 1)
  }
  if (query.afterMs !== null) {
    select = select.where('started_at', '>', query.afterMs)
  }
  if (query.beforeMs !== null) {
    select = select.where('started_at', '<', query.beforeMs)
  }
  const below = query.below
  if (below !== null) {
    select = select.where((eb) =>
      eb.or([
        eb('started_at', '<', below.atMs),
        eb.and([eb('started_at', '=', below.atMs), eb('id', '<', below.id)]),
      ]),
    )
  }
  return select.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(query.limit)
}
