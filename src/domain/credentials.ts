/**
 * Bearer credentials. Personal access tokens and OAuth2 access/refresh tokens are random
 * strings shown once; only their SHA-256 is stored. OAuth2 clients have a secret, also hashed.
 */
export type TokenKind = 'personal' | 'oauth_access' | 'oauth_refresh'

export interface AccessToken {
  readonly id: string
  readonly kind: TokenKind
  readonly uid: string
  /** The OAuth2 client the token was issued to; null for personal tokens. */
  readonly clientId: string | null
  readonly scopes: readonly string[]
  readonly expiresAtMs: number | null
  readonly revokedAtMs: number | null
  readonly createdAtMs: number
}

export interface OAuthClient {
  readonly clientId: string
  readonly uid: string
  readonly redirectUri: string
  readonly createdAtMs: number
}

export interface AuthorizationCode {
  readonly clientId: string
  readonly uid: string
  readonly redirectUri: string
  readonly scope: string
  readonly expiresAtMs: number
}

/** "access token valid for 1 hour" (Fax.Plus help); refresh tokens rotate on every use. */
export const OAUTH_ACCESS_TOKEN_TTL_MS = 3_600_000
export const AUTHORIZATION_CODE_TTL_MS = 60_000
