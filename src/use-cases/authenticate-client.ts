/**
 * authenticateClient: who is asking at the token endpoint. A confidential client proves itself
 * with its secret (RFC 6749 §2.3.1); an unknown client or a wrong secret is `invalid_client`. A
 * public client has no secret and names itself by client_id alone (§3.2.1: "A client MAY use the
 * "client_id" request parameter to identify itself when sending requests to the token
 * endpoint"); what protects its codes is PKCE, which every public client's code carries
 * (check-authorization-request.ts). A secret sent for a public client, or none for a
 * confidential one, is `invalid_client` too, saying which.
 */
import type { OAuthClient } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { equalInConstantTime, sha256Hex } from '../shared/secrets.js'
import type { Services } from './context.js'

export async function authenticateClient(
  services: Services,
  clientId: string,
  clientSecret: string | null,
): Promise<OAuthClient> {
  const found = await services.store.oauth.getClient(clientId)
  if (found?.client.type === 'public') {
    if (clientSecret !== null) {
      throw new DomainError(
        'invalid_client',
        'This is a public client: it has no secret; send client_id alone',
      )
    }
    return found.client
  }
  if (clientSecret === null) {
    throw new DomainError('invalid_client', 'Authenticate the client with HTTP Basic')
  }
  if (
    !found ||
    found.secretHash === null ||
    !equalInConstantTime(found.secretHash, sha256Hex(clientSecret))
  ) {
    throw new DomainError('invalid_client', 'Client authentication failed')
  }
  return found.client
}
