/**
 * Webhooks: those registered for each event, a form to add one (the API's refusal, such as a
 * private target, shown next to the field), deletion after a confirmation, and each webhook's
 * delivery log (the last 100, newest first: status, attempts, the last answer or error).
 */
import { useState } from 'preact/hooks'
import { type Api, ApiError } from '../api.js'
import { usePolling } from '../polling.js'
import { localTime } from '../time.js'

const EVENTS = ['fax_sent', 'fax_received'] as const

interface Hook {
  readonly id: string
  readonly target: string
  readonly event: (typeof EVENTS)[number]
}

interface Delivery {
  readonly id: string
  readonly event: string
  readonly status: string
  readonly created_at: string
  readonly attempts: readonly {
    readonly at: string
    readonly status_code: number | null
    readonly error: string | null
  }[]
  readonly next_attempt_at: string | null
}

export function WebhooksView({ api }: { api: Api }) {
  const hooks = usePolling(
    async () =>
      (
        await Promise.all(
          EVENTS.map(
            async (event) => (await api.json<{ data: Hook[] }>(`/hooks?event=${event}`)).data,
          ),
        )
      ).flat(),
    30_000,
    'hooks',
  )
  const [target, setTarget] = useState('')
  const [event, setEvent] = useState<(typeof EVENTS)[number]>('fax_sent')
  const [error, setError] = useState<string | null>(null)

  const add = async (submitted: Event): Promise<void> => {
    submitted.preventDefault()
    setError(null)
    try {
      await api.json('/hooks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ target: target.trim(), event }),
      })
      setTarget('')
      hooks.refresh()
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : 'The server cannot be reached.')
    }
  }

  return (
    <section aria-labelledby="hooks-title">
      <h1 id="hooks-title">Webhooks</h1>
      <form class="send" onSubmit={(submitted) => void add(submitted)}>
        <label for="hook-target">URL to call</label>
        <input
          id="hook-target"
          type="url"
          required
          value={target}
          placeholder="https://example.com/fax-events"
          aria-invalid={error === null ? undefined : 'true'}
          aria-describedby={error === null ? undefined : 'hook-error'}
          onInput={(changed) => setTarget(changed.currentTarget.value)}
        />
        <label for="hook-event">When</label>
        <select
          id="hook-event"
          value={event}
          onChange={(changed) => setEvent(changed.currentTarget.value as (typeof EVENTS)[number])}
        >
          <option value="fax_sent">a fax is sent (every attempt)</option>
          <option value="fax_received">a fax is received</option>
        </select>
        {error !== null && (
          <p id="hook-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary">
          Add webhook
        </button>
      </form>
      {/* Where focus goes when the hook that held it is deleted. */}
      <h2 id="hooks-registered" tabIndex={-1}>
        Registered
      </h2>
      {hooks.error !== null && (
        <p class="error" role="alert">
          {hooks.error.message}
        </p>
      )}
      {hooks.data !== null && hooks.data.length === 0 && <p class="empty">None yet.</p>}
      <ul class="outbox">
        {(hooks.data ?? []).map((hook) => (
          <HookItem key={hook.id} api={api} hook={hook} onDeleted={hooks.refresh} />
        ))}
      </ul>
    </section>
  )
}

function HookItem({ api, hook, onDeleted }: { api: Api; hook: Hook; onDeleted: () => void }) {
  const [open, setOpen] = useState(false)
  const log = usePolling(
    async () =>
      open
        ? (await api.json<{ records: Delivery[] }>(`/hooks/${hook.id}/deliveries`)).records
        : null,
    5000,
    `${hook.id}:${String(open)}`,
  )
  const [error, setError] = useState<string | null>(null)
  const remove = async (): Promise<void> => {
    if (!window.confirm(`Delete the webhook to ${hook.target}?`)) {
      return
    }
    try {
      await api.json(`/hooks/${hook.id}`, { method: 'DELETE' })
      document.getElementById('hooks-registered')?.focus()
      onDeleted()
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure))
    }
  }
  return (
    <li>
      <div class="entry-head">
        <span class="badge moving">{hook.event === 'fax_sent' ? 'fax sent' : 'fax received'}</span>
        <span class="target">{hook.target}</span>
        <button type="button" class="quiet" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide deliveries' : 'Deliveries'}
        </button>
        <button
          type="button"
          class="quiet"
          aria-label={`Delete the webhook to ${hook.target}`}
          onClick={() => void remove()}
        >
          Delete
        </button>
        {error !== null && (
          <span class="error" role="alert">
            {error}
          </span>
        )}
      </div>
      {open && (
        <div class="scroll">
          {log.data === null || log.data === undefined ? (
            <p aria-busy="true">Loading…</p>
          ) : log.data.length === 0 ? (
            <p class="empty">Nothing delivered yet.</p>
          ) : (
            <table>
              <caption class="hint">Last deliveries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Made</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">
                    Attempts
                  </th>
                  <th scope="col">Last answer</th>
                </tr>
              </thead>
              <tbody>
                {log.data.map((delivery) => {
                  const last = delivery.attempts[delivery.attempts.length - 1]
                  return (
                    <tr key={delivery.id}>
                      <td>{localTime(delivery.created_at)}</td>
                      <td>{delivery.status}</td>
                      <td class="num">{delivery.attempts.length}</td>
                      <td>
                        {last === undefined
                          ? '—'
                          : last.status_code !== null
                            ? `HTTP ${last.status_code}`
                            : (last.error ?? '—')}
                        {delivery.next_attempt_at !== null &&
                          `; again ${localTime(delivery.next_attempt_at)}`}
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          )}
        </div>
      )}
    </li>
  )
}
