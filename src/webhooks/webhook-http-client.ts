/**
 * The port through which deliveries reach receivers: one POST, to addresses already checked by
 * the target guard, answered by the status (and Location, to say where a redirect that is not
 * followed pointed). node-http-client.ts is the implementation.
 */
import type { ResolvedAddress } from './target-guard.js'

export interface WebhookHttpRequest {
  readonly url: URL
  /** The addresses the target guard checked; the request connects to one of these only. */
  readonly addresses: readonly ResolvedAddress[]
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** The whole exchange, connection to status line, must end within this time. */
  readonly timeoutMs: number
}

export interface WebhookHttpResponse {
  readonly statusCode: number
  readonly location: string | null
}

export interface WebhookHttpClient {
  /** Answers the receiver's status; throws on a network error or when the time runs out. */
  post(request: WebhookHttpRequest): Promise<WebhookHttpResponse>
}
