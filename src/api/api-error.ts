/**
 * The one place where errors become HTTP answers. Every error body is the Fax.Plus Error shape,
 * `{"error": code, "description": text}`, and nothing else. DomainError codes map to a status
 * here; errors found by the API itself (bad JSON, schema violations, unknown routes) are
 * ApiErrors that carry their own status. docs/errors.md lists every code.
 */
import type { DomainErrorCode } from '../domain/domain-error.js'

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
  invalid_credentials: 401,
  invalid_user_id: 400,
  not_corporate_admin: 403,
  invalid_member: 400,
  invalid_from_number: 400,
  no_number_not_allowed: 400,
  duplicate_destination: 400,
  too_many_destinations: 400,
  too_many_files: 400,
  missing_document: 400,
  file_not_found: 400,
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
