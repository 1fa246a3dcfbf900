/**
 * Sign-in through faxd's sign-in page: the OAuth2 authorization code grant (RFC 6749 §4.1) for
 * the console's own public client, with PKCE (RFC 7636, S256) in place of a secret the browser
 * could not keep, and `state` against a sign-in answer this tab did not ask for (§10.12). The
 * page sends the browser back to the console's root with `?code=…&state=…`; the code and the
 * verifier kept for it are traded at /token, and the address is cleaned at once.
 */
import { CONSOLE_CLIENT_ID } from '../../src/shared/console-client.js'
import { ApiError } from './api.js'

const PENDING = 'faxd.sign-in'

/** The token endpoint's answer (RFC 6749 §5.1). */
export interface TokenAnswer {
  readonly access_token: string
  readonly refresh_token: string
  readonly expires_in: number
}

interface Pending {
  readonly state: string
  readonly verifier: string
  /** The view to come back to. */
  readonly returnTo: string
}

/** A sign-in that came back refused or broken: said on the sign-in view. */
export class SignInError extends Error {
  override readonly name = 'SignInError'
}

/**
 * Whether this page can make a PKCE challenge: SubtleCrypto exists only in a secure context
 * (https, or http on a loopback address).
 */
export function canUseSignInPage(): boolean {
  return window.isSecureContext && typeof crypto.subtle !== 'undefined'
}

/** The console's root on this address: the redirect URI faxd serve registered for it. */
function redirectUri(): string {
  return `${window.location.origin}/`
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

/** Goes to the sign-in page; the browser comes back to finishSignIn. */
export async function startSignIn(): Promise<void> {
  // 32 random bytes: a 43-character verifier (RFC 7636 §4.1 asks for 256 bits of entropy).
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)))
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)))
  const pending: Pending = { state, verifier, returnTo: window.location.hash }
  sessionStorage.setItem(PENDING, JSON.stringify(pending))
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: CONSOLE_CLIENT_ID,
    redirect_uri: redirectUri(),
    scope: 'all',
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  })
  window.location.assign(`/login?${query.toString()}`)
}

/**
 * The sign-in page's answer in this page's address, traded for tokens; null when the address
 * holds none. Throws SignInError for a refusal, a cancel, or an answer to no request of this tab.
 */
export async function finishSignIn(): Promise<TokenAnswer | null> {
  const answer = new URLSearchParams(window.location.search)
  if (!answer.has('code') && !answer.has('error')) {
    return null
  }
  const pending = takePending()
  // The code leaves the address bar (and the history) before anything else happens, and the
  // view the sign-in started from comes back (replaceState alone would not tell the router).
  window.history.replaceState(null, '', `/${pending?.returnTo ?? ''}`)
  window.dispatchEvent(new HashChangeEvent('hashchange'))
  if (pending === null || answer.get('state') !== pending.state) {
    throw new SignInError(
      'This sign-in answer is not for a sign-in started in this tab. Sign in again.',
    )
  }
  const error = answer.get('error')
  if (error !== null) {
    throw new SignInError(
      error === 'access_denied'
        ? 'Sign-in was cancelled.'
        : `The sign-in page refused: ${answer.get('error_description') ?? error}`,
    )
  }
  try {
    return await requestTokens({
      grant_type: 'authorization_code',
      code: answer.get('code') ?? '',
      redirect_uri: redirectUri(),
      client_id: CONSOLE_CLIENT_ID,
      code_verifier: pending.verifier,
    })
  } catch (failure) {
    throw new SignInError(
      failure instanceof ApiError ? failure.message : 'The server cannot be reached.',
    )
  }
}

function takePending(): Pending | null {
  const text = sessionStorage.getItem(PENDING)
  sessionStorage.removeItem(PENDING)
  try {
    const pending = JSON.parse(text ?? 'null') as Pending | null
    return typeof pending?.state === 'string' && typeof pending.verifier === 'string'
      ? pending
      : null
  } catch {
    return null
  }
}

/** POST /token, a form of `fields`; a refusal becomes an ApiError with RFC 6749 §5.2's words. */
export async function requestTokens(fields: Record<string, string>): Promise<TokenAnswer> {
  let response: Response
  try {
    response = await fetch('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })
  } catch {
    throw new ApiError(0, 'unreachable', 'The server cannot be reached')
  }
  const body = (await response.json().catch(() => ({}))) as Partial<TokenAnswer> & {
    error?: string
    error_description?: string
  }
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new ApiError(
      response.status,
      body.error ?? `http_${response.status}`,
      body.error_description ?? `The token endpoint answered ${response.status}`,
    )
  }
  return body as TokenAnswer
}
