/**
 * checkAuthorizationRequest: the parameters of GET and POST /login (RFC 6749 §4.1.1), checked in
 * the order §4.1.2.1 sets. A request whose client or redirect URI is wrong is refused outright
 * (DomainError: the page says why and nothing is sent anywhere, since the redirect URI cannot be
 * trusted). Past that, every error goes back to the client on its redirect URI, as
 * `error=…&error_description=…`: a missing or other response_type (`invalid_request`,
 * `unsupported_response_type`), an unknown scope (`invalid_scope`), an unusable PKCE challenge
 * or none from a public client (`invalid_request`).
 */
import type { OAuthClient } from '../domain/credentials.js'
import { readCodeChallenge } from '../domain/pkce.js'
import { parseRequestedScope } from '../domain/scopes.js'
import type { Services } from './context.js'
import { findAuthorizingClient } from './find-authorizing-client.js'

export interface AuthorizationRequestParams {
  readonly clientId: string
  readonly redirectUri: string | null
  readonly responseType: string | undefined
  readonly scope: string | undefined
  readonly codeChallenge: string | undefined
  readonly codeChallengeMethod: string | undefined
}

/** A request the sign-in page may act on. */
export interface AuthorizationRequest {
  readonly client: OAuthClient
  readonly redirectUri: string
  /** Whether the request named it (false when the client's only URI was taken by default). */
  readonly redirectUriGiven: boolean
  readonly scopes: readonly string[]
  readonly codeChallenge: string | null
}

export type AuthorizationRequestCheck =
  | { readonly valid: true; readonly request: AuthorizationRequest }
  | {
      readonly valid: false
      readonly redirectUri: string
      readonly error: 'invalid_request' | 'unsupported_response_type' | 'invalid_scope'
      readonly description: string
    }

export async function checkAuthorizationRequest(
  services: Services,
  params: AuthorizationRequestParams,
): Promise<AuthorizationRequestCheck> {
  const { client, redirectUri } = await findAuthorizingClient(
    services,
    params.clientId,
    params.redirectUri,
  )
  const refuse = (
    error: 'invalid_request' | 'unsupported_response_type' | 'invalid_scope',
    description: string,
  ): AuthorizationRequestCheck => ({ valid: false, redirectUri, error, description })
  if (params.responseType === undefined || params.responseType === '') {
    return refuse('invalid_request', 'response_type is required')
  }
  if (params.responseType !== 'code') {
    return refuse('unsupported_response_type', 'response_type must be code')
  }
  const scope = parseRequestedScope(params.scope)
  if ('unknown' in scope) {
    return refuse('invalid_scope', `Unknown scope: ${scope.unknown.join(' ')}`)
  }
  const pkce = readCodeChallenge(params.codeChallenge, params.codeChallengeMethod)
  if ('problem' in pkce) {
    return refuse('invalid_request', pkce.problem)
  }
  if (client.type === 'public' && pkce.challenge === null) {
    return refuse(
      'invalid_request',
      'A public client must send a PKCE code_challenge with code_challenge_method=S256 (RFC 9700 §2.1.1)',
    )
  }
  return {
    valid: true,
    request: {
      client,
      redirectUri,
      redirectUriGiven: params.redirectUri !== null && params.redirectUri !== '',
      scopes: scope.granted,
      codeChallenge: pkce.challenge,
    },
  }
}
