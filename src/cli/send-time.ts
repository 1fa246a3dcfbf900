/**
 * `faxd send --at TIME`: when to send, as a person writes it, turned into sendFax's send_time
 * ("YYYY-MM-DD HH:mm:ss +HHMM", written here in UTC). Accepted:
 *
 *   +30m, +2h, +1d, +90s        from now
 *   14:30, 14:30:15             the next such time of day here (today, else tomorrow)
 *   2026-12-24 09:00[:00]       a date and time here, or with Z, +01:00 or +0100 after it
 *   2026-12-24T09:00:00Z        ISO 8601
 *
 * "Here" is the local time zone of the machine the command runs on. A time more than a minute
 * in the past is refused (the API would send at once, which is seldom what was meant).
 */
import { UsageError } from './usage-error.js'

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

/** The instant `text` names, in ms since the epoch; a UsageError when it names none. */
export function parseSendTime(text: string, nowMs: number): number {
  const written = text.trim()
  const relative = /^\+(\d{1,6})([smhd])$/.exec(written)
  if (relative) {
    return nowMs + Number(relative[1]) * UNIT_MS[relative[2]!]!
  }
  const timeOfDay = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(written)
  if (timeOfDay) {
    const [hours, minutes, seconds] = [timeOfDay[1], timeOfDay[2], timeOfDay[3] ?? '0'].map(Number)
    checkClock(written, hours!, minutes!, seconds!)
    const now = new Date(nowMs)
    const on = (days: number) =>
      localTime(
        text,
        now.getFullYear(),
        now.getMonth() + 1,
        now.getDate() + days,
        hours!,
        minutes!,
        seconds!,
      )
    const today = on(0)
    return today > nowMs ? today : on(1)
  }
  const dated =
    /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      written,
    )
  if (!dated) {
    throw new UsageError(
      `--at ${JSON.stringify(text)} is not a time faxd reads: write +30m, 14:30, ` +
        '"2026-12-24 09:00" or 2026-12-24T09:00:00Z',
    )
  }
  const [year, month, day, hours, minutes] = dated.slice(1, 6).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ]
  const seconds = Number(dated[6] ?? '0')
  checkClock(written, hours, minutes, seconds)
  const calendar = new Date(Date.UTC(year, month - 1, day))
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    throw new UsageError(`--at ${JSON.stringify(text)}: there is no such day`)
  }
  const zone = dated[7]
  let atMs: number
  if (zone === undefined) {
    atMs = localTime(text, year, month, day, hours, minutes, seconds)
  } else {
    const offsetMinutes = zone.toUpperCase() === 'Z' ? 0 : zoneMinutes(zone)
    atMs = Date.UTC(year, month - 1, day, hours, minutes, seconds) - offsetMinutes * 60_000
  }
  if (atMs < nowMs - 60_000) {
    throw new UsageError(
      `--at ${JSON.stringify(text)} is in the past${zone === undefined ? ` (read as local time, ${localZone()})` : ''}`,
    )
  }
  return atMs
}

/** An instant as sendFax's send_time: "YYYY-MM-DD HH:mm:ss +0000". */
export function formatSendTime(atMs: number): string {
  return `${new Date(atMs).toISOString().slice(0, 19).replace('T', ' ')} +0000`
}

/**
 * A date and time on this machine's clock; refused when the clock never shows it (the hour
 * skipped when daylight saving time starts). In the hour repeated when it ends, the first.
 */
function localTime(
  text: string,
  year: number,
  month: number,
  day: number,
  hours: number,
  minutes: number,
  seconds: number,
): number {
  const at = new Date(year, month - 1, day, hours, minutes, seconds)
  if (at.getHours() !== hours || at.getMinutes() !== minutes) {
    throw new UsageError(
      `--at ${JSON.stringify(text)}: the clocks here (${localZone()}) skip that time that day`,
    )
  }
  return at.getTime()
}

function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone
}

function checkClock(text: string, hours: number, minutes: number, seconds: number): void {
  if (hours > 23 || minutes > 59 || seconds > 59) {
    throw new UsageError(`--at ${JSON.stringify(text)}: no clock shows that time`)
  }
}

function zoneMinutes(zone: string): number {
  const digits = zone.replace(':', '')
  const sign = digits.startsWith('-') ? -1 : 1
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)))
}
