/** Times as the API writes them (UTC, "YYYY-MM-DD HH:mm:ss[ +0000]"), shown in local time. */

export function parseApiTime(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: ([+-])(\d{2})(\d{2}))?$/.exec(
    text,
  )
  if (!match) {
    return null
  }
  const [year = 0, month = 1, day = 1, hours = 0, minutes = 0, seconds = 0] = match
    .slice(1, 7)
    .map(Number)
  const sign = match[7] === '-' ? -1 : 1
  const offset = match[7] === undefined ? 0 : sign * (Number(match[8]) * 60 + Number(match[9]))
  return new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds) - offset * 60_000)
}

const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** "6 Dec 2026, 14:05" in the browser's language and time zone; the text itself if unreadable. */
export function localTime(text: string): string {
  const date = parseApiTime(text)
  return date === null ? text : FORMAT.format(date)
}
