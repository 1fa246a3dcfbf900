/**
 * Rule violations found by use cases. Each has a stable `code` from a closed list; the API maps
 * a code to an HTTP status and the Fax.Plus error body in one place (src/api/api-error.ts), and
 * docs/errors.md lists them all. Expected outcomes of a call (busy, no answer) are not errors.
 */
export type DomainErrorCode =
  // bearer credentials
  | 'invalid_token'
  | 'token_expired'
  | 'client_id_required'
  | 'invalid_client_id'
  | 'insufficient_scope'
  | 'account_inactive'
  // OAuth2 (RFC 6749 §5.2 names) and sign-in
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_redirect_uri'
  | 'invalid_credentials'
  | 'too_many_attempts'
  | 'weak_password'
  // who is asking, and for whom
  | 'invalid_user_id'
  | 'not_corporate_admin'
  | 'invalid_member'
  // account changes
  | 'invalid_settings'
  // sendFax
  | 'invalid_from'
  | 'invalid_to'
  | 'invalid_from_number'
  | 'no_number_not_allowed'
  | 'duplicate_destination'
  | 'too_many_destinations'
  | 'too_many_files'
  | 'missing_document'
  | 'file_not_found'
  | 'unsupported_file_type'
  // previews and downloads of pages
  | 'pages_not_ready'
  | 'page_not_found'
  | 'document_not_renderable'
  | 'previews_busy'
  | 'file_not_available'
  | 'from_fax_not_found'
  | 'files_too_large'
  | 'invalid_send_time'
  // resources addressed by id
  | 'number_not_found'
  | 'outbox_fax_not_found'
  | 'outbox_fax_sending'
  | 'fax_not_found'
  | 'webhook_not_found'
  | 'cannot_revoke_from_owner'
  | 'email_taken'
  | 'number_taken'
  | 'invalid_account_type'
  | 'invalid_target'

export class DomainError extends Error {
  readonly code: DomainErrorCode
  /** When trying again makes sense, and no sooner than this (an HTTP Retry-After). */
  readonly retryAfterSeconds: number | null
  constructor(
    code: DomainErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options)
    this.name = 'DomainError'
    this.code = code
    this.retryAfterSeconds = options?.retryAfterSeconds ?? null
  }
}
