/**
 * The token pair that the authorization-code grant answers (RFC 6749 §5.1): an access token valid
 * one hour and a refresh token, both for one client, user, scopes and token family. issueTokenPair makes the two
 * secrets and the rows that store only their hashes; the caller stores the rows (exchange-code.ts,
 * refresh-tokens.ts).
 */
import type { AccessToken, OAuthClient } from '../domain/credentials.js'
import { OAUTH_ACCESS_TOKEN_TTL_MS } from '../domain/credentials.js'
import { newId24, newSecret } from '../shared/ids.js'
import { sha256Hex } from '../shared/secrets.js'
import type { Services } from './context.js'

export interface TokenPair {
  readonly accessToken: string
  readonly refreshToken: string
  readonly expiresInSeconds: number
  readonly scope: string
}

export function issueTokenPair(
  services: Services,
  client: OAuthClient,
  grant: { uid: string; scopes: readonly string[]; familyId: string },
) {
  const nowMs = services.clock.now()
  const accessToken = newSecret('faxd_oat_')
  const refreshToken = newSecret('faxd_ort_')
  const base = {
    uid: grant.uid,
    clientId: client.clientId,
    scopes: grant.scopes,
    revokedAtMs: null,
    createdAtMs: nowMs,
    familyId: grant.familyId,
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
      scope: grant.scopes.join(' '),
    },
  }
}
