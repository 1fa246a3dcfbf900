/**
 * The address of a list's next page, from an answer's `Link: <…>; rel="next"` header (RFC 8288),
 * as faxd writes it for the outbox and fax lists; null when the answer has none.
 */
import assert from 'node:assert/strict'
import type { LightMyRequestResponse } from 'fastify'

export function nextPage(response: LightMyRequestResponse): string | null {
  const link = response.headers.link
  if (link === undefined) {
    return null
  }
  const match = /^<([^>]+)>; rel="next"$/.exec(String(link))
  assert.ok(match, `Link: ${String(link)}`)
  return match[1] ?? null
}
