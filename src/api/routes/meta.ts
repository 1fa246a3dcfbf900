/** Service routes without credentials: liveness and the OpenAPI document. */
import type { FastifyInstance } from 'fastify'
import type { OpenApiCollector } from '../openapi-document.js'

export function registerMetaRoutes(app: FastifyInstance, openApi: OpenApiCollector): void {
  app.get('/healthz', async () => ({ status: 'ok' }))
  let document: Record<string, unknown> | null = null
  app.get('/v3/openapi.json', async () => (document ??= openApi.document()))
}
