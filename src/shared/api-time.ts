/**
 * Times on the wire. Fax.Plus answers in UTC as "YYYY-MM-DD HH:mm:ss", and outbox times carry
 * the offset as "YYYY-MM-DD HH:mm:ss +0000". Query filters (`after`, `before`) take the first form.
 * The API writes them (api/wire) and the client reads them (client/).
 */
export function formatUtc(ms: number): string {
  // Every record of a list carries three times: the date part comes from a small cache of days
  // and the time of day from arithmetic, instead of a Date and its ISO string each time (a
  // tenth of a faxes page's CPU). The same text as new Date(ms).toISOString() would give.
  if (!(Math.abs(ms) <= MAX_TIME_MS)) {
    throw new RangeError(`Invalid time value: ${ms}`) // as Date's own, NaN included
  }
  const day = Math.floor(ms / DAY_MS)
  let date = datesOfDays.get(day)
  if (date === undefined) {
    date = `${new Date(day * DAY_MS).toISOString().slice(0, 10)} `
    if (datesOfDays.size >= MAX_CACHED_DAYS) {
      datesOfDays.clear()
    }
    datesOfDays.set(day, date)
  }
  const second = Math.floor((ms - day * DAY_MS) / 1000)
  return `${date}${TWO_DIGITS[Math.floor(second / 3600)]}:${TWO_DIGITS[Math.floor(second / 60) % 60]}:${TWO_DIGITS[second % 60]}`
}

const DAY_MS = 86_400_000
/** ECMAScript's time value range: ±100,000,000 days from 1970. */
const MAX_TIME_MS = 8.64e15
const MAX_CACHED_DAYS = 4096
const datesOfDays = new Map<number, string>()
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'))

export function formatUtcWithOffset(ms: number): string {
  return `${formatUtc(ms)} +0000`
}

const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/

/** Parses "YYYY-MM-DD HH:mm:ss" as UTC; null when it is not a real date and time. */
export function parseUtc(text: string): number | null {
  const m = UTC_TIME.exec(text)
  if (!m) {
    return null
  }
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  return formatUtc(ms) === `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}` ? ms : null
}

const TIME_WITH_OFFSET = /^(.{19}) ([+-])(\d{2})(\d{2})$/

/**
 * Parses either form: "YYYY-MM-DD HH:mm:ss" as UTC, or with an offset after it (sendFax's
 * send_time allows any, "+0100" or "-0530"); null when it is not a real date and time.
 */
export function parseUtcWithOffset(text: string): number | null {
  const m = TIME_WITH_OFFSET.exec(text)
  if (!m) {
    return parseUtc(text)
  }
  const utc = parseUtc(m[1]!)
  const minutes = Number(m[3]) * 60 + Number(m[4])
  return utc === null || Number(m[4]) > 59 ? null : utc - (m[2] === '-' ? -1 : 1) * minutes * 60_000
}
