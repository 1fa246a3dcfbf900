/** The `Authorization: Bearer <token>` header (RFC 6750 §2.1: b64token), parsed and compared. */
import { timingSafeEqual } from 'node:crypto'

/** RFC 6750's b64token after `Bearer` and whitespace; the token is the first group. */
export const BEARER = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i

/** Whether an Authorization header bears `token`, compared in constant time. */
export function bearsToken(header: string | undefined, token: string): boolean {
  const given = BEARER.exec(header ?? '')?.[1]
  if (given === undefined) {
    return false
  }
  const givenBytes = Buffer.from(given)
  const wanted = Buffer.from(token)
  return givenBytes.length === wanted.length && timingSafeEqual(givenBytes, wanted)
}
