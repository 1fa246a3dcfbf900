/**
 * listOutbox: a page of a user's outbox entries, in the order they were submitted. Entries are
 * visible to their sender and the sender's corporate admin (the `user_id` of the path, as
 * resolve-user.ts reads it). A page ends where its `limit` says; the next one starts after its
 * last entry (`after`), so paging costs the same however long the outbox is, and an entry that
 * shares its submit time with the page's last one is neither skipped nor repeated. A long page
 * is read a slice at a time (sliced-page.ts).
 */
import type { ListPlace } from '../domain/list-place.js'
import type { OutboxEntry } from '../domain/outbox-entry.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'
import { readSliced, type SliceSizes } from './sliced-page.js'

/** The longest page, and the page a client that names no limit gets (Fax.Plus clients). */
export const MAX_OUTBOX_PAGE = 1000

/**
 * Entries read at a time: an entry is about 16 µs of work (its row, its status changes, its
 * JSON). The first slice is a page of 50 (about 0.8 ms), the rest under 0.2 ms each
 * (docs/benchmarks.md).
 */
export const OUTBOX_SLICES: SliceSizes = { first: 50, rest: 10 }

/**
 * Reads the page, handing each slice of entries to `take` in order; answers where the next page
 * starts, or null on the last page.
 */
export async function listOutbox(
  services: Services,
  actor: Actor,
  userId: string,
  page: { readonly limit: number; readonly after: ListPlace | null },
  take: (entries: readonly OutboxEntry[]) => void,
): Promise<{ readonly next: ListPlace | null }> {
  const user = await resolveUser(services, actor, userId)
  const last = await readSliced<OutboxEntry>(
    page.limit,
    OUTBOX_SLICES,
    async (limit, previous) => {
      const { entries, more } = await services.store.outbox.listByUser(user.uid, {
        limit,
        after: previous === null ? page.after : placeOf(previous),
      })
      return { items: entries, more }
    },
    take,
  )
  return { next: last === null ? null : placeOf(last) }
}

function placeOf(entry: OutboxEntry): ListPlace {
  return { atMs: entry.submittedAtMs, id: entry.id }
}
