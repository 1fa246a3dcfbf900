/**
 * WebhookHttpClient over node:http and node:https. The connection goes to a checked address: a
 * host name is "resolved" by a lookup function that answers only the addresses the target guard
 * checked (an address in the URL needs no lookup), while the Host header, TLS server name and
 * certificate check still use the name. No agent (a fresh connection each time), no redirects
 * (node:http follows none), and the answer's body is not read: the status says it all.
 *
 * A user name or password in the URL is never sent: the target guard refuses such a target, and
 * this client refuses it again rather than turn it into Basic credentials.
 */
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { hasCredentials } from '../domain/webhook.js'
import { hostOf, type ResolvedAddress } from './target-guard.js'
import type {
  WebhookHttpClient,
  WebhookHttpRequest,
  WebhookHttpResponse,
} from './webhook-http-client.js'

export class NodeWebhookHttpClient implements WebhookHttpClient {
  post(request: WebhookHttpRequest): Promise<WebhookHttpResponse> {
    const { url, body, timeoutMs } = request
    if (hasCredentials(url)) {
      return Promise.reject(new Error('a target with a user name or password is never called'))
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    return new Promise<WebhookHttpResponse>((resolve, reject) => {
      const outgoing = send({
        protocol: url.protocol,
        hostname: hostOf(url),
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { ...request.headers, 'Content-Length': String(Buffer.byteLength(body)) },
        agent: false,
        lookup: pinnedLookup(request.addresses),
      })
      const timer = setTimeout(() => {
        outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`))
      }, timeoutMs)
      outgoing.on('response', (incoming) => {
        clearTimeout(timer)
        const location = incoming.headers.location ?? null
        resolve({ statusCode: incoming.statusCode ?? 0, location })
        incoming.destroy()
      })
      outgoing.on('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      outgoing.end(body)
    })
  }
}

/** A lookup that never asks DNS: it answers the checked addresses of the wanted family. */
function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const wanted = familyNumber(options.family)
    const usable = addresses.filter((a) => wanted === 0 || a.family === wanted)
    const first = usable[0]
    if (first === undefined) {
      const error: NodeJS.ErrnoException = new Error(`no checked address of ${hostname}`)
      error.code = 'ENOTFOUND'
      callback(error, '', 0)
      return
    }
    if (options.all === true) {
      callback(
        null,
        usable.map((a) => ({ address: a.address, family: a.family })),
      )
    } else {
      callback(null, first.address, first.family)
    }
  }
}

function familyNumber(family: number | string | undefined): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') {
    return 4
  }
  return family === 6 || family === 'IPv6' ? 6 : 0
}
