/**
 * Faxes waiting to be sent or being sent, in the order they were submitted, refreshed every
 * 2 seconds; each with its destinations and how far each one is (getOutboxFax's
 * `destinations`, beyond Fax.Plus).
 */
import { useState } from 'preact/hooks'
import type { Api } from '../api.js'
import { usePolling } from '../polling.js'
import { localTime } from '../time.js'
import { StatusBadge } from './status-badge.js'

interface OutboxEntry {
  readonly id: string
  readonly status: string
  readonly to: readonly string[]
  readonly send_time: string
  readonly page_count: number
  readonly destinations?: readonly {
    readonly to: string
    readonly state: 'waiting' | 'calling'
    readonly attempts: number
    readonly pages_confirmed: readonly number[]
    readonly next_attempt_time: string | null
  }[]
}

export function OutboxList({ api }: { api: Api }) {
  const outbox = usePolling(
    async () => {
      const { records } = await api.json<{ records: OutboxEntry[] }>(
        '/accounts/self/outbox?limit=50',
      )
      // Each entry's destinations, for the progress of its calls.
      return Promise.all(
        records.map(async (entry) =>
          api.json<OutboxEntry>(`/accounts/self/outbox/${entry.id}`).catch(() => entry),
        ),
      )
    },
    2000,
    'outbox',
  )
  return (
    <section aria-labelledby="outbox-title">
      <h1 id="outbox-title" tabIndex={-1}>
        Outbox
      </h1>
      {outbox.error !== null && (
        <p class="error" role="alert">
          Could not refresh: {outbox.error.message}
        </p>
      )}
      {outbox.data === null ? (
        <p class="empty" aria-busy="true">
          Loading…
        </p>
      ) : outbox.data.length === 0 ? (
        <p class="empty">Nothing waiting to be sent.</p>
      ) : (
        <ul class="outbox">
          {outbox.data.map((entry) => (
            <li key={entry.id}>
              <div class="entry-head">
                <StatusBadge status={entry.status} />
                <span>
                  {entry.page_count > 0 ? `${entry.page_count} pages, ` : ''}
                  to be sent {localTime(entry.send_time)}
                </span>
                <Cancel api={api} entry={entry} onCancelled={outbox.refresh} />
              </div>
              <ul class="destinations">
                {(
                  entry.destinations ??
                  entry.to.map((to) => ({
                    to,
                    state: 'waiting' as const,
                    attempts: 0,
                    pages_confirmed: [],
                    next_attempt_time: null,
                  }))
                ).map((d) => (
                  <li key={d.to}>
                    <span class="number">{d.to}</span>{' '}
                    {d.state === 'calling'
                      ? `calling: ${d.pages_confirmed.length} of ${entry.page_count} pages through`
                      : d.attempts > 0 && d.next_attempt_time !== null
                        ? `attempt ${d.attempts} failed; next at ${localTime(d.next_attempt_time)}`
                        : 'waiting'}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

/**
 * Cancels an entry (deleteOutboxFax) after asking. While a call is in progress the API refuses
 * (409 outbox_fax_sending) and its words are shown; between retries, the calls made become the
 * fax record.
 */
function Cancel({
  api,
  entry,
  onCancelled,
}: {
  api: Api
  entry: OutboxEntry
  onCancelled: () => void
}) {
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const cancel = async (): Promise<void> => {
    if (!window.confirm(`Cancel the fax to ${entry.to.join(', ')}?`)) {
      return
    }
    setBusy(true)
    setError(null)
    try {
      await api.json(`/accounts/self/outbox/${entry.id}`, { method: 'DELETE' })
      // The entry, and the button that had focus, go: focus goes back to the list's heading.
      document.getElementById('outbox-title')?.focus()
      onCancelled()
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure))
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <button
        type="button"
        class="quiet"
        disabled={busy}
        aria-label={`Cancel the fax to ${entry.to.join(', ')}`}
        onClick={() => void cancel()}
      >
        Cancel
      </button>
      {error !== null && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </>
  )
}
