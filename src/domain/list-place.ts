/**
 * Where a record stands in a list ordered by a time and then by id: the place a page ends, from
 * which the next one starts. A time alone would not do: records share milliseconds, and the
 * Fax.Plus `before`/`after` filters only seconds, so a page that ends inside a second would skip
 * or repeat the records that share it.
 */
export interface ListPlace {
  readonly atMs: number
  readonly id: string
}
