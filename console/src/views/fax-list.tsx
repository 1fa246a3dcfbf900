/**
 * Sent or received faxes, newest first, 25 at a time ("Show more": 25 more, all refreshed),
 * refreshed every 5 seconds while the tab is visible, between two dates when asked (the API's
 * `after` and `before`). Rows keep their height while loading, so nothing moves when the data
 * arrives.
 */
import { useState } from 'preact/hooks'
import type { FaxAnswer } from '../../../src/client/api-answers.js'
import type { Api } from '../api.js'
import { usePolling } from '../polling.js'
import { localTime } from '../time.js'
import { StatusBadge } from './status-badge.js'

/** A fax record as the API answers it: the shape the command-line client reads too. */
export type FaxRecord = FaxAnswer

const PAGE = 25
/** listFaxes' largest `limit`. */
const MAX_LIMIT = 1000
const SKELETON_ROWS = 5

/** A local day's start as the API writes times: "YYYY-MM-DD HH:mm:ss" in UTC. */
function apiTimeOf(localDate: string, days: number, shiftMs = 0): string {
  const [year = 1970, month = 1, day = 1] = localDate.split('-').map(Number)
  const start = new Date(new Date(year, month - 1, day + days).getTime() + shiftMs)
  return start.toISOString().slice(0, 19).replace('T', ' ')
}

export function FaxList({ api, category }: { api: Api; category: 'sent' | 'inbox' }) {
  // "Show more" makes the refreshed list longer, up to the API's largest page: refreshing only
  // the first 25 while earlier pages stayed as loaded would lose the rows that new faxes push
  // from one to the other. Past that, pages are followed through Link as they come.
  const [shown, setShown] = useState(PAGE)
  const [more, setMore] = useState<{ records: FaxRecord[]; next: string | null } | null>(null)
  const [from, setFrom] = useState('')
  const [until, setUntil] = useState('')
  // `after` is exclusive: a second before the first day; `before` the start of the day after.
  const dates =
    (from === '' ? '' : `&after=${encodeURIComponent(apiTimeOf(from, 0, -1000))}`) +
    (until === '' ? '' : `&before=${encodeURIComponent(apiTimeOf(until, 1))}`)
  const first = usePolling(
    async () => {
      const page = await api.page<{ data: { records: FaxRecord[] } }>(
        `/accounts/self/faxes?category=${category}&limit=${shown}${dates}`,
      )
      return { records: page.body.data.records, next: page.next }
    },
    5000,
    `${category}${dates}`,
  )
  const loadMore = async (): Promise<void> => {
    if (shown < MAX_LIMIT) {
      setShown(Math.min(MAX_LIMIT, shown + PAGE))
      first.refresh()
      return
    }
    const from = more?.next ?? first.data?.next
    if (!from) {
      return
    }
    const page = await api.page<{ data: { records: FaxRecord[] } }>(from)
    setMore({ records: [...(more?.records ?? []), ...page.body.data.records], next: page.next })
  }
  const restart = (): void => {
    setShown(PAGE)
    setMore(null)
  }
  const seen = new Set<string>()
  const records = [...(first.data?.records ?? []), ...(more?.records ?? [])].filter((fax) =>
    seen.has(fax.id) ? false : (seen.add(fax.id), true),
  )
  const next = more === null ? first.data?.next : more.next
  const title = category === 'sent' ? 'Sent faxes' : 'Received faxes'

  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">{title}</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          From{' '}
          <input
            type="date"
            value={from}
            onChange={(event) => {
              restart()
              setFrom(event.currentTarget.value)
            }}
          />
        </label>
        <label>
          Until{' '}
          <input
            type="date"
            value={until}
            onChange={(event) => {
              restart()
              setUntil(event.currentTarget.value)
            }}
          />
        </label>
      </form>
      {first.error !== null && (
        <p class="error" role="alert">
          Could not refresh: {first.error.message}
        </p>
      )}
      <table class="faxes" aria-busy={first.data === null ? 'true' : 'false'}>
        <thead>
          <tr>
            <th scope="col">{category === 'sent' ? 'To' : 'From'}</th>
            <th scope="col">When</th>
            <th scope="col" class="num">
              Pages
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {first.data === null
            ? Array.from({ length: SKELETON_ROWS }, (_, n) => (
                // Four cells, as a record's row has: the columns a phone hides are the same.
                <tr key={n} class="skeleton" aria-hidden="true">
                  <td>&nbsp;</td>
                  <td>&nbsp;</td>
                  <td>&nbsp;</td>
                  <td>&nbsp;</td>
                </tr>
              ))
            : records.map((fax) => (
                <tr key={fax.id}>
                  <td>
                    <a href={`#/fax/${fax.id}`}>
                      {fax.direction === 'incoming' ? fax.from : fax.to}
                    </a>
                  </td>
                  <td>{localTime(fax.start_time)}</td>
                  <td class="num">{fax.pages}</td>
                  <td>
                    <StatusBadge status={fax.status} incoming={fax.direction === 'incoming'} />
                  </td>
                </tr>
              ))}
        </tbody>
      </table>
      {first.data !== null && records.length === 0 && (
        <p class="empty">
          {dates !== ''
            ? 'No faxes between these dates.'
            : category === 'sent'
              ? 'No faxes sent yet.'
              : 'No faxes received yet.'}
        </p>
      )}
      {next && (
        <button type="button" class="more" onClick={() => void loadMore()}>
          Show more
        </button>
      )}
    </section>
  )
}
