/**
 * The query of a fax list, apart from the repository that runs it so that a test can ask the
 * database how it runs it (test/storage/fax-list-plans.test.ts): newest first (started_at, then
 * id), each category on an index of its own (migration 0013), so the order needs no sort and an
 * empty category is one probe. The repository runs it through runFaxList, compiled once per
 * shape.
 */
import type { Kysely, Selectable } from 'kysely'
import type { FaxQuery } from '../../domain/fax.js'
import { CompiledStatement, type Slots } from './compiled-statement.js'
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

type FaxListSlot = 'ownerUid' | 'afterMs' | 'beforeMs' | 'belowAtMs' | 'belowId' | 'limit'

/** The list's statements, one per shape: the category, and which bounds are given. */
const faxListStatements = new Map<
  string,
  CompiledStatement<FaxListSlot, Selectable<Database['faxes']>>
>()

/** Runs the list query, built and compiled once per shape (compiled-statement.ts). */
export async function runFaxList(
  db: Kysely<Database>,
  query: FaxQuery,
): Promise<Selectable<Database['faxes']>[]> {
  const { category } = query
  const after = query.afterMs !== null
  const before = query.beforeMs !== null
  const below = query.below !== null
  const shape = `${category ?? 'all'} after:${after} before:${before} below:${below}`
  let statement = faxListStatements.get(shape)
  if (statement === undefined) {
    statement = new CompiledStatement((handle, $: Slots<FaxListSlot>) =>
      faxListQuery(handle, {
        ownerUid: $.ownerUid,
        category,
        afterMs: after ? $.afterMs : null,
        beforeMs: before ? $.beforeMs : null,
        below: below ? { atMs: $.belowAtMs, id: $.belowId } : null,
        limit: $.limit,
      }),
    )
    faxListStatements.set(shape, statement)
  }
  return statement.execute(db, {
    ownerUid: query.ownerUid,
    afterMs: query.afterMs,
    beforeMs: query.beforeMs,
    belowAtMs: query.below?.atMs,
    belowId: query.below?.id,
    limit: query.limit,
  })
}
