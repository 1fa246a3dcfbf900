/**
 * Service routes without credentials: health and the OpenAPI document. /healthz asks the store a
 * trivial query: 200 `{status: 'ok'}` when it answers within HEALTH_CHECK_TIMEOUT_MS, otherwise
 * 503 `service_unavailable` with Retry-After, as any request the store cannot serve is answered
 * (api-error.ts), so a load balancer stops sending requests this process cannot answer.
 */
import type { FastifyInstance } from 'fastify'
import { StoreUnavailableError } from '../../domain/store-unavailable.js'
import { settleWithin } from '../../shared/deadline.js'
import type { Services } from '../../use-cases/context.js'
import type { OpenApiCollector } from '../openapi-document.js'

/** Long enough for a loaded database, short enough for a load balancer's probe. */
export const HEALTH_CHECK_TIMEOUT_MS = 2_000

export function registerMetaRoutes(
  app: FastifyInstance,
  openApi: OpenApiCollector,
  services: Pick<Services, 'store'>,
): void {
  app.get('/healthz', async () => {
    await pingWithin(services, HEALTH_CHECK_TIMEOUT_MS)
    return { status: 'ok' }
  })
  let document: Record<string, unknown> | null = null
  app.get('/v3/openapi.json', async () => (document ??= openApi.document()))
}

/** Throws StoreUnavailableError unless the store answers a trivial query within `timeoutMs`. */
async function pingWithin(services: Pick<Services, 'store'>, timeoutMs: number): Promise<void> {
  try {
    await settleWithin(services.store.ping(), timeoutMs, () => {
      throw new StoreUnavailableError('unreachable', `no answer within ${timeoutMs} ms`)
    })
  } catch (error) {
    throw error instanceof StoreUnavailableError
      ? error
      : new StoreUnavailableError('unreachable', 'the store failed its health check', {
          cause: error,
        })
  }
}
