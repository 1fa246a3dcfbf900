/**
 * Sign-in with a personal access token (an operator makes one with `faxd tokens create`, or
 * the account's owner in an OAuth2 client). The token is checked against /v3/accounts/self
 * before anything is kept; the API's refusal is shown next to the field.
 */
import { useState } from 'preact/hooks'
import { ApiError } from '../api.js'
import { type Session, signIn } from '../session.js'

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [token, setToken] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      onSignedIn(await signIn(token))
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

  return (
    <main class="sign-in">
      <form onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to faxd</h1>
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
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}
