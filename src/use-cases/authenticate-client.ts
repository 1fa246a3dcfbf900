/**
 * authenticateClient: client authentication at the token endpoint (RFC 6749 §2.3.1). Every grant
 * at POST /token is for an authenticated client; an unknown client or a wrong secret is
 * `invalid_client`.
 */
import type { OAuthClient } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { equalInConstantTime, sha256Hex } from '../shared/secrets.js'
import type { Services } from './context.js'

export async function authenticateClient(
  services: Services,
  clientId: string,
  clientSecret: string,
): Promise<OAuthClient> {
  const found = await services.store.oauth.getClient(clientId)
  if (!found || !equalInConstantTime(found.secretHash, sha256Hex(clientSecret))) {
    throw new DomainError('invalid_client', 'Client authentication failed')
  }
  return found.client
}
