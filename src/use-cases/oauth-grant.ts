/**
 * The OAuth2 authorization-code grant (RFC 6749 §4.1) as Fax.Plus runs it: a sign-in and consent
 * page hands the client a one-minute, single-use code; POST /token trades it (client
 * authenticated) for an access token valid one hour and a refresh token; each refresh rotates
 * the refresh token, and a refresh token works once.
 */
import type { AccessToken, OAuthClient } from '../domain/credentials.js'
import { AUTHORIZATION_CODE_TTL_MS, OAUTH_ACCESS_TOKEN_TTL_MS } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { OAUTH_SCOPE_ALL } from '../domain/scopes.js'
import { newId24, newSecret } from '../shared/ids.js'
import { sha256Hex, verifyPassword } from '../shared/secrets.js'
import type { Services } from './context.js'

export interface TokenPair {
  readonly accessToken: string
  readonly refreshToken: string
  readonly expiresInSeconds: number
  readonly scope: string
}

/** Checks the client and redirect URI before the sign-in page is shown (RFC 6749 §4.1.2.1). */
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

/** Signs the user in and answers an authorization code for the client. */
export async function authorize(
  services: Services,
  input: { clientId: string; redirectUri: string | null; email: string; password: string },
): Promise<{ code: string; redirectUri: string }> {
  const client = await findAuthorizingClient(services, input.clientId, input.redirectUri)
  const signIn = await services.store.accounts.findSignIn(input.email)
  const passwordOk = await verifyPassword(input.password, signIn?.passwordHash ?? null)
  if (!signIn || !passwordOk) {
    throw new DomainError('invalid_credentials', 'Wrong email or password')
  }
  if (signIn.account.status !== 'active') {
    throw new DomainError('account_inactive', 'The account is not active')
  }
  const code = newSecret('faxd_code_')
  await services.store.oauth.createCode(sha256Hex(code), {
    clientId: client.clientId,
    uid: signIn.account.uid,
    redirectUri: client.redirectUri,
    scope: OAUTH_SCOPE_ALL,
    expiresAtMs: services.clock.now() + AUTHORIZATION_CODE_TTL_MS,
  })
  return { code, redirectUri: client.redirectUri }
}

/** Client authentication at the token endpoint (RFC 6749 §2.3.1). */
export async function authenticateClient(
  services: Services,
  clientId: string,
  clientSecret: string,
): Promise<OAuthClient> {
  const found = await services.store.oauth.getClient(clientId)
  if (!found || found.secretHash !== sha256Hex(clientSecret)) {
    throw new DomainError('invalid_client', 'Client authentication failed')
  }
  return found.client
}

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
  const pair = newTokenPair(services, client, grant.uid, grant.scope)
  await services.store.tokens.create(...pair.rows)
  return pair.answer
}

export async function refresh(
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
  const pair = newTokenPair(services, client, old.uid, old.scopes.join(' '))
  if (!(await services.store.tokens.replace(old.id, nowMs, pair.rows))) {
    throw new DomainError('invalid_grant', 'The refresh token is invalid or was already used')
  }
  return pair.answer
}

function newTokenPair(services: Services, client: OAuthClient, uid: string, scope: string) {
  const nowMs = services.clock.now()
  const accessToken = newSecret('faxd_oat_')
  const refreshToken = newSecret('faxd_ort_')
  const base = {
    uid,
    clientId: client.clientId,
    scopes: [scope],
    revokedAtMs: null,
    createdAtMs: nowMs,
  }
  const access: AccessToken = {
    ...base,
    id: newId24(),
    kind: 'oauth_access',
    expiresAtMs: nowMs + OAUTH_ACCESS_TOKEN_TTL_MS,
  }
  const refreshRow: AccessToken = {
    ...base,
    id: newId24(),
    kind: 'oauth_refresh',
    expiresAtMs: null,
  }
  return {
    rows: [
      { token: access, secretHash: sha256Hex(accessToken) },
      { token: refreshRow, secretHash: sha256Hex(refreshToken) },
    ],
    answer: {
      accessToken,
      refreshToken,
      expiresInSeconds: OAUTH_ACCESS_TOKEN_TTL_MS / 1000,
      scope,
    },
  }
}
