/**
 * Who is signed in: the token, kept in this tab's sessionStorage (gone when the tab closes, and
 * never sent anywhere but this server's /v3), and the account it belongs to.
 */
import { Api, ApiError } from './api.js'

const KEY = 'faxd.token'

export interface Account {
  readonly uid: string
  readonly email: string
  readonly name: string
  readonly lastname: string
  readonly account_type: string
}

export interface Session {
  readonly api: Api
  readonly account: Account
}

/** Checks a token against the server; the session it opens, kept for this tab. */
export async function signIn(token: string): Promise<Session> {
  const api = new Api(token.trim())
  const account = await api.json<Account>('/accounts/self')
  sessionStorage.setItem(KEY, api.token)
  return { api, account }
}

/** The session this tab kept, if its token is still good. */
export async function resumeSession(): Promise<Session | null> {
  const token = sessionStorage.getItem(KEY)
  if (token === null) {
    return null
  }
  try {
    return await signIn(token)
  } catch (failure) {
    // A token refused is forgotten; a server that is away for a moment is not a sign-out.
    if (failure instanceof ApiError && failure.status === 401) {
      sessionStorage.removeItem(KEY)
    }
    return null
  }
}

export function signOut(): void {
  sessionStorage.removeItem(KEY)
}
