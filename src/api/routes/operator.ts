/**
 * The operator's routes, without the API's credentials (docs/operating.md):
 * - /readyz: whether this process can serve now. Three checks, each within
 *   HEALTH_CHECK_TIMEOUT_MS: the database answers, its schema has exactly this code's
 *   migrations (none missing, none from a newer faxd), and the file store takes a small file
 *   (written, then deleted). 200 `{status: "ok", checks}` when all pass; otherwise 503 in the
 *   API's error shape, `{error: "not_ready", description, checks}`, each check saying what
 *   failed, with Retry-After. /healthz (meta.ts) stays the liveness probe.
 * - /metrics: the Prometheus text format (when the app is given metrics). With a metrics token
 *   (FAXD_METRICS_TOKEN) it asks for `Authorization: Bearer <token>`.
 */
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { bearsToken } from '../../shared/bearer-token.js'
import { settleWithin } from '../../shared/deadline.js'
import type { Services } from '../../use-cases/context.js'
import { ApiError } from '../api-error.js'
import { HEALTH_CHECK_TIMEOUT_MS } from './meta.js'

/** What /metrics shows, and what every answered request is counted into. */
export interface MetricsEndpoint {
  exposition(): Promise<string>
  httpResponse(method: string, route: string | undefined, status: number, seconds: number): void
}

export interface OperatorOptions {
  readonly metrics?: MetricsEndpoint
  /** When set, /metrics answers only a request that bears it. */
  readonly metricsToken?: string
}

/** Prometheus's text format, version 0.0.4. */
const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'
const PROBE_KEY_PREFIX = 'readyz/probe-'
const RETRY_AFTER_SECONDS = 5

export function registerOperatorRoutes(
  app: FastifyInstance,
  services: Pick<Services, 'store' | 'files'>,
  options: OperatorOptions,
): void {
  app.get('/readyz', async (_request, reply) => {
    const checks = await readinessChecks(services)
    const failed = Object.entries(checks).filter(([, result]) => result !== 'ok')
    if (failed.length === 0) {
      return { status: 'ok', checks }
    }
    void reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS))
    return {
      error: 'not_ready',
      description: failed.map(([name, result]) => `${name}: ${result}`).join('; '),
      checks,
    }
  })

  const metrics = options.metrics
  if (metrics === undefined) {
    return
  }
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpResponse(
      request.method,
      request.routeOptions.url,
      reply.statusCode,
      reply.elapsedTime / 1000,
    )
  })
  const token = options.metricsToken
  app.get('/metrics', async (request, reply) => {
    if (token !== undefined && !bearsToken(request.headers.authorization, token)) {
      void reply.header('www-authenticate', 'Bearer realm="faxd metrics"')
      throw new ApiError(
        401,
        'invalid_token',
        '/metrics needs the metrics token (FAXD_METRICS_TOKEN)',
      )
    }
    void reply.type(METRICS_CONTENT_TYPE).header('cache-control', 'no-store')
    return metrics.exposition()
  })
}

/** 'ok', or what went wrong. */
type CheckResult = string

async function readinessChecks(
  services: Pick<Services, 'store' | 'files'>,
): Promise<Record<'database' | 'migrations' | 'files', CheckResult>> {
  const [database, migrations, files] = await Promise.all([
    check(() => services.store.ping()),
    check(async () => {
      const { missing, unknown } = await services.store.schemaStatus()
      if (unknown.length > 0) {
        throw new Error(
          `the database has migrations this faxd does not know (${unknown.join(', ')}): ` +
            'a newer faxd migrated it; upgrade this one',
        )
      }
      if (missing.length > 0) {
        throw new Error(`migrations not run yet: ${missing.join(', ')}`)
      }
    }),
    check(async () => {
      const key = `${PROBE_KEY_PREFIX}${process.pid}-${Date.now()}`
      const bytes = new TextEncoder().encode('faxd readiness probe\n')
      await services.files.put(key, Readable.from([bytes]), bytes.length)
      await services.files.delete(key)
    }),
  ])
  return { database, migrations, files }
}

/** 'ok', or what went wrong: an error, or no answer within HEALTH_CHECK_TIMEOUT_MS. */
async function check(probe: () => Promise<void>): Promise<CheckResult> {
  return settleWithin(
    probe().then(
      () => 'ok',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    ),
    HEALTH_CHECK_TIMEOUT_MS,
    () => `no answer within ${HEALTH_CHECK_TIMEOUT_MS} ms`,
  )
}
