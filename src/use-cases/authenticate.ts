/**
 * Turns a bearer secret into the account it acts for. Personal access tokens stand alone;
 * OAuth2 access tokens must come with `x-fax-clientid` naming the client they were issued to
 * (Fax.Plus: "Header required only when using the OAuth2 token scheme"). Refresh tokens are
 * not bearer credentials for the API.
 */
import type { Account } from '../domain/account.js'
import type { AccessToken } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { type Scope, scopesPermit } from '../domain/scopes.js'
import { sha256Hex } from '../shared/secrets.js'
import type { Services } from './context.js'

export async function authenticate(
  services: Services,
  secret: string,
  clientIdHeader: string | null,
): Promise<{ account: Account; token: AccessToken }> {
  const bearer = await services.store.tokens.findBearer(sha256Hex(secret))
  const token = bearer?.token
  if (!bearer || !token || token.revokedAtMs !== null || token.kind === 'oauth_refresh') {
    throw new DomainError('invalid_token', 'The access token is not valid')
  }
  if (token.expiresAtMs !== null && token.expiresAtMs <= services.clock.now()) {
    throw new DomainError('token_expired', 'The access token has expired')
  }
  if (token.kind === 'oauth_access') {
    if (clientIdHeader === null || clientIdHeader === '') {
      throw new DomainError('client_id_required', 'OAuth2 tokens need the x-fax-clientid header')
    }
    if (clientIdHeader !== token.clientId) {
      throw new DomainError('invalid_client_id', 'x-fax-clientid does not match the token')
    }
  }
  const { account } = bearer
  if (account.status !== 'active') {
    throw new DomainError('account_inactive', 'The account is not active')
  }
  return { account, token }
}

export function requireScope(token: AccessToken, permitted: readonly Scope[]): void {
  if (!scopesPermit(token.scopes, permitted)) {
    throw new DomainError(
      'insufficient_scope',
      `This call needs one of the scopes ${permitted.join(', ')}`,
    )
  }
}
