/**
 * One fax: its pages as the recipient got them (or as they arrived), with zoom; its attempts
 * (time, outcome, pages, remote station, rate); downloads as PDF or TIFF and the confirmation
 * report. Each page keeps a letter-shaped frame while its image loads, so nothing moves.
 */
import { useEffect, useState } from 'preact/hooks'
import type { AttemptAnswer } from '../../../src/client/api-answers.js'
import type { Api } from '../api.js'
import { usePolling } from '../polling.js'
import { localTime } from '../time.js'
import type { FaxRecord } from './fax-list.js'
import { StatusBadge } from './status-badge.js'

type Attempt = AttemptAnswer

const ZOOMS = [
  { label: 'Fit', width: null },
  { label: '100%', width: 850 },
  { label: '200%', width: 1728 },
] as const

export function FaxView({ api, id }: { api: Api; id: string }) {
  const fax = usePolling(
    async () => {
      const [record, attempts] = await Promise.all([
        api.json<FaxRecord>(`/accounts/self/faxes/${id}`),
        api.json<{ records: Attempt[] }>(`/accounts/self/faxes/${id}/attempts`),
      ])
      return { record, attempts: attempts.records }
    },
    60_000,
    id,
  )
  const [zoom, setZoom] = useState<(typeof ZOOMS)[number]>(ZOOMS[0])

  if (fax.error !== null && fax.data === null) {
    return (
      <section>
        <h1>Fax</h1>
        <p class="error" role="alert">
          {fax.error.message}
        </p>
        {/* Which list it belongs to is not known without the record: both are offered. */}
        <p>
          Back to the <a href="#/sent">sent</a> or <a href="#/received">received</a> faxes.
        </p>
      </section>
    )
  }
  const record = fax.data?.record
  const incoming = record?.direction === 'incoming'
  return (
    <section aria-labelledby="fax-title" aria-busy={record === undefined ? 'true' : 'false'}>
      <h1 id="fax-title">
        {record === undefined
          ? 'Fax'
          : incoming
            ? `Fax from ${record.from}`
            : `Fax to ${record.to}`}
      </h1>
      <dl class="facts">
        <dt>Status</dt>
        <dd>{record ? <StatusBadge status={record.status} incoming={incoming} /> : '…'}</dd>
        <dt>Outcome</dt>
        <dd>{record?.description ?? '…'}</dd>
        <dt>Pages</dt>
        <dd>{record?.pages ?? '…'}</dd>
        <dt>Started</dt>
        <dd>{record ? localTime(record.start_time) : '…'}</dd>
        {/* Drawn for every fax, so that nothing moves when a received one's record arrives. */}
        <dt>Header line</dt>
        <dd class="header-line">{record ? (record.header ?? '—') : '…'}</dd>
      </dl>
      {/* The rest appears with the data, below what is already drawn: nothing moves. */}
      {fax.data !== null && record !== undefined && (
        <>
          <div class="actions">
            <Download
              api={api}
              path={`/accounts/self/files/${id}?format=pdf`}
              name={`fax-${id}.pdf`}
            >
              Download PDF
            </Download>
            <Download
              api={api}
              path={`/accounts/self/files/${id}?format=tiff`}
              name={`fax-${id}.tif`}
            >
              Download TIFF
            </Download>
            {!incoming && (
              <Download api={api} path={`/accounts/self/report/${id}`} name={`report-${id}.pdf`}>
                Confirmation report
              </Download>
            )}
          </div>

          <h2>Attempts</h2>
          {fax.data.attempts.length === 0 ? (
            <p>No call was made for this fax.</p>
          ) : (
            <div class="scroll">
              <table class="attempts">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Started</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Pages</th>
                    <th scope="col">Remote station</th>
                    <th scope="col" class="num">
                      Rate
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {fax.data.attempts.map((attempt) => (
                    <tr key={attempt.attempt}>
                      <td>{attempt.attempt}</td>
                      <td>{localTime(attempt.started_at)}</td>
                      <td>
                        <StatusBadge status={attempt.status} /> {attempt.description}
                      </td>
                      <td>{attempt.pages.join(', ') || 'none'}</td>
                      <td>{attempt.remote_station_id ?? '—'}</td>
                      <td class="num">
                        {attempt.bit_rate === null ? '—' : `${attempt.bit_rate} bit/s`}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}

          <h2>Pages</h2>
          <div class="zoom" role="group" aria-label="Zoom">
            {ZOOMS.map((option) => (
              <button
                key={option.label}
                type="button"
                aria-pressed={zoom === option}
                onClick={() => setZoom(option)}
              >
                {option.label}
              </button>
            ))}
          </div>
          <ol class={`pages ${zoom.width === null ? 'fit' : 'zoomed'}`}>
            {Array.from({ length: record?.pages ?? 0 }, (_, n) => (
              <li key={n}>
                <PageImage
                  api={api}
                  faxId={id}
                  page={n + 1}
                  pages={record?.pages ?? 0}
                  width={zoom.width ?? 850}
                />
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  )
}

function PageImage({
  api,
  faxId,
  page,
  pages,
  width,
}: {
  api: Api
  faxId: string
  page: number
  pages: number
  width: number
}) {
  const [url, setUrl] = useState<string | null>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    const controller = new AbortController()
    let made: string | null = null
    api
      .blob(`/accounts/self/faxes/${faxId}/pages/${page}?width=${width}`, controller.signal)
      .then((blob) => {
        made = URL.createObjectURL(blob)
        setUrl(made)
      })
      .catch(() => {
        if (!controller.signal.aborted) {
          setFailed(true)
        }
      })
    return () => {
      controller.abort()
      if (made !== null) {
        URL.revokeObjectURL(made)
      }
    }
  }, [faxId, page, width])
  return (
    <figure class="page" style={{ width: width === 850 ? undefined : `${width}px` }}>
      {url === null ? (
        <div class="page-frame" aria-busy={failed ? 'false' : 'true'}>
          {failed ? 'This page cannot be shown.' : ''}
        </div>
      ) : (
        <img class="page-frame" src={url} alt={`Page ${page} of ${pages}`} />
      )}
      <figcaption>
        {page} / {pages}
      </figcaption>
    </figure>
  )
}

/** A download the token has to be sent for: fetched, then handed to the browser as a file. */
function Download({
  api,
  path,
  name,
  children,
}: {
  api: Api
  path: string
  name: string
  children: string
}) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const save = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      const blob = await api.blob(path)
      const url = URL.createObjectURL(blob)
      const link = document.createElement('a')
      link.href = url
      link.download = name
      link.click()
      setTimeout(() => URL.revokeObjectURL(url), 60_000)
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure))
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <button type="button" onClick={() => void save()} disabled={busy}>
        {busy ? 'Preparing…' : children}
      </button>
      {error !== null && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </>
  )
}
