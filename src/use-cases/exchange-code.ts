/**
 * exchangeCode: POST /token trades an authorization code (RFC 6749 §4.1.3), for the
 * authenticated client it was issued to, for an access token valid one hour and a refresh token
 * of the code's family and scopes. Each refusal is `invalid_grant` and says why:
 * - a code used before: "If an authorization code is used more than once, the authorization
 *   server MUST deny the request and SHOULD revoke (when possible) all tokens previously issued
 *   based on that authorization code" (§4.1.2); the family is revoked;
 * - an unknown or expired code;
 * - a redirect_uri other than the one the code was issued for (the code stays usable: the
 *   mistake may be the client's, and the code is worth nothing without the right one); none,
 *   when the authorization request named one, is `invalid_request` (§4.1.3: "REQUIRED, if the
 *   "redirect_uri" parameter was included in the authorization request");
 * - a code issued with a PKCE challenge and no verifier or a wrong one (RFC 7636 §4.6), or a
 *   verifier for a code issued without a challenge (RFC 9700 §2.1.1, against PKCE downgrade).
 */
import type { OAuthClient } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { isCodeVerifier, verifierMatches } from '../domain/pkce.js'
import { sha256Hex } from '../shared/secrets.js'
import type { Services } from './context.js'
import { type TokenPair, issueTokenPair } from './issue-token-pair.js'

export async function exchangeCode(
  services: Services,
  client: OAuthClient,
  input: { code: string; redirectUri: string | null; codeVerifier: string | null },
): Promise<TokenPair> {
  const { store, clock } = services
  const codeHash = sha256Hex(input.code)
  const found = await store.oauth.findCode(codeHash, client.clientId)
  if (found === null) {
    throw new DomainError('invalid_grant', 'The authorization code is not valid for this client')
  }
  const { code } = found
  if (found.used) {
    throw await codeReused(services, code.familyId)
  }
  if (code.expiresAtMs <= clock.now()) {
    throw new DomainError('invalid_grant', 'The authorization code has expired')
  }
  if (input.redirectUri === null && code.redirectUriGiven) {
    throw new DomainError(
      'invalid_request',
      'redirect_uri is required: the authorization request named one (RFC 6749 §4.1.3)',
    )
  }
  if (input.redirectUri !== null && input.redirectUri !== code.redirectUri) {
    throw new DomainError(
      'invalid_grant',
      'redirect_uri is not the one the authorization code was issued for',
    )
  }
  checkVerifier(code.codeChallenge, input.codeVerifier)
  if (!(await store.oauth.consumeCode(codeHash, client.clientId))) {
    // Another request used it between the two reads.
    throw await codeReused(services, code.familyId)
  }
  const pair = issueTokenPair(services, client, {
    uid: code.uid,
    scopes: code.scope.split(' '),
    familyId: code.familyId,
  })
  await store.tokens.create(...pair.rows)
  return pair.answer
}

function checkVerifier(challenge: string | null, verifier: string | null): void {
  if (challenge === null) {
    if (verifier !== null) {
      throw new DomainError(
        'invalid_grant',
        'code_verifier was sent for a code issued without code_challenge',
      )
    }
    return
  }
  if (verifier === null) {
    throw new DomainError(
      'invalid_grant',
      'The authorization code was issued with a PKCE code_challenge: send its code_verifier',
    )
  }
  if (!isCodeVerifier(verifier)) {
    throw new DomainError(
      'invalid_request',
      'code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9, "-", ".", "_" and "~" (RFC 7636 §4.1)',
    )
  }
  if (!verifierMatches(verifier, challenge)) {
    throw new DomainError('invalid_grant', 'code_verifier does not match the code_challenge')
  }
}

async function codeReused(services: Services, familyId: string): Promise<DomainError> {
  await services.store.tokens.revokeFamily(familyId, services.clock.now())
  return new DomainError(
    'invalid_grant',
    'The authorization code was used before; every token issued for it has been revoked. Sign in again',
  )
}
