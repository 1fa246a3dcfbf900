import { DomainError } from './domain-error.js'

/**
 * `send_time` is "YYYY-MM-DD HH:mm:ss +HHMM" (or -HHMM). The seed's pattern only checks the
 * shape; here the fields must also form a real date and time, and nothing may follow the offset.
 */
const SEND_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/

export function parseSendTime(text: string): number {
  const m = SEND_TIME.exec(text)
  if (!m) {
    throw new DomainError('invalid_send_time', 'send_time must be "YYYY-MM-DD HH:mm:ss +HHMM"')
  }
  const [year, month, day, hour, minute, second, offHours, offMinutes] = [
    m[1],
    m[2],
    m[3],
    m[4],
    m[5],
    m[6],
    m[8],
    m[9],
  ].map(Number) as [number, number, number, number, number, number, number, number]
  const sign = m[7] === '-' ? -1 : 1
  // Not Date.UTC: it reads the years 0–99 as 1900–1999.
  const check = new Date(0)
  check.setUTCFullYear(year, month - 1, day)
  check.setUTCHours(hour, minute, second)
  const localMs = check.getTime()
  const valid =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60 &&
    offHours <= 14 &&
    offMinutes < 60
  if (!valid) {
    throw new DomainError(
      'invalid_send_time',
      `send_time ${JSON.stringify(text)} is not a real date and time`,
    )
  }
  const utcMs = localMs - sign * (offHours * 60 + offMinutes) * 60_000
  if (new Date(utcMs).getUTCFullYear() > 9999) {
    // Times are answered as "YYYY-MM-DD HH:mm:ss": four digits of year, in UTC.
    throw new DomainError(
      'invalid_send_time',
      `send_time ${JSON.stringify(text)} is after the year 9999 in UTC`,
    )
  }
  return utcMs
}
