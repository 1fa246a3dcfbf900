/**
 * listFaxes: a page of the fax archive of a user, records of sent and received faxes, newest
 * first, filtered by category and time. Records are visible to their owner and the owner's
 * corporate admin (the `user_id` of the path, as resolve-user.ts reads it). A page holds at
 * most `limit` records; the next one starts below its last record (`below`, its start time to
 * the millisecond and its id), so records that share a second are neither skipped nor repeated,
 * as they would be by a client that pages with `before` and a record's time. A long page is
 * read a slice at a time (sliced-page.ts).
 */
import type { FaxCategory, FaxRecord } from '../domain/fax.js'
import type { ListPlace } from '../domain/list-place.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'
import { readSliced, type SliceSizes } from './sliced-page.js'

/**
 * Records read at a time: a record is about 6 µs of work (its row, its JSON). The first slice
 * is the default page of 50 (about 0.3 ms), the rest 25 each.
 */
export const FAX_SLICES: SliceSizes = { first: 50, rest: 25 }

export interface FaxListFilter {
  readonly category: FaxCategory | null
  readonly afterMs: number | null
  readonly beforeMs: number | null
  readonly below: ListPlace | null
  readonly limit: number
}

/**
 * Reads the page, handing each slice of records to `take` in order; answers where the next page
 * starts, or null on the last page.
 */
export async function listFaxes(
  services: Services,
  actor: Actor,
  userId: string,
  filter: FaxListFilter,
  take: (records: readonly FaxRecord[]) => void,
): Promise<{ readonly next: ListPlace | null }> {
  const user = await resolveUser(services, actor, userId)
  const last = await readSliced<FaxRecord>(
    filter.limit,
    FAX_SLICES,
    async (limit, previous) => {
      // One record past the slice says whether more follow.
      const found = await services.store.faxes.list({
        ownerUid: user.uid,
        ...filter,
        below: previous === null ? filter.below : placeOf(previous),
        limit: limit + 1,
      })
      return { items: found.slice(0, limit), more: found.length > limit }
    },
    take,
  )
  return { next: last === null ? null : placeOf(last) }
}

function placeOf(record: FaxRecord): ListPlace {
  return { atMs: record.startedAtMs, id: record.id }
}
