/**
 * Schema violations → stable error codes. Ajv reports the first violation (allErrors is off);
 * its place in the document decides the code:
 *   - a property the schema does not know        → unknown_field
 *   - a required top-level property missing      → missing_field
 *   - `to` longer than 4000                       → too_many_destinations
 *   - `files` longer than 10                      → too_many_files
 *   - anything else inside top-level field F      → invalid_F (invalid_to, invalid_send_time, …)
 *   - the body itself not an object               → invalid_request_body
 * Query strings and path parameters get invalid_<name> the same way.
 */
import type { FastifySchemaValidationError } from 'fastify'
import { ApiError } from './api-error.js'
import { E164_PATTERN, EMAIL_PATTERN } from './schemas/payloads.js'
import { DESTINATION_PATTERN, FROM_PATTERN, SEND_TIME_PATTERN } from './schemas/payload-outbox.js'

/**
 * What a value that fails a pattern should look like, said to people: Ajv's own message shows
 * the regular expression. A pattern missing here gets "is not in the form the API documents".
 */
const PATTERN_MEANINGS: Readonly<Record<string, string>> = {
  [DESTINATION_PATTERN]:
    'must be a fax number in E.164 form: +, the country code and the number, digits only ' +
    '(e.g. +15555550100; post-dial digits after *, e.g. +15555550100*123)',
  [FROM_PATTERN]:
    'must be one of your numbers in E.164 form (e.g. +15555550150), several separated by ' +
    'commas, or no_number',
  [E164_PATTERN]:
    'must be a number in E.164 form, e.g. +15555550100 (digits; the + may be left out)',
  [SEND_TIME_PATTERN]:
    'must be a time as YYYY-MM-DD HH:MM:SS ±HHMM, e.g. 2026-12-24 09:30:00 +0100',
  [EMAIL_PATTERN]: 'must be an e-mail address, e.g. name@example.com',
}

const LIMIT_CODES: Readonly<Record<string, string>> = {
  '/to': 'too_many_destinations',
  '/files': 'too_many_files',
}

export function validationToApiError(
  errors: readonly FastifySchemaValidationError[],
  context: string,
): ApiError {
  const first = errors[0]
  if (!first) {
    return new ApiError(400, 'invalid_request_body', 'The request is not valid')
  }
  const path = first.instancePath
  const field = path.split('/')[1] ?? ''
  const where = path === '' ? context : `${context} field ${path.slice(1).replace(/\//g, '.')}`
  const description =
    first.keyword === 'pattern'
      ? `${where} ${PATTERN_MEANINGS[String(first.params['pattern'])] ?? 'is not in the form the API documents'}`
      : `${where} ${first.message ?? 'is not valid'}`
  const params = first.params

  if (first.keyword === 'additionalProperties') {
    const name = String(params['additionalProperty'])
    return new ApiError(
      400,
      'unknown_field',
      `${where} has an unknown field ${JSON.stringify(name)}`,
    )
  }
  if (first.keyword === 'required' && path === '') {
    const name = String(params['missingProperty'])
    return new ApiError(
      400,
      'missing_field',
      `${context} is missing the required field ${JSON.stringify(name)}`,
    )
  }
  if (first.keyword === 'maxItems' && LIMIT_CODES[path]) {
    return new ApiError(400, LIMIT_CODES[path], description)
  }
  if (field === '') {
    return new ApiError(
      400,
      context === 'body' ? 'invalid_request_body' : `invalid_${context}`,
      description,
    )
  }
  return new ApiError(400, `invalid_${field}`, description)
}
