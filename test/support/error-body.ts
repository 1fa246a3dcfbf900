/**
 * The shape every error answer must have: a JSON object with exactly the keys `error` (a code)
 * and `description` (non-empty text). /token may add RFC 6749's `error_description`.
 */
import type { LightMyRequestResponse } from 'fastify'

export const ERROR_KEYS: readonly string[] = ['description', 'error']
export const TOKEN_ERROR_KEYS: readonly string[] = ['description', 'error', 'error_description']

/** Why the answer's body is not a proper error body, or null when it is one. */
export function errorBodyProblem(
  response: LightMyRequestResponse,
  allowedKeySets: readonly (readonly string[])[] = [ERROR_KEYS],
): string | null {
  let body: unknown
  try {
    body = JSON.parse(response.body)
  } catch {
    return 'the error body is not JSON'
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'the error body is not a JSON object'
  }
  const keys = JSON.stringify(Object.keys(body).sort())
  if (!allowedKeySets.some((allowed) => JSON.stringify(allowed) === keys)) {
    const expected = allowedKeySets.map((allowed) => allowed.join(' and ')).join(' or ')
    return `the error body has keys ${keys}, expected exactly ${expected}`
  }
  const { error, description } = body as Record<string, unknown>
  if (typeof error !== 'string' || !/^[a-z][a-z0-9_]*$/.test(error)) {
    return `error ${JSON.stringify(error)} is not a code`
  }
  if (typeof description !== 'string' || description.trim() === '') {
    return 'description is not a non-empty string'
  }
  return null
}
