/**
 * findAuthorizingClient: checks the client and redirect URI before the sign-in page is shown
 * (RFC 6749 §4.1.2.1): an unknown client_id is `invalid_client`, and a redirect_uri, if given,
 * must be one registered for the client, compared as a whole string (RFC 6749 §3.1.2.3 and
 * RFC 9700 §2.1: "exact string matching"). Without one, the client's only registered URI is
 * used; a client with several must say which (§3.1.2.3: "the client MUST include a redirection
 * URI with the authorization request"). Either failure shows an error page, never a redirect.
 */
import type { OAuthClient } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { CONSOLE_CLIENT_ID } from '../shared/console-client.js'
import type { Services } from './context.js'

export async function findAuthorizingClient(
  services: Services,
  clientId: string,
  redirectUri: string | null,
): Promise<{ client: OAuthClient; redirectUri: string }> {
  const found = await services.store.oauth.getClient(clientId)
  if (!found) {
    throw new DomainError('invalid_client', 'Unknown client_id')
  }
  const registered = found.client.redirectUris
  if (redirectUri === null || redirectUri === '') {
    const [only] = registered
    if (registered.length !== 1 || only === undefined) {
      throw new DomainError(
        'invalid_request',
        'redirect_uri is required: the client has several registered',
      )
    }
    return { client: found.client, redirectUri: only }
  }
  if (!registered.includes(redirectUri)) {
    if (found.client.clientId === CONSOLE_CLIENT_ID) {
      throw new DomainError(
        'invalid_request',
        `The web console signs in here only from ${registered.join(' or ')}: open it there, ` +
          'or sign in with an access token. The operator sets the addresses with FAXD_PUBLIC_URL.',
      )
    }
    throw new DomainError('invalid_request', 'redirect_uri is not registered for this client')
  }
  return { client: found.client, redirectUri }
}
