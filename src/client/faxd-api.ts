/**
 * The faxd API (Fax.Plus v3) as the client commands reach it: over HTTP with a bearer token,
 * like any other client, never through the store. An answer other than 2xx becomes an
 * ApiRequestError with the API's own code and description (`{"error", "description"}`); a
 * server that cannot be reached becomes a ServerUnreachableError that says which.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { Readable } from 'node:stream'
import type { Login } from './saved-login.js'

/** How long a request other than an upload or a download may take before it is given up. */
const REQUEST_TIMEOUT_MS = 30_000

export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError'
  readonly status: number
  readonly code: string

  constructor(status: number, code: string, description: string) {
    super(description)
    this.status = status
    this.code = code
  }
}

export class ServerUnreachableError extends Error {
  override readonly name = 'ServerUnreachableError'
}

/** The file being uploaded could not be read to its end (it changed, or a read failed). */
export class UploadReadError extends Error {
  override readonly name = 'UploadReadError'
}

export interface UploadProgress {
  readonly sent: number
  readonly total: number
}

export interface Download {
  readonly body: AsyncIterable<Uint8Array>
  /** The size the server announced, when it did. */
  readonly size: number | null
  readonly contentType: string
}

type Query = Readonly<Record<string, string | undefined>>

export class FaxdApi {
  private readonly login: Login
  private readonly signal: AbortSignal | undefined

  constructor(login: Login, signal?: AbortSignal) {
    this.login = login
    this.signal = signal
  }

  /** GET a JSON answer of the v3 API: `path` as the API reference writes it (`/accounts/self`). */
  async get<T>(path: string, query: Query = {}): Promise<T> {
    const response = await this.request('GET', path, query, {})
    return (await response.json()) as T
  }

  /**
   * POST a JSON body; answers the JSON answer and the Location header, when there is one. A
   * ServerUnreachableError here may come after the server acted on the request.
   */
  async post<T>(
    path: string,
    body: unknown,
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<{ body: T; location: string | null }> {
    const response = await this.request(
      'POST',
      path,
      {},
      {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        timeoutMs,
      },
    )
    const text = await response.text()
    return {
      body: (text === '' ? {} : JSON.parse(text)) as T,
      location: response.headers.get('location'),
    }
  }

  /**
   * Uploads a document as the one `fax_file` part of a multipart body (uploadFile), reading it
   * from disk as the server takes it; `onProgress` hears of each piece sent. Answers the path
   * sendFax names it by.
   */
  async upload(filePath: string, onProgress: (progress: UploadProgress) => void): Promise<string> {
    const size = (await stat(filePath)).size
    const boundary = `faxd-${crypto.randomUUID()}`
    const head = Buffer.from(
      `--${boundary}\r\n` +
        `Content-Disposition: form-data; name="fax_file"; filename="${formFileName(basename(filePath))}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    )
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
    let sent = 0
    // Small pieces, one at a time (highWaterMark 1 below): what is counted as sent is what
    // fetch has taken for the socket, not what sits in a buffer on its way there.
    async function* parts(): AsyncGenerator<Uint8Array> {
      yield head
      try {
        // Exactly the bytes Content-Length announced, even if the file grows meanwhile.
        const file = createReadStream(filePath, { highWaterMark: 64 * 1024, end: size - 1 })
        for await (const chunk of size === 0 ? [] : file) {
          yield chunk as Buffer
          sent += (chunk as Buffer).length
          onProgress({ sent, total: size })
        }
      } catch (error) {
        throw new UploadReadError(
          `${filePath} could not be read while it was sent (${String(error)})`,
        )
      }
      if (sent !== size) {
        throw new UploadReadError(`${filePath} shrank while it was sent: ${sent} of ${size} bytes`)
      }
      yield tail
    }
    const response = await this.request(
      'POST',
      '/accounts/self/files',
      {},
      {
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + size + tail.length),
        },
        body: Readable.toWeb(
          Readable.from(parts(), { highWaterMark: 1 }),
        ) as ReadableStream<Uint8Array>,
        duplex: 'half',
        timeoutMs: null,
      },
    )
    const { path } = (await response.json()) as { path: string }
    return path
  }

  /** GET the bytes of a download, as they arrive. */
  async download(path: string, query: Query, accept: string): Promise<Download> {
    const response = await this.request('GET', path, query, {
      headers: { accept },
      timeoutMs: null,
    })
    const length = response.headers.get('content-length')
    if (response.body === null) {
      throw new ApiRequestError(response.status, 'empty_answer', 'the server sent no file')
    }
    return {
      body: Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
      size: length === null ? null : Number(length),
      contentType: response.headers.get('content-type') ?? '',
    }
  }

  private async request(
    method: string,
    path: string,
    query: Query,
    init: {
      headers?: Record<string, string>
      body?: string | ReadableStream<Uint8Array>
      duplex?: 'half'
      /** How long to wait for the answer's head; null: as long as it takes (uploads, downloads). */
      timeoutMs?: number | null
    },
  ): Promise<Response> {
    const url = new URL(`${this.login.url}/v3${path}`)
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) {
        url.searchParams.set(name, value)
      }
    }
    const timeoutMs = init.timeoutMs === undefined ? REQUEST_TIMEOUT_MS : init.timeoutMs
    const signals = [
      ...(this.signal ? [this.signal] : []),
      ...(timeoutMs === null ? [] : [AbortSignal.timeout(timeoutMs)]),
    ]
    let response: Response
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.login.token}`, ...init.headers },
        ...(init.body === undefined ? {} : { body: init.body }),
        ...(init.duplex === undefined ? {} : { duplex: init.duplex }),
        ...(signals.length === 0 ? {} : { signal: AbortSignal.any(signals) }),
      })
    } catch (error) {
      throw unreachable(this.login.url, error, timeoutMs)
    }
    if (!response.ok) {
      throw await requestError(response)
    }
    return response
  }
}

/** The API's own error, or what the status says when the answer is not in its form. */
async function requestError(response: Response): Promise<ApiRequestError> {
  const text = await response.text().catch(() => '')
  try {
    const body = JSON.parse(text) as {
      error?: unknown
      description?: unknown
      error_description?: unknown
    }
    const description = body.description ?? body.error_description
    if (typeof body.error === 'string') {
      return new ApiRequestError(
        response.status,
        body.error,
        typeof description === 'string' ? description : body.error,
      )
    }
  } catch {
    // Not JSON: a proxy's page, most likely; said below by its status.
  }
  return new ApiRequestError(
    response.status,
    `http_${response.status}`,
    `the server answered ${response.status} ${response.statusText}`.trim(),
  )
}

function unreachable(url: string, error: unknown, timeoutMs: number | null): Error {
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return error.name === 'TimeoutError'
      ? new ServerUnreachableError(`${url} did not answer within ${(timeoutMs ?? 0) / 1000} s`)
      : error
  }
  // A file that cannot be read while it is sent fails the body, not the connection.
  const cause = (error as { cause?: unknown }).cause
  if (cause instanceof UploadReadError) {
    return cause
  }
  const reason = cause as { code?: unknown; message?: unknown } | undefined
  const why = typeof reason?.code === 'string' ? reason.code : String(reason?.message ?? error)
  return new ServerUnreachableError(`cannot reach ${url} (${why})`)
}

/**
 * A file name as a form's filename parameter carries it: a quote and line breaks escaped as the
 * HTML standard's multipart/form-data encoding does (%22, %0D, %0A).
 */
function formFileName(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}
