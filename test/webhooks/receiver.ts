/**
 * A real webhook receiver for the delivery tests: a node:http server on 127.0.0.1 that keeps
 * every request it gets (path, headers, raw body) and answers each with the next of the answers
 * it was given (the last one again once they run out), or not at all (`'hang'`).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export type Answer = number | { status: number; headers: Record<string, string> } | 'hang'

export interface Receiver {
  readonly port: number
  /** `http://127.0.0.1:<port><path>` */
  url(path?: string): string
  readonly requests: readonly ReceivedRequest[]
  /** The answers to give from now on, in order. */
  answer(...answers: Answer[]): void
  close(): Promise<void>
}

export async function startReceiver(...answers: Answer[]): Promise<Receiver> {
  const requests: ReceivedRequest[] = []
  let script: Answer[] = answers.length === 0 ? [200] : answers
  const hanging: ServerResponse[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      })
      const next = script.length > 1 ? script.shift() : script[0]
      if (next === 'hang' || next === undefined) {
        hanging.push(response)
        return
      }
      const { status, headers } = typeof next === 'number' ? { status: next, headers: {} } : next
      response.writeHead(status, { 'content-type': 'text/plain', ...headers })
      response.end(`answered ${status}`)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    requests,
    answer(...next) {
      script = next
    },
    async close() {
      for (const response of hanging) {
        response.destroy()
      }
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      )
    },
  }
}

/** A port on 127.0.0.1 where nothing listens (it did a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
