/**
 * findAuthorizingClient: checks the client and redirect URI before the sign-in page is shown
 * (RFC 6749 §4.1.2.1): an unknown client_id is `invalid_client`, and a redirect_uri, if given,
 * must be the one registered for the client.
 */
import type { OAuthClient } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import type { Services } from './context.js'

export async function findAuthorizingClient(
  services: Services,
  clientId: string,
  redirectUri: string | null,
): Promise<OAuthClient> {
  const found = await services.store.oauth.getClient(clientId)
  if (!found) {
    throw new DomainError('invalid_client', 'Unknown client_id')
  }
  if (redirectUri !== null && redirectUri !== found.client.redirectUri) {
    throw new DomainError('invalid_request', 'redirect_uri is not registered for this client')
  }
  return found.client
}
