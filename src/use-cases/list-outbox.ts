/**
 * listOutbox: a page of a user's outbox entries, in the order they were submitted. Entries are
 * visible to their sender and the sender's corporate admin (the `user_id` of the path, as
 * resolve-user.ts reads it). A page ends where its `limit` says; the next one starts after its
 * last entry (`after`), so paging costs the same however long the outbox is, and an entry that
 * shares its submit time with the page's last one is neither skipped nor repeated.
 */
import type { ListPlace } from '../domain/list-place.js'
import type { OutboxEntry } from '../domain/outbox-entry.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'

/** The longest page, and the page a client that names no limit gets (Fax.Plus clients). */
export const MAX_OUTBOX_PAGE = 1000

export interface OutboxPage {
  readonly entries: readonly OutboxEntry[]
  /** Where the next page starts; null on the last page. */
  readonly next: ListPlace | null
}

export async function listOutbox(
  services: Services,
  actor: Actor,
  userId: string,
  page: { readonly limit: number; readonly after: ListPlace | null },
): Promise<OutboxPage> {
  const user = await resolveUser(services, actor, userId)
  const { entries, more } = await services.store.outbox.listByUser(user.uid, page)
  const last = entries.at(-1)
  return {
    entries,
    next: more && last !== undefined ? { atMs: last.submittedAtMs, id: last.id } : null,
  }
}
