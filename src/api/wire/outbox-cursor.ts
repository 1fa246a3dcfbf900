/**
 * The cursor of outbox pages on the wire: an entry's place (submit time in milliseconds, and
 * id) as opaque base64url text, so that clients pass it back as they got it and faxd may change
 * what it holds.
 */
import type { OutboxPlace } from '../../domain/outbox-entry.js'
import { ApiError } from '../api-error.js'

export function outboxCursor(place: OutboxPlace): string {
  return Buffer.from(`${place.submittedAtMs}.${place.id}`, 'utf8').toString('base64url')
}

/** The place a cursor names; `invalid_cursor` for text no page of faxd's handed out. */
export function outboxPlaceOf(cursor: string): OutboxPlace {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : ''
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(text)
  if (match === null) {
    throw new ApiError(400, 'invalid_cursor', 'cursor is not one an outbox page handed out')
  }
  return { submittedAtMs: Number(match[1]), id: match[2] ?? '' }
}
