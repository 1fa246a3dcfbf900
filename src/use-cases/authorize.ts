/**
 * authorize: the sign-in and consent step of the OAuth2 authorization-code grant (RFC 6749 §4.1)
 * as Fax.Plus runs it, for a request checkAuthorizationRequest has let through. It signs the user
 * in (an active account only, at the pace domain/sign-in-throttle.ts allows) and hands the client
 * a one-minute, single-use code for the redirect URI, the scopes asked for and the PKCE
 * challenge, which starts a token family.
 */
import { normalizeEmail } from '../domain/account.js'
import { AUTHORIZATION_CODE_TTL_MS } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import {
  FORGET_FAILURES_AFTER_MS,
  TRUSTED_ADDRESS_MS,
  ruleOf,
  signInKeys,
  waitAfter,
  waitBeforeSignIn,
} from '../domain/sign-in-throttle.js'
import { newId24, newSecret } from '../shared/ids.js'
import { sha256Hex } from '../shared/secrets.js'
import type { AuthorizationRequest } from './check-authorization-request.js'
import type { Services } from './context.js'

export interface SignInCredentials {
  readonly email: string
  readonly password: string
  /** The network address the sign-in comes from. */
  readonly address: string
}

export async function authorize(
  services: Services,
  request: AuthorizationRequest,
  credentials: SignInCredentials,
): Promise<string> {
  const account = await signIn(services, credentials)
  const code = newSecret('faxd_code_')
  await services.store.oauth.createCode(sha256Hex(code), {
    clientId: request.client.clientId,
    uid: account.uid,
    redirectUri: request.redirectUri,
    redirectUriGiven: request.redirectUriGiven,
    scope: request.scopes.join(' '),
    expiresAtMs: services.clock.now() + AUTHORIZATION_CODE_TTL_MS,
    familyId: newId24(),
    codeChallenge: request.codeChallenge,
  })
  return code
}

async function signIn(services: Services, credentials: SignInCredentials) {
  const { store, clock } = services
  const email = normalizeEmail(credentials.email)
  const keys = signInKeys(email, credentials.address)
  const nowMs = clock.now()
  const states = await store.signInThrottle.read([
    keys.pair,
    keys.address,
    keys.account,
    keys.trusted,
  ])
  const waitMs = waitBeforeSignIn(keys, states, nowMs)
  if (waitMs > 0) {
    const seconds = Math.ceil(waitMs / 1000)
    throw new DomainError(
      'too_many_attempts',
      `Too many failed sign-ins; try again in ${seconds} seconds`,
      { retryAfterSeconds: seconds },
    )
  }
  const found = await store.accounts.findSignIn(email)
  const passwordOk = await services.passwords.verify(
    credentials.password,
    found?.passwordHash ?? null,
  )
  if (!found || !passwordOk) {
    await store.signInThrottle.recordFailure(
      [keys.pair, keys.address, keys.account],
      nowMs,
      nowMs - FORGET_FAILURES_AFTER_MS,
      (key, failures) => nowMs + waitAfter(ruleOf(key), failures),
    )
    throw new DomainError('invalid_credentials', 'Wrong email or password')
  }
  if (found.account.status !== 'active') {
    throw new DomainError('account_inactive', 'The account is not active')
  }
  // The address's failures stay: signing in to one's own account must not reset a count that
  // another account's guesses built up.
  await store.signInThrottle.clear([keys.pair, keys.account])
  await store.signInThrottle.keep(keys.trusted, nowMs, nowMs + TRUSTED_ADDRESS_MS)
  if (found.passwordHash !== null && services.passwords.needsRehash(found.passwordHash)) {
    await store.accounts.setPasswordHash(
      found.account.uid,
      await services.passwords.hash(credentials.password),
    )
  }
  return found.account
}
