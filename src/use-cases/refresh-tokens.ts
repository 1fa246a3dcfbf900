/**
 * refreshTokens: POST /token trades a refresh token (RFC 6749 §6), for the authenticated client
 * it was issued to, for a new token pair of the same family and scopes. Each refresh rotates the
 * refresh token: the old one is revoked as the new pair is stored, so it works once. A revoked
 * refresh token that comes back was copied by someone: the family, every token descending from
 * the same sign-in, is revoked (RFC 9700 §4.14.2: "the authorization server cannot determine
 * which party submitted the invalid refresh token, it will revoke the active refresh token"),
 * and the user signs in again. Two racing refreshes with one token count as a reuse too.
 */
import type { OAuthClient } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { newId24 } from '../shared/ids.js'
import { sha256Hex } from '../shared/secrets.js'
import type { Services } from './context.js'
import { type TokenPair, issueTokenPair } from './issue-token-pair.js'

export async function refreshTokens(
  services: Services,
  client: OAuthClient,
  refreshToken: string,
): Promise<TokenPair> {
  const { store, clock } = services
  const old = await store.tokens.findBySecretHash(sha256Hex(refreshToken))
  if (!old || old.kind !== 'oauth_refresh' || old.clientId !== client.clientId) {
    throw new DomainError('invalid_grant', 'The refresh token is not valid for this client')
  }
  // Tokens issued before families existed are each a family of their own.
  const familyId = old.familyId ?? newId24()
  const reused = async () => {
    if (old.familyId !== null) {
      await store.tokens.revokeFamily(old.familyId, clock.now())
    }
    return new DomainError(
      'invalid_grant',
      'The refresh token was used before or revoked; every token of this sign-in has been revoked. Sign in again',
    )
  }
  if (old.revokedAtMs !== null) {
    throw await reused()
  }
  const pair = issueTokenPair(services, client, { uid: old.uid, scopes: old.scopes, familyId })
  if (!(await store.tokens.replace(old.id, clock.now(), pair.rows))) {
    throw await reused()
  }
  return pair.answer
}
