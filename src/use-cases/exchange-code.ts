/**
 * exchangeCode: POST /token trades an authorization code (RFC 6749 §4.1.3), for the
 * authenticated client it was issued to, for an access token valid one hour and a refresh token.
 * A code works once and only until it expires; a redirect_uri, if given, must be the one the code
 * was issued for. Anything else is `invalid_grant`.
 */
import type { OAuthClient } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { sha256Hex } from '../shared/secrets.js'
import type { Services } from './context.js'
import { type TokenPair, issueTokenPair } from './issue-token-pair.js'

export async function exchangeCode(
  services: Services,
  client: OAuthClient,
  code: string,
  redirectUri: string | null,
): Promise<TokenPair> {
  const grant = await services.store.oauth.consumeCode(sha256Hex(code), client.clientId)
  const valid =
    grant !== null &&
    grant.clientId === client.clientId &&
    grant.expiresAtMs > services.clock.now() &&
    (redirectUri === null || redirectUri === grant.redirectUri)
  if (!valid) {
    throw new DomainError('invalid_grant', 'The authorization code is invalid, expired or used')
  }
  const pair = issueTokenPair(services, client, grant.uid, grant.scope)
  await services.store.tokens.create(...pair.rows)
  return pair.answer
}
