/**
 * What the console proves itself with on each API call, kept in this tab's sessionStorage (gone
 * when the tab closes, and sent nowhere but this server): a personal access token as it was
 * pasted, or the OAuth2 tokens of a sign-in through the sign-in page. An OAuth2 access token
 * lives an hour; it is refreshed a minute before it ends, or when the API refuses it, one
 * refresh at a time (a refresh token works once: two racing refreshes would end the sign-in).
 */
import { CONSOLE_CLIENT_ID } from '../../src/shared/console-client.js'
import { ApiError } from './api.js'
import { type TokenAnswer, requestTokens } from './oauth.js'

const KEY = 'faxd.session'
/** Refreshed this long before it ends, so that no request leaves with a token about to expire. */
const REFRESH_AHEAD_MS = 60_000
/** Sent on window when a sign-in has ended for good (its refresh token was refused). */
export const SIGNED_OUT_EVENT = 'faxd:signed-out'

export interface Credentials {
  /** The headers that say who asks: the bearer token, and an OAuth2 token's client. */
  headers(): Promise<Record<string, string>>
  /** After a 401: whether new credentials were had, so that the request is worth sending again. */
  renew(): Promise<boolean>
}

type Kept =
  | { readonly kind: 'token'; readonly token: string }
  | {
      readonly kind: 'oauth'
      readonly accessToken: string
      readonly refreshToken: string
      readonly expiresAtMs: number
    }

function keep(kept: Kept): void {
  sessionStorage.setItem(KEY, JSON.stringify(kept))
}

export function forgetCredentials(): void {
  sessionStorage.removeItem(KEY)
}

/** The credentials this tab kept, if any (not yet checked against the server). */
export function keptCredentials(): Credentials | null {
  let kept: Kept
  try {
    kept = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Kept
  } catch {
    return null
  }
  if (kept?.kind === 'token' && typeof kept.token === 'string') {
    return new TokenCredentials(kept.token)
  }
  if (kept?.kind === 'oauth' && typeof kept.refreshToken === 'string') {
    return new OAuthCredentials(kept)
  }
  return null
}

export class TokenCredentials implements Credentials {
  readonly #token: string

  constructor(token: string) {
    this.#token = token
  }

  /** Kept for this tab once the server has taken it. */
  keep(): void {
    keep({ kind: 'token', token: this.#token })
  }

  headers(): Promise<Record<string, string>> {
    return Promise.resolve({ authorization: `Bearer ${this.#token}` })
  }

  renew(): Promise<boolean> {
    return Promise.resolve(false)
  }
}

export class OAuthCredentials implements Credentials {
  #kept: Extract<Kept, { kind: 'oauth' }>
  #refreshing: Promise<boolean> | null = null

  constructor(kept: Extract<Kept, { kind: 'oauth' }>) {
    this.#kept = kept
  }

  /** From the token endpoint's answer (RFC 6749 §5.1), kept for this tab at once. */
  static fromAnswer(answer: TokenAnswer): OAuthCredentials {
    const credentials = new OAuthCredentials(keptFrom(answer))
    keep(credentials.#kept)
    return credentials
  }

  async headers(): Promise<Record<string, string>> {
    if (this.#kept.expiresAtMs - Date.now() < REFRESH_AHEAD_MS) {
      await this.renew()
    }
    return {
      authorization: `Bearer ${this.#kept.accessToken}`,
      // Fax.Plus's rule for OAuth2 tokens: each call names the client the token was issued to.
      'x-fax-clientid': CONSOLE_CLIENT_ID,
    }
  }

  renew(): Promise<boolean> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = null
    })
    return this.#refreshing
  }

  async #refresh(): Promise<boolean> {
    try {
      const answer = await requestTokens({
        grant_type: 'refresh_token',
        refresh_token: this.#kept.refreshToken,
        client_id: CONSOLE_CLIENT_ID,
      })
      this.#kept = keptFrom(answer)
      keep(this.#kept)
      return true
    } catch (failure) {
      // Refused (revoked, used elsewhere, the account closed): this sign-in is over. A server
      // that cannot be reached is not a sign-out; the next request tries again.
      if (failure instanceof ApiError && failure.status >= 400 && failure.status < 500) {
        forgetCredentials()
        window.dispatchEvent(new Event(SIGNED_OUT_EVENT))
      }
      return false
    }
  }
}

function keptFrom(answer: TokenAnswer): Extract<Kept, { kind: 'oauth' }> {
  return {
    kind: 'oauth',
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token,
    expiresAtMs: Date.now() + answer.expires_in * 1000,
  }
}
