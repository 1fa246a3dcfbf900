/**
 * The /metrics of a process without an HTTP API (`faxd worker`, FAXD_METRICS_LISTEN): a plain
 * HTTP server that answers GET /metrics with the Prometheus text format and every other
 * request with 404. With a token, a scrape must bear it (`Authorization: Bearer …`).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { bearsToken } from '../shared/bearer-token.js'

export interface MetricsSource {
  exposition(): Promise<string>
}

export interface MetricsServer {
  /** Where it listens, e.g. http://127.0.0.1:9464. */
  readonly url: string
  close(): Promise<void>
}

export async function startMetricsServer(
  metrics: MetricsSource,
  listen: { readonly host: string; readonly port: number },
  token: string | null,
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0]
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      response.end('faxd worker: only GET /metrics is here\n')
      return
    }
    if (token !== null && !bearsToken(request.headers.authorization, token)) {
      response.writeHead(401, {
        'content-type': 'text/plain; charset=utf-8',
        'www-authenticate': 'Bearer realm="faxd metrics"',
      })
      response.end('/metrics needs the metrics token (FAXD_METRICS_TOKEN)\n')
      return
    }
    metrics.exposition().then(
      (text) => {
        response.writeHead(200, {
          'content-type': 'text/plain; version=0.0.4; charset=utf-8',
          'cache-control': 'no-store',
        })
        response.end(text)
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
        response.end(`the metrics could not be read: ${String(error)}\n`)
      },
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { address, port } = server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
