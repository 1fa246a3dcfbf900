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
  /**
   * OAuth2 tokens: the sign-in they descend from. A code starts a family; the tokens traded for
   * it and every refresh after carry it, so that a reused code or refresh token revokes all of
   * them (RFC 6749 §4.1.2, RFC 9700 §4.14.2). Null for personal tokens.
   */
  readonly familyId: string | null
}

/**
 * RFC 6749 §2.1: a confidential client keeps a secret and authenticates with it at /token; a
 * public client (a browser or native app, which cannot keep one) has none, and must prove each
 * code with PKCE instead (RFC 9700 §2.1.1: "public clients MUST use PKCE").
 */
export type ClientType = 'confidential' | 'public'

export interface OAuthClient {
  readonly clientId: string
  readonly type: ClientType
  /** The account that registered it; null for the web console's own client (the server's). */
  readonly uid: string | null
  /** Shown on the consent page: who asks for access. */
  readonly name: string
  readonly homepage: string | null
  /** Where codes may be sent (RFC 6749 §3.1.2); at least one, the first being the default. */
  readonly redirectUris: readonly string[]
  readonly createdAtMs: number
}

export interface AuthorizationCode {
  readonly clientId: string
  readonly uid: string
  readonly redirectUri: string
  /**
   * Whether the authorization request named the redirect URI; then the token request must name
   * it too (RFC 6749 §4.1.3: "REQUIRED, if the "redirect_uri" parameter was included").
   */
  readonly redirectUriGiven: boolean
  /** The granted scopes, space-separated (RFC 6749 §3.3). */
  readonly scope: string
  readonly expiresAtMs: number
  readonly familyId: string
  /** RFC 7636: BASE64URL(SHA256(code_verifier)), when the client sent a challenge. */
  readonly codeChallenge: string | null
}

/** "access token valid for 1 hour" (Fax.Plus help); refresh tokens rotate on every use. */
export const OAUTH_ACCESS_TOKEN_TTL_MS = 3_600_000
export const AUTHORIZATION_CODE_TTL_MS = 60_000
