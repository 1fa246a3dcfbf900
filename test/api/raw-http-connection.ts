/**
 * A TCP connection to a listening faxd that writes bytes as given, so a test can send what no
 * HTTP client would (a bad request line, two Content-Lengths, a 20 KB URL) and read the answers
 * as they come. `send` resolves once the server has read everything sent so far, so each piece
 * reaches Node's HTTP parser as a chunk of its own: a URL sent in three pieces is parsed in
 * three reads, as it may be over a real network.
 */
import { once } from 'node:events'
import type { Server } from 'node:http'
import net from 'node:net'

export interface RawResponse {
  readonly status: number
  /** Header names in lower case; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export class RawConnection {
  readonly #client: net.Socket
  readonly #server: net.Socket
  #received = Buffer.alloc(0)
  #sent = 0
  #closed = false
  readonly #changed = new Set<() => void>()

  private constructor(client: net.Socket, server: net.Socket) {
    this.#client = client
    this.#server = server
    const notify = (): void => {
      for (const wake of [...this.#changed]) {
        wake()
      }
    }
    client.on('data', (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk])
      notify()
    })
    // A reset after the answer is the server's business; the test looks at what arrived.
    client.on('error', () => undefined)
    client.on('close', () => {
      this.#closed = true
      notify()
    })
    server.on('data', notify)
    server.on('close', notify)
  }

  /** Connects to `server`, listening on 127.0.0.1:`port`, and takes its end of the connection. */
  static async open(server: Server, port: number): Promise<RawConnection> {
    const accepted = once(server, 'connection') as Promise<[net.Socket]>
    const client = net.connect(port, '127.0.0.1')
    await once(client, 'connect')
    const [serverSide] = await accepted
    return new RawConnection(client, serverSide)
  }

  /** Writes `bytes` and waits until the server has read all that was sent (or closed). */
  async send(bytes: string | Buffer): Promise<void> {
    this.#sent += Buffer.byteLength(bytes)
    this.#client.write(bytes)
    await this.#until(() => this.#server.bytesRead >= this.#sent || this.#server.destroyed)
  }

  /** The next whole response, taken from what has arrived; fails if the connection closes first. */
  async response(): Promise<RawResponse> {
    let found = parseResponse(this.#received, this.#closed)
    await this.#until(() => {
      found = parseResponse(this.#received, this.#closed)
      return found !== null || this.#closed
    })
    if (found === null) {
      throw new Error(
        `the connection closed without a whole response: ${JSON.stringify(this.#received.toString('latin1'))}`,
      )
    }
    this.#received = this.#received.subarray(found.length)
    return found.response
  }

  /** Waits for the server to close the connection; answers what arrived after the last response. */
  async closed(): Promise<string> {
    await this.#until(() => this.#closed)
    return this.#received.toString('latin1')
  }

  /** The server's end of the connection. */
  get serverSocket(): net.Socket {
    return this.#server
  }

  #until(done: () => boolean): Promise<void> {
    if (done()) {
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const wake = (): void => {
        if (done()) {
          this.#changed.delete(wake)
          resolve()
        }
      }
      this.#changed.add(wake)
    })
  }
}

/** One response from the start of `bytes`, by Content-Length (or up to the close without one). */
function parseResponse(
  bytes: Buffer,
  closed: boolean,
): { response: RawResponse; length: number } | null {
  const headEnd = bytes.indexOf('\r\n\r\n')
  if (headEnd < 0) {
    return null
  }
  const [statusLine = '', ...lines] = bytes.toString('latin1', 0, headEnd).split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN)
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const bodyStart = headEnd + 4
  const declared = headers['content-length']
  let bodyEnd: number
  if (declared !== undefined) {
    bodyEnd = bodyStart + Number(declared)
    if (bytes.length < bodyEnd) {
      return null
    }
  } else if (closed) {
    bodyEnd = bytes.length
  } else {
    return null
  }
  const body = bytes.toString('utf8', bodyStart, bodyEnd)
  return { response: { status, headers, body }, length: bodyEnd }
}
