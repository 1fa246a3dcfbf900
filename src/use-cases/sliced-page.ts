/**
 * A page of a list read a slice at a time, with the event loop's waiting requests served
 * between slices (shared/event-loop.ts). A page of 1000 records is milliseconds of work
 * (reading the rows, writing their JSON); in one go it would make every other request wait that
 * long behind it. Each slice is one keyset read starting after the slice before, the same read
 * as a page of that size, so a record changed while the page is read shows as one read of it
 * says, once.
 */
import { nextSlice } from '../shared/event-loop.js'

export interface Slice<T> {
  readonly items: readonly T[]
  /** Whether records follow the slice's last one. */
  readonly more: boolean
}

/**
 * Records per read: the first slice is as large as a usual page, so that a page of that size is
 * one read, as cheap as before slices (on PostgreSQL every read is a round trip); the slices
 * after it are small, so that each holds the event loop briefly.
 */
export interface SliceSizes {
  readonly first: number
  readonly rest: number
}

/**
 * Reads `limit` records a slice at a time: `read(n, previous)` answers up to n records after
 * `previous` (the slice before's last record; null for the first slice, which starts where the
 * page does), and `take` gets each slice's records in order. Answers the page's last record
 * when more records follow it (where the next page starts), else null.
 */
export async function readSliced<T>(
  limit: number,
  sizes: SliceSizes,
  read: (n: number, previous: T | null) => Promise<Slice<T>>,
  take: (items: readonly T[]) => void,
): Promise<T | null> {
  let previous: T | null = null
  let remaining = limit
  for (;;) {
    const size = previous === null ? sizes.first : sizes.rest
    const slice = await read(Math.min(size, remaining), previous)
    take(slice.items)
    remaining -= slice.items.length
    const last = slice.items.at(-1)
    if (!slice.more || last === undefined) {
      return null
    }
    if (remaining === 0) {
      return last
    }
    previous = last
    await nextSlice()
  }
}
