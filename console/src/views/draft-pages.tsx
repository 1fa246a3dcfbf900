/**
 * Thumbnails of an uploaded document's pages as faxd will render and send them, before it is
 * sent (GET /v3/accounts/self/files/pages/{page}?path=…, which renders it in the sandbox and
 * says how many pages it makes). A strip of fixed height, so nothing moves as they arrive; a
 * document faxd cannot make into pages says why, as the fax would end.
 */
import { useEffect, useState } from 'preact/hooks'
import { type Api, ApiError } from '../api.js'

/** Thumbnails shown at most; the rest are counted. */
const SHOWN = 8
const WIDTH = 160

export function DraftPages({
  api,
  path,
  resolution,
}: {
  api: Api
  path: string
  resolution: 'fine' | 'superfine'
}) {
  const [pages, setPages] = useState<string[]>([])
  const [count, setCount] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    const controller = new AbortController()
    const made: string[] = []
    const url = (page: number) =>
      `/accounts/self/files/pages/${page}?path=${encodeURIComponent(path)}&width=${WIDTH}&resolution=${resolution}`
    const load = async (): Promise<void> => {
      const first = await api.preview(url(1), controller.signal)
      const total = first.pages ?? 1
      setCount(total)
      made.push(URL.createObjectURL(first.blob))
      setPages([...made])
      for (let page = 2; page <= Math.min(total, SHOWN); page++) {
        const next = await api.preview(url(page), controller.signal)
        made.push(URL.createObjectURL(next.blob))
        setPages([...made])
      }
    }
    setPages([])
    setCount(null)
    setError(null)
    load().catch((failure: unknown) => {
      if (!controller.signal.aborted) {
        setError(
          failure instanceof ApiError && failure.code === 'document_not_renderable'
            ? `This document cannot be sent: ${failure.message}`
            : failure instanceof Error
              ? failure.message
              : String(failure),
        )
      }
    })
    return () => {
      controller.abort()
      made.forEach((url) => URL.revokeObjectURL(url))
    }
  }, [api, path, resolution])

  return (
    <div class="draft" aria-live="polite">
      {error !== null ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : (
        <>
          <ol class="thumbs" aria-label="Pages as they will be sent">
            {pages.map((url, index) => (
              <li key={url}>
                <img src={url} alt={`Page ${index + 1} as it will be sent`} width={WIDTH / 2} />
              </li>
            ))}
          </ol>
          <p class="hint">
            {count === null
              ? 'Making the pages…'
              : `${count} ${count === 1 ? 'page' : 'pages'}${count > SHOWN ? ` (the first ${SHOWN} shown)` : ''}`}
          </p>
        </>
      )}
    </div>
  )
}
