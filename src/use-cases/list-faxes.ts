/**
 * listFaxes: a page of the fax archive of a user, records of sent and received faxes, newest
 * first, filtered by category and time. Records are visible to their owner and the owner's
 * corporate admin (the `user_id` of the path, as resolve-user.ts reads it). A page holds at
 * most `limit` records; the next one starts below its last record (`below`, its start time to
 * the millisecond and its id), so records that share a second are neither skipped nor repeated,
 * as they would be by a client that pages with `before` and a record's time.
 */
import type { FaxCategory, FaxRecord } from '../domain/fax.js'
import type { ListPlace } from '../domain/list-place.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'

export interface FaxListFilter {
  readonly category: FaxCategory | null
  readonly afterMs: number | null
  readonly beforeMs: number | null
  readonly below: ListPlace | null
  readonly limit: number
}

export interface FaxPage {
  readonly records: readonly FaxRecord[]
  /** Where the next page starts; null on the last page. */
  readonly next: ListPlace | null
}

export async function listFaxes(
  services: Services,
  actor: Actor,
  userId: string,
  filter: FaxListFilter,
): Promise<FaxPage> {
  const user = await resolveUser(services, actor, userId)
  // One record past the page says whether another page follows.
  const found = await services.store.faxes.list({
    ownerUid: user.uid,
    ...filter,
    limit: filter.limit + 1,
  })
  const records = found.slice(0, filter.limit)
  const last = records.at(-1)
  return {
    records,
    next:
      found.length > filter.limit && last !== undefined
        ? { atMs: last.startedAtMs, id: last.id }
        : null,
  }
}
