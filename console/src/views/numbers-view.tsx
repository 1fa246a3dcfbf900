/**
 * The account's fax numbers: each with its status and the members it is assigned to. The columns
 * have their widths before the rows arrive, so the header does not move when they do.
 */
import type { Api } from '../api.js'
import { usePolling } from '../polling.js'
import { localTime } from '../time.js'

interface NumberRecord {
  readonly number: string
  readonly status: string
  readonly is_canceled: boolean
  readonly assigned_to: readonly string[]
  readonly acquired_date: string
}

export function NumbersView({ api }: { api: Api }) {
  const numbers = usePolling(
    async () => (await api.json<{ numbers: NumberRecord[] }>('/accounts/self/numbers')).numbers,
    60_000,
    'numbers',
  )
  return (
    <section aria-labelledby="numbers-title">
      <h1 id="numbers-title">Numbers</h1>
      {numbers.error !== null && (
        <p class="error" role="alert">
          {numbers.error.message}
        </p>
      )}
      {numbers.data !== null && numbers.data.length === 0 ? (
        <p class="empty">No numbers yet: an operator adds them (faxd numbers add).</p>
      ) : (
        <div class="scroll">
          <table class="numbers" aria-busy={numbers.data === null ? 'true' : 'false'}>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Status</th>
                <th scope="col">Assigned to</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {(numbers.data ?? []).map((n) => (
                <tr key={n.number}>
                  <td class="number">{n.number}</td>
                  <td>{n.is_canceled ? 'cancelled' : n.status.replaceAll('_', ' ')}</td>
                  <td>
                    {n.assigned_to.length === 0
                      ? 'the owner only'
                      : `${n.assigned_to.length} ${n.assigned_to.length === 1 ? 'member' : 'members'}`}
                  </td>
                  <td>{localTime(n.acquired_date)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
