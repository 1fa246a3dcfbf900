/**
 * authorize: the sign-in and consent step of the OAuth2 authorization-code grant (RFC 6749 §4.1)
 * as Fax.Plus runs it. It signs the user in (an active account only) and hands the client a
 * one-minute, single-use code for the registered redirect URI.
 */
import { AUTHORIZATION_CODE_TTL_MS } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { OAUTH_SCOPE_ALL } from '../domain/scopes.js'
import { newSecret } from '../shared/ids.js'
import { sha256Hex, verifyPassword } from '../shared/secrets.js'
import type { Services } from './context.js'
import { findAuthorizingClient } from './find-authorizing-client.js'

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
