/**
 * The cursor of list pages on the wire (outbox and fax records, beyond Fax.Plus): a record's
 * place in its list (a time in milliseconds, and an id) as opaque base64url text, so that
 * clients pass it back as they got it and faxd may change what it holds.
 */
import type { ListPlace } from '../../domain/list-place.js'
import { ApiError } from '../api-error.js'

export function pageCursor(place: ListPlace): string {
  return Buffer.from(`${place.atMs}.${place.id}`, 'utf8').toString('base64url')
}

/** The place a cursor names; `invalid_cursor` for text no page of faxd's handed out. */
export function placeOfCursor(cursor: string): ListPlace {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : ''
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(text)
  if (match === null) {
    throw new ApiError(400, 'invalid_cursor', 'cursor is not one a page of this list handed out')
  }
  return { atMs: Number(match[1]), id: match[2] ?? '' }
}

/** RFC 8288's Link header to the next page: `path` with the query and the cursor. */
export function nextPageLink(path: string, query: Record<string, string>, next: ListPlace): string {
  const params = new URLSearchParams({ ...query, cursor: pageCursor(next) })
  return `<${path}?${params.toString()}>; rel="next"`
}

/** The Link header of a listing's answer, for the OpenAPI document. */
export const NEXT_PAGE_LINK_HEADER = {
  Link: {
    description:
      'RFC 8288: <URL>; rel="next" when more records follow; absent on the last page (beyond Fax.Plus)',
    schema: { type: 'string' },
  },
} as const
