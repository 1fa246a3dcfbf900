/**
 * refreshTokens: POST /token trades a refresh token (RFC 6749 §6), for the authenticated client
 * it was issued to, for a new token pair. Each refresh rotates the refresh token: the old one is
 * revoked as the new pair is stored, so a refresh token works once (`invalid_grant` after).
 */
import type { OAuthClient } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { sha256Hex } from '../shared/secrets.js'
import type { Services } from './context.js'
import { type TokenPair, issueTokenPair } from './issue-token-pair.js'

export async function refreshTokens(
  services: Services,
  client: OAuthClient,
  refreshToken: string,
): Promise<TokenPair> {
  const old = await services.store.tokens.findBySecretHash(sha256Hex(refreshToken))
  const nowMs = services.clock.now()
  if (
    !old ||
    old.kind !== 'oauth_refresh' ||
    old.clientId !== client.clientId ||
    old.revokedAtMs !== null
  ) {
    throw new DomainError('invalid_grant', 'The refresh token is invalid or was already used')
  }
  const pair = issueTokenPair(services, client, old.uid, old.scopes.join(' '))
  if (!(await services.store.tokens.replace(old.id, nowMs, pair.rows))) {
    throw new DomainError('invalid_grant', 'The refresh token is invalid or was already used')
  }
  return pair.answer
}
