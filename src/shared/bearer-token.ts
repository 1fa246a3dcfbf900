/** Whether an Authorization header bears `token` (`Bearer <token>`), compared in constant time. */
import { timingSafeEqual } from 'node:crypto'

export function bearsToken(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/i.exec(header ?? '')
  if (match === null) {
    return false
  }
  const given = Buffer.from(match[1]!)
  const wanted = Buffer.from(token)
  return given.length === wanted.length && timingSafeEqual(given, wanted)
}
