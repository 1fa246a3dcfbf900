/**
 * The WWW-Authenticate value each 401 and 403 must carry, by error code, as
 * docs/authentication.md gives them. Shared by the tests that refuse requests (auth.test.ts on
 * every endpoint, www-authenticate.test.ts once per code).
 */
export const CHALLENGE_OF: Readonly<Record<string, string>> = {
  missing_token: 'Bearer realm="faxd"',
  malformed_token: 'Bearer realm="faxd", error="invalid_request"',
  invalid_token: 'Bearer realm="faxd", error="invalid_token"',
  token_expired:
    'Bearer realm="faxd", error="invalid_token", error_description="The access token expired"',
  client_id_required:
    'Bearer realm="faxd", error="invalid_request", error_description="OAuth2 access tokens need x-fax-clientid"',
  invalid_client_id:
    'Bearer realm="faxd", error="invalid_token", error_description="The access token belongs to another client"',
  account_inactive:
    'Bearer realm="faxd", error="invalid_token", error_description="The account is not active"',
  insufficient_scope: 'Bearer realm="faxd", error="insufficient_scope"',
  not_corporate_admin:
    'Bearer realm="faxd", error="insufficient_scope", error_description="Only a corporate admin may do this"',
  invalid_client: 'Basic realm="faxd"',
}

/** The sign-in page's 401 (wrong password, inactive account): a page, not an API error. */
export const SIGN_IN_PAGE_CHALLENGE = 'Form realm="faxd"'
