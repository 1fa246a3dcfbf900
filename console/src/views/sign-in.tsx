/**
 * Sign-in: through faxd's sign-in page (email and password, OAuth2 with PKCE: oauth.ts), or with
 * a personal access token pasted in (an operator makes one with `faxd tokens create`). A token
 * is checked against /v3/accounts/self before anything is kept; the API's refusal is shown next
 * to the field, and a sign-in page that answered no is said above both.
 */
import { useState } from 'preact/hooks'
import { ApiError } from '../api.js'
import { canUseSignInPage, startSignIn } from '../oauth.js'
import { type Session, signInWithToken } from '../session.js'

export function SignIn({
  onSignedIn,
  notice,
}: {
  onSignedIn: (session: Session) => void
  /** Why the person is here again: a cancelled or refused sign-in, a sign-in that ended. */
  notice: string | null
}) {
  const [token, setToken] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const pageUsable = canUseSignInPage()

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      onSignedIn(await signInWithToken(token))
    } catch (failure) {
      setError(
        failure instanceof ApiError
          ? failure.status === 401
            ? 'This token is not valid: it may be mistyped, expired or revoked.'
            : failure.message
          : 'The server cannot be reached.',
      )
      setBusy(false)
    }
  }

  const tokenForm = (
    <form onSubmit={(event) => void submit(event)} aria-label="Sign in with a token">
      <label for="token">Personal access token</label>
      <input
        id="token"
        name="token"
        type="password"
        autoComplete="off"
        required
        value={token}
        onInput={(event) => setToken(event.currentTarget.value)}
        aria-invalid={error === null ? undefined : 'true'}
        aria-describedby={error === null ? 'token-hint' : 'token-error'}
      />
      <p id="token-hint" class="hint">
        Kept in this tab only, until you sign out or close it.
      </p>
      {error !== null && (
        <p id="token-error" class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Checking…' : 'Sign in with this token'}
      </button>
    </form>
  )

  return (
    <main class="sign-in">
      <section aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to faxd</h1>
        {notice !== null && (
          <p class="error" role="alert">
            {notice}
          </p>
        )}
        {pageUsable ? (
          <>
            <button type="button" class="primary" onClick={() => void startSignIn()}>
              Sign in
            </button>
            <details open={error !== null}>
              <summary>Use a personal access token instead</summary>
              {tokenForm}
            </details>
          </>
        ) : (
          <>
            <p class="hint">
              Signing in with your email and password needs this console on https (or on this
              machine&apos;s loopback address). Here, use a personal access token.
            </p>
            {tokenForm}
          </>
        )}
      </section>
    </main>
  )
}
