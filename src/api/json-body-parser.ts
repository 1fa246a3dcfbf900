/**
 * The application/json body parser, with what the official SDKs need: the Python SDK sends
 * `Content-Type: application/json` with an empty body on GET and DELETE (no body, not an
 * error), a byte order mark is dropped, and a body that is not JSON is a 400 invalid_json
 * rather than a framework error. Text that cannot be stored is refused here for JSON bodies.
 */
import type { FastifyInstance } from 'fastify'
import { ApiError } from './api-error.js'
import { refuseUnstorableJson } from './storable-text.js'

/** Only a body that escapes U+0000 or a surrogate pays for the reviver's walk. */
const MAY_HOLD_UNSTORABLE = /\\u(0000|d[89a-f])/i

export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const raw = typeof text === 'string' ? text : text.toString('utf8')
    const source = raw.startsWith('\uFEFF') ? raw.slice(1) : raw
    if (source.trim() === '') {
      done(null, undefined)
      return
    }
    try {
      const body: unknown = MAY_HOLD_UNSTORABLE.test(source)
        ? JSON.parse(source, refuseUnstorableJson)
        : JSON.parse(source)
      done(null, body)
    } catch (error) {
      if (error instanceof ApiError) {
        done(error, undefined)
        return
      }
      const reason = error instanceof Error ? error.message : 'unreadable'
      done(new ApiError(400, 'invalid_json', `The body is not valid JSON: ${reason}`), undefined)
    }
  })
}
