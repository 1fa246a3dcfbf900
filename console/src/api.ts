/**
 * The faxd API as the console reaches it: the public /v3 routes, with the credentials the
 * person signed in with (credentials.ts), and nothing else (the console has no back door into
 * the server). An answer other than 2xx becomes an ApiError with the API's own code and
 * description.
 */
import type { Credentials } from './credentials.js'

export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  readonly code: string
  /** The field a validation error names (`body field to.0 must …`), when it names one. */
  readonly field: string | null

  constructor(status: number, code: string, description: string) {
    super(description)
    this.status = status
    this.code = code
    this.field = /^body field ([\w.]+) /.exec(description)?.[1] ?? null
  }
}

export interface Page<T> {
  readonly body: T
  /** The next page's URL (the Link header's rel="next"), relative to /v3; null on the last. */
  readonly next: string | null
}

export class Api {
  readonly #credentials: Credentials

  constructor(credentials: Credentials) {
    this.#credentials = credentials
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await this.fetch(path, init)
    const text = await response.text()
    return (text === '' ? {} : JSON.parse(text)) as T
  }

  /** A listing page and where the next one is. */
  async page<T>(path: string): Promise<Page<T>> {
    const response = await this.fetch(path, {})
    return { body: (await response.json()) as T, next: nextLink(response.headers.get('link')) }
  }

  /** A page preview and the page count its answer names (X-Fax-Pages: upload previews). */
  async preview(path: string, signal?: AbortSignal): Promise<{ blob: Blob; pages: number | null }> {
    const response = await this.fetch(path, signal === undefined ? {} : { signal })
    const pages = response.headers.get('x-fax-pages')
    return { blob: await response.blob(), pages: pages === null ? null : Number(pages) }
  }

  /** Bytes (a page's PNG, a PDF): fetched with the token, which an <img src> cannot carry. */
  async blob(path: string, signal?: AbortSignal): Promise<Blob> {
    return (await this.fetch(path, signal === undefined ? {} : { signal })).blob()
  }

  /**
   * Uploads a document (uploadFile), telling `onProgress` the share sent (0–1): fetch cannot
   * tell, XMLHttpRequest can. Answers the path sendFax names it by. `signal` stops the upload.
   */
  async upload(
    file: File,
    onProgress: (share: number) => void,
    signal?: AbortSignal,
  ): Promise<string> {
    const headers = await this.#credentials.headers()
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest()
      signal?.addEventListener('abort', () => request.abort(), { once: true })
      request.open('POST', '/v3/accounts/self/files')
      for (const [name, value] of Object.entries(headers)) {
        request.setRequestHeader(name, value)
      }
      request.upload.onprogress = (event) => {
        if (event.lengthComputable) {
          onProgress(event.loaded / event.total)
        }
      }
      request.onload = () => {
        if (request.status === 200) {
          try {
            resolve((JSON.parse(request.responseText) as { path: string }).path)
          } catch {
            reject(
              new ApiError(200, 'bad_answer', 'The server answered the upload in an unknown form'),
            )
          }
          return
        }
        void apiError(new Response(request.responseText, { status: request.status })).then(reject)
      }
      request.onerror = () => reject(new ApiError(0, 'unreachable', 'The server cannot be reached'))
      request.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was stopped'))
      const form = new FormData()
      form.append('fax_file', file, file.name)
      request.send(form)
    })
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    const send = async () =>
      fetch(`/v3${path}`, {
        ...init,
        headers: { ...(await this.#credentials.headers()), ...(init.headers ?? {}) },
      })
    let response = await send()
    // An access token that ended early (revoked, or the clock of this machine is off): one
    // refresh, and the request once more.
    if (response.status === 401 && (await this.#credentials.renew())) {
      response = await send()
    }
    if (!response.ok) {
      throw await apiError(response)
    }
    return response
  }
}

async function apiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '')
  try {
    const body = JSON.parse(text) as { error?: unknown; description?: unknown }
    if (typeof body.error === 'string') {
      const description = typeof body.description === 'string' ? body.description : body.error
      return new ApiError(response.status, body.error, description)
    }
  } catch {
    // Not the API's form (a proxy's page): said by its status below.
  }
  return new ApiError(
    response.status,
    `http_${response.status}`,
    `The server answered ${response.status}`,
  )
}

/** RFC 8288: the URL of rel="next", made relative to /v3 as the API writes it. */
function nextLink(header: string | null): string | null {
  const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header ?? '')
  if (!match?.[1]) {
    return null
  }
  const url = new URL(match[1], window.location.origin)
  return `${url.pathname.replace(/^\/v3/, '')}${url.search}`
}
