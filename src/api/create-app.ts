/**
 * The HTTP application: Fastify with the Fax.Plus v3 routes under /v3, the OAuth2 endpoints
 * (/login, /token), /healthz, the operator's /readyz and /metrics (routes/operator.ts) and the
 * OpenAPI document. Wires schemas, body parsers, the checks every request passes (Host,
 * encoding, storable text, the bearer token under /v3), the error handler and the answers to
 * requests Node's HTTP parser refuses (client-error.ts); routes themselves only parse, call a
 * use case and present.
 */
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import Fastify, {
  type FastifyError,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify'
import { MAX_TOTAL_FILE_BYTES } from '../domain/outbox-entry.js'
import { newId24 } from '../shared/ids.js'
import type { Services } from '../use-cases/context.js'
import { ApiError, errorAnswer } from './api-error.js'
import { authenticateRequest, requireOperation } from './authenticate-request.js'
import {
  MAX_HEAD_BYTES,
  MAX_URL_BYTES,
  ResponsesInFlight,
  answerClientError,
  refuseUnmetExpectations,
} from './client-error.js'
import { installJsonBodyParser } from './json-body-parser.js'
import { lingerOnEarlyAnswer } from './lingering-close.js'
import { OpenApiCollector } from './openapi-document.js'
import { registerAccountRoutes } from './routes/accounts.js'
import { registerFaxRoutes } from './routes/faxes.js'
import { registerFileRoutes } from './routes/files.js'
import { loadConsole, registerConsoleRoutes } from './routes/console.js'
import { registerMetaRoutes } from './routes/meta.js'
import { registerNumberRoutes } from './routes/numbers.js'
import { registerOAuthRoutes } from './routes/oauth.js'
import { registerOperatorRoutes, type OperatorOptions } from './routes/operator.js'
import { registerOutboxRoutes } from './routes/outbox.js'
import { registerWebhookRoutes } from './routes/webhooks.js'
import { SHARED_SCHEMAS } from './schemas/shared-schemas.js'
import { requireStorableFields } from './storable-text.js'
import { validationToApiError } from './validation-error.js'

export interface AppOptions {
  readonly services: Services
  /** The process's logger (shared/logger.ts, which redacts secrets); none by default. */
  readonly logger?: FastifyBaseLogger
  /**
   * Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For names the client: behind
   * one, every request would otherwise seem to come from it, and the sign-in throttle would hold
   * every user back for one attacker's failures.
   */
  readonly trustedProxies?: readonly string[]
  /** /metrics and what it counts (routes/operator.ts); without it, no /metrics. */
  readonly operator?: OperatorOptions
  /** The built web console's files (routes/console.ts loadConsole); without them, / says so. */
  readonly consoleFiles?: Awaited<ReturnType<typeof loadConsole>>
}

/**
 * An unknown field is an error, not something to strip; a wrong type is an error, not something
 * to coerce; defaults from the spec are filled in; the first violation is enough.
 */
export const AJV_OPTIONS = {
  removeAdditional: false,
  coerceTypes: false,
  useDefaults: true,
  allErrors: false,
} as const

const REQUEST_ID_HEADER = 'x-request-id'
/** What a request id given by a proxy may look like: short, and nothing a log line would mangle. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/

/** JSON bodies are small: 4000 destinations take about 80 kB. Uploads are multipart and separate. */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024

export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const responses = new ResponsesInFlight()
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    trustProxy: options.trustedProxies?.length ? [...options.trustedProxies] : false,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    // A request without Host is refused by requireHost below, in the documented form; Node
    // would answer it with an empty body.
    http: { maxHeaderSize: MAX_HEAD_BYTES, requireHostHeader: false },
    // Requests that arrive while the server closes are refused by refuseWhileClosing below.
    return503OnClosing: false,
    // Fastify calls it with the instance as `this`.
    clientErrorHandler: function (this: FastifyInstance, error, socket) {
      answerClientError(error, socket, responses, this.log)
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Every log line about a request carries its id (`reqId`), and the answer says it
    // (X-Request-Id): the one a proxy in front gave, when it looks like an id, or a new one.
    genReqId: (request) => {
      const given = request.headers[REQUEST_ID_HEADER]
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId24()
    },
    ajv: { customOptions: AJV_OPTIONS },
    schemaErrorFormatter: (errors, dataVar) => validationToApiError(errors, dataVar),
    // Errors the router finds before any handler (a bad percent-escape, an overlong parameter).
    frameworkErrors: (error, _request, reply) => {
      const answer = errorAnswer(error)
      const plain = reply as unknown as FastifyReply
      void plain.headers(answer.headers).code(answer.statusCode).send(answer.body)
    },
  })
  responses.attach(app.server)
  refuseUnmetExpectations(app.server)
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  const openApi = new OpenApiCollector()
  app.addHook('onRoute', (route) => openApi.add(route))
  app.addHook('onSend', lingerOnEarlyAnswer)
  app.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id)
  })
  for (const schema of SHARED_SCHEMAS) {
    app.addSchema(schema)
  }
  installJsonBodyParser(app)
  await app.register(formbody)
  await app.register(multipart, {
    limits: { fileSize: MAX_TOTAL_FILE_BYTES, files: 1, fields: 10 },
  })
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = errorAnswer(error)
    if (answer.statusCode >= 500 && !(error instanceof ApiError)) {
      request.log.error({ err: error }, 'request failed')
    }
    void reply.headers(answer.headers).status(answer.statusCode).send(answer.body)
  })
  app.addHook('onRequest', async (request, reply) => {
    requireHost(request)
    refuseLongUrl(request)
    if (closing) {
      refuseWhileClosing(reply)
    }
    refuseContentEncoding(request)
  })
  app.addHook('preValidation', async (request) => {
    requireStorableFields(request.params)
    requireStorableFields(request.query)
    if (isForm(request)) {
      requireStorableFields(request.body)
    }
  })
  app.setNotFoundHandler(async (request) => {
    throw new ApiError(404, 'not_found', `No route ${request.method} ${request.url}`)
  })

  registerOAuthRoutes(app, options.services)
  registerMetaRoutes(app, openApi, options.services)
  registerConsoleRoutes(app, options.consoleFiles ?? null)
  registerOperatorRoutes(app, options.services, options.operator ?? {})
  await app.register(
    async (v3) => {
      v3.addHook('onRoute', requireOperation)
      v3.addHook('onRequest', authenticateRequest(options.services))
      v3.addHook('preValidation', async (request) => requireJsonBody(request))
      registerAccountRoutes(v3, options.services)
      registerNumberRoutes(v3, options.services)
      registerFileRoutes(v3, options.services)
      registerOutboxRoutes(v3, options.services)
      registerFaxRoutes(v3, options.services)
      registerWebhookRoutes(v3, options.services)
    },
    { prefix: '/v3' },
  )
  return app
}

/** RFC 9112 §3.2: a server must refuse an HTTP/1.1 request without a Host header with 400. */
function requireHost(request: FastifyRequest): void {
  if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
    throw new ApiError(400, 'bad_request', 'An HTTP/1.1 request needs a Host header')
  }
}

function refuseLongUrl(request: FastifyRequest): void {
  if (request.raw.url !== undefined && request.raw.url.length > MAX_URL_BYTES) {
    throw new ApiError(
      414,
      'uri_too_long',
      `The URL is longer than the ${MAX_URL_BYTES} bytes faxd reads`,
    )
  }
}

/** While the server closes, a request on a connection still open is refused and the connection closed. */
function refuseWhileClosing(reply: FastifyReply): never {
  void reply.header('connection', 'close')
  throw new ApiError(503, 'service_unavailable', 'faxd is shutting down; send the request again')
}

/** Bodies are read as sent: a compressed one is refused before anything parses it. */
function refuseContentEncoding(request: FastifyRequest): void {
  const encoding = request.headers['content-encoding']
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `Content-Encoding ${encoding} is not accepted`,
    )
  }
}

function isForm(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? ''
  return type.toLowerCase().startsWith('application/x-www-form-urlencoded')
}

/** Routes with a JSON body schema take JSON only; the upload route takes multipart. */
function requireJsonBody(request: FastifyRequest): void {
  if (!request.routeOptions.schema?.body) {
    return
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json') {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `This call takes a JSON body with Content-Type: application/json, not ${type || 'no Content-Type'}`,
    )
  }
}
