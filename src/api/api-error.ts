/**
 * The one place where errors become HTTP answers (errorAnswer; schema violations are turned into
 * ApiErrors by validation-error.ts before they get here). Every error body is the Fax.Plus Error shape,
 * `{"error": code, "description": text}`, and nothing else. DomainError codes map to a status
 * here; errors found by the API itself (bad JSON, schema violations, unknown routes) are
 * ApiErrors that carry their own status. A store that cannot answer now (StoreUnavailableError)
 * is 503 `service_unavailable` with Retry-After. docs/errors.md lists every code.
 */
import { DomainError, type DomainErrorCode } from '../domain/domain-error.js'
import { StoreUnavailableError } from '../domain/store-unavailable.js'
import { redactSecrets } from '../shared/secret-redaction.js'

export class ApiError extends Error {
  readonly statusCode: number
  readonly code: string
  constructor(statusCode: number, code: string, description: string) {
    super(description)
    this.name = 'ApiError'
    this.statusCode = statusCode
    this.code = code
  }
}

export interface ErrorBody {
  error: string
  description: string
}

export const DOMAIN_ERROR_STATUS: Readonly<Record<DomainErrorCode, number>> = {
  invalid_token: 401,
  token_expired: 401,
  client_id_required: 401,
  invalid_client_id: 401,
  insufficient_scope: 403,
  account_inactive: 403,
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  invalid_redirect_uri: 400,
  invalid_credentials: 401,
  too_many_attempts: 429,
  weak_password: 400,
  invalid_user_id: 400,
  not_corporate_admin: 403,
  invalid_member: 400,
  invalid_settings: 400,
  invalid_from: 400,
  invalid_to: 400,
  invalid_from_number: 400,
  no_number_not_allowed: 400,
  duplicate_destination: 400,
  too_many_destinations: 400,
  too_many_files: 400,
  missing_document: 400,
  file_not_found: 400,
  unsupported_file_type: 415,
  pages_not_ready: 409,
  page_not_found: 404,
  document_not_renderable: 422,
  previews_busy: 503,
  file_not_available: 404,
  from_fax_not_found: 400,
  files_too_large: 413,
  invalid_send_time: 400,
  number_not_found: 404,
  outbox_fax_not_found: 404,
  outbox_fax_sending: 409,
  fax_not_found: 404,
  webhook_not_found: 404,
  cannot_revoke_from_owner: 400,
  email_taken: 409,
  number_taken: 409,
  invalid_account_type: 400,
  invalid_target: 400,
}

/** The protection space of every challenge faxd sends (RFC 9110 §11.5). */
const REALM = 'faxd'

/**
 * What a 401 or 403 says in WWW-Authenticate, by error code. RFC 9110 §11.6.1 asks a challenge
 * of every 401; RFC 6750 §3 gives bearer-token resources theirs, with `error` saying why: none
 * when no credentials came, `invalid_request` when the request itself is wrong,
 * `invalid_token` when the token cannot be used (also for a suspended account: no call with
 * it will succeed), `insufficient_scope` when it can be used, just not for this (also for
 * calls reserved to corporate admins: "the request requires higher privileges than provided
 * by the access token"). The token endpoint authenticates clients with HTTP Basic (RFC 6749
 * §5.2). docs/authentication.md lists them.
 */
const CHALLENGES: Readonly<Record<string, string>> = {
  missing_token: bearer(),
  malformed_token: bearer('invalid_request'),
  invalid_token: bearer('invalid_token'),
  token_expired: bearer('invalid_token', 'The access token expired'),
  client_id_required: bearer('invalid_request', 'OAuth2 access tokens need x-fax-clientid'),
  invalid_client_id: bearer('invalid_token', 'The access token belongs to another client'),
  account_inactive: bearer('invalid_token', 'The account is not active'),
  insufficient_scope: bearer('insufficient_scope'),
  not_corporate_admin: bearer('insufficient_scope', 'Only a corporate admin may do this'),
  invalid_client: `Basic realm="${REALM}"`,
}

/**
 * The sign-in page (POST /login) answers wrong credentials with 401 and the page again. No
 * HTTP authentication scheme applies to an HTML form, so its challenge names one that no
 * client implements: browsers show the page rather than a password dialog.
 */
export const SIGN_IN_PAGE_CHALLENGE = `Form realm="${REALM}"`

/** A Bearer challenge; the texts are ours, so they need no quoting beyond the quotes. */
function bearer(error?: string, description?: string): string {
  const parts = [`realm="${REALM}"`]
  if (error !== undefined) {
    parts.push(`error="${error}"`)
  }
  if (description !== undefined) {
    parts.push(`error_description="${description}"`)
  }
  return `Bearer ${parts.join(', ')}`
}

/** Framework errors that a client can cause, with the code we answer them with. */
const FRAMEWORK_CODES: Readonly<Record<string, [number, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'request_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_request_body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json'],
  FST_REQ_FILE_TOO_LARGE: [413, 'files_too_large'],
  FST_FILES_LIMIT: [400, 'too_many_files'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [415, 'unsupported_media_type'],
  FST_PROTO_VIOLATION: [400, 'invalid_request_body'],
  FST_FIELDS_LIMIT: [400, 'invalid_request_body'],
  FST_PARTS_LIMIT: [400, 'invalid_request_body'],
  FST_ERR_BAD_URL: [400, 'invalid_url'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'uri_too_long'],
}

export interface ErrorAnswer {
  readonly statusCode: number
  readonly body: ErrorBody
  readonly headers: Record<string, string>
}

/**
 * How long a client should wait before trying again when the database cannot be reached or is
 * locked (a restart takes seconds), and when its disk is full (an operator must make room).
 */
export const STORE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5
export const STORE_FULL_RETRY_AFTER_SECONDS = 60

/** The answer to a request that the store could not serve now: 503 with Retry-After. */
export function storeUnavailableAnswer(error: StoreUnavailableError): ErrorAnswer {
  const retryAfterSeconds =
    error.reason === 'full' ? STORE_FULL_RETRY_AFTER_SECONDS : STORE_UNAVAILABLE_RETRY_AFTER_SECONDS
  return {
    statusCode: 503,
    body: {
      error: 'service_unavailable',
      description:
        error.reason === 'full'
          ? "The server's disk is full; nothing was changed. Try again later"
          : 'The database cannot answer now; nothing was changed. Try again shortly',
    },
    headers: { 'retry-after': String(retryAfterSeconds) },
  }
}

/** Any error thrown while answering a request → its status, Error body and headers. */
export function errorAnswer(error: Error & { statusCode?: number; code?: string }): ErrorAnswer {
  if (error instanceof StoreUnavailableError) {
    return storeUnavailableAnswer(error)
  }
  const { statusCode, body: raw } = statusAndBody(error)
  // A description may quote what the request sent (a URL, a parameter); no secret goes back out.
  const body = { error: raw.error, description: redactSecrets(raw.description) }
  const challenge =
    CHALLENGES[body.error] ?? (statusCode === 401 || statusCode === 403 ? bearer() : undefined)
  const headers: Record<string, string> = challenge ? { 'www-authenticate': challenge } : {}
  if (error instanceof DomainError && error.retryAfterSeconds !== null) {
    headers['retry-after'] = String(error.retryAfterSeconds)
  }
  return { statusCode, body, headers }
}

function statusAndBody(error: Error & { statusCode?: number; code?: string }): {
  statusCode: number
  body: ErrorBody
} {
  if (error instanceof ApiError) {
    return { statusCode: error.statusCode, body: { error: error.code, description: error.message } }
  }
  if (error instanceof DomainError) {
    return {
      statusCode: DOMAIN_ERROR_STATUS[error.code],
      body: { error: error.code, description: error.message },
    }
  }
  const known = error.code === undefined ? undefined : FRAMEWORK_CODES[error.code]
  if (known) {
    return { statusCode: known[0], body: { error: known[1], description: error.message } }
  }
  const statusCode = error.statusCode ?? 500
  if (statusCode >= 400 && statusCode < 500) {
    return { statusCode, body: { error: 'bad_request', description: error.message } }
  }
  return {
    statusCode: 500,
    body: {
      error: 'internal_server_error',
      description: 'An unexpected error happened; it has been logged',
    },
  }
}
