/**
 * Times as the API writes them (UTC, "YYYY-MM-DD HH:mm:ss[ +0000]"), shown in local time. They
 * are read by the same code the server writes them with (src/shared/api-time.ts).
 */
import { parseUtcWithOffset } from '../../src/shared/api-time.js'

export function parseApiTime(text: string): Date | null {
  const ms = parseUtcWithOffset(text)
  return ms === null ? null : new Date(ms)
}

const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** "6 Dec 2026, 14:05" in the browser's language and time zone; the text itself if unreadable. */
export function localTime(text: string): string {
  const date = parseApiTime(text)
  return date === null ? text : FORMAT.format(date)
}
