/**
 * Times on the wire. Fax.Plus answers in UTC as "YYYY-MM-DD HH:mm:ss", and outbox times carry
 * the offset as "YYYY-MM-DD HH:mm:ss +0000". Query filters (`after`, `before`) take the first form.
 */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

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
