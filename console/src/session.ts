/**
 * Who is signed in: the credentials this tab holds (credentials.ts) and the account they belong
 * to. A session starts from a token pasted in, or from the sign-in page's answer (oauth.ts), or
 * is resumed from what this tab kept.
 */
import { Api, ApiError } from './api.js'
import {
  type Credentials,
  OAuthCredentials,
  TokenCredentials,
  forgetCredentials,
  keptCredentials,
} from './credentials.js'
import { finishSignIn } from './oauth.js'

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

async function open(credentials: Credentials): Promise<Session> {
  const api = new Api(credentials)
  return { api, account: await api.json<Account>('/accounts/self') }
}

/** Checks a pasted token against the server; the session it opens, kept for this tab. */
export async function signInWithToken(token: string): Promise<Session> {
  const credentials = new TokenCredentials(token.trim())
  const session = await open(credentials)
  credentials.keep()
  return session
}

/**
 * The session this page starts with: the sign-in page's answer, if the browser just came back
 * from it (a SignInError when it says no), or what this tab kept, if it still works.
 */
export async function resumeSession(): Promise<Session | null> {
  const answer = await finishSignIn()
  if (answer !== null) {
    return open(OAuthCredentials.fromAnswer(answer))
  }
  const kept = keptCredentials()
  if (kept === null) {
    return null
  }
  try {
    return await open(kept)
  } catch (failure) {
    // Credentials refused are forgotten; a server that is away for a moment is not a sign-out.
    if (failure instanceof ApiError && failure.status === 401) {
      forgetCredentials()
    }
    return null
  }
}

export function signOut(): void {
  forgetCredentials()
}
