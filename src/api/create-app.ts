/**
 * The HTTP application: Fastify with the Fax.Plus v3 routes under /v3, the OAuth2 endpoints
 * (/login, /token), /healthz and the OpenAPI document. Wires schemas, the bearer check and the
 * single error handler; routes themselves only parse, call a use case and present.
 */
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify'
import { DomainError } from '../domain/domain-error.js'
import { MAX_TOTAL_FILE_BYTES } from '../domain/outbox-entry.js'
import type { Services } from '../use-cases/context.js'
import { ApiError, DOMAIN_ERROR_STATUS, type ErrorBody } from './api-error.js'
import { authenticateRequest, requireOperation } from './authenticate-request.js'
import { OpenApiCollector } from './openapi-document.js'
import { registerAccountRoutes } from './routes/accounts.js'
import { registerFaxRoutes } from './routes/faxes.js'
import { registerFileRoutes } from './routes/files.js'
import { registerMetaRoutes } from './routes/meta.js'
import { registerNumberRoutes } from './routes/numbers.js'
import { registerOAuthRoutes } from './routes/oauth.js'
import { registerOutboxRoutes } from './routes/outbox.js'
import { registerWebhookRoutes } from './routes/webhooks.js'
import { SHARED_SCHEMAS } from './schemas/shared-schemas.js'
import { validationToApiError } from './validation-error.js'

export interface AppOptions {
  readonly services: Services
  readonly logger?: FastifyServerOptions['logger']
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

/** JSON bodies are small: 4000 destinations take about 80 kB. Uploads are multipart and separate. */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024

export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: { customOptions: AJV_OPTIONS },
    schemaErrorFormatter: (errors, dataVar) => validationToApiError(errors, dataVar),
  })
  const openApi = new OpenApiCollector()
  app.addHook('onRoute', (route) => openApi.add(route))
  for (const schema of SHARED_SCHEMAS) {
    app.addSchema(schema)
  }
  installJsonParser(app)
  await app.register(formbody)
  await app.register(multipart, {
    limits: { fileSize: MAX_TOTAL_FILE_BYTES, files: 1, fields: 10 },
  })
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { statusCode, body } = toErrorAnswer(error)
    if (statusCode >= 500) {
      request.log.error({ err: error }, 'request failed')
    }
    const challenge = BEARER_CHALLENGES[body.error]
    if (challenge) {
      void reply.header('www-authenticate', challenge)
    }
    void reply.status(statusCode).send(body)
  })
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ error: 'not_found', description: `No route ${request.method} ${request.url}` })
  })

  registerOAuthRoutes(app, options.services)
  registerMetaRoutes(app, openApi)
  await app.register(
    async (v3) => {
      v3.addHook('onRoute', requireOperation)
      v3.addHook('onRequest', authenticateRequest(options.services))
      v3.addHook('preValidation', async (request) => {
        requireJsonBody(request)
        refuseUnstorableText(request.params)
        refuseUnstorableText(request.query)
      })
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

/**
 * JSON with two tolerances the official SDKs need: the Python SDK sends
 * `Content-Type: application/json` with an empty body on GET and DELETE, and nothing should
 * answer 500 for a body that is not JSON at all.
 */
function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const raw = typeof text === 'string' ? text : text.toString('utf8')
    const source = raw.startsWith('\uFEFF') ? raw.slice(1) : raw
    if (source.trim() === '') {
      done(null, undefined)
      return
    }
    let body: unknown
    try {
      // Only a body that escapes NUL or a surrogate pays for the reviver's walk.
      body = MAY_HOLD_UNSTORABLE.test(source)
        ? JSON.parse(source, refuseUnstorable)
        : JSON.parse(source)
    } catch (error) {
      if (error instanceof ApiError) {
        done(error, undefined)
        return
      }
      const reason = error instanceof Error ? error.message : 'unreadable'
      done(new ApiError(400, 'invalid_json', `The body is not valid JSON: ${reason}`), undefined)
      return
    }
    done(null, body)
  })
}

/**
 * Text we could not store as given: U+0000 (PostgreSQL refuses it in text) and lone
 * surrogates (not Unicode; both engines would store U+FFFD instead). Refused, not altered.
 */
const MAY_HOLD_UNSTORABLE = /\\u(0000|d[89a-f])/i

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function isStorable(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text)
}

function unstorable(): ApiError {
  return new ApiError(
    400,
    'invalid_character',
    'Text may not contain U+0000 or unpaired surrogates',
  )
}

function refuseUnstorable(key: string, value: unknown): unknown {
  if (!isStorable(key) || (typeof value === 'string' && !isStorable(value))) {
    throw unstorable()
  }
  return value
}

function refuseUnstorableText(values: unknown): void {
  if (values && typeof values === 'object') {
    for (const [key, value] of Object.entries(values)) {
      if (!isStorable(key) || (typeof value === 'string' && !isStorable(value))) {
        throw unstorable()
      }
    }
  }
}

/** Routes with a JSON body schema take JSON only, not compressed; the upload route takes multipart. */
function requireJsonBody(request: import('fastify').FastifyRequest): void {
  const encoding = request.headers['content-encoding']
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `Content-Encoding ${encoding} is not accepted`,
    )
  }
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

/** RFC 6750 §3: a 401 or 403 for a bearer token says why in WWW-Authenticate. */
const BEARER_CHALLENGES: Readonly<Record<string, string>> = {
  missing_token: 'Bearer',
  malformed_token: 'Bearer error="invalid_request"',
  invalid_token: 'Bearer error="invalid_token"',
  token_expired: 'Bearer error="invalid_token", error_description="The access token expired"',
  client_id_required: 'Bearer error="invalid_request"',
  invalid_client_id: 'Bearer error="invalid_token"',
  insufficient_scope: 'Bearer error="insufficient_scope"',
}

const FASTIFY_CODES: Readonly<Record<string, [number, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'request_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_request_body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json'],
  FST_REQ_FILE_TOO_LARGE: [413, 'files_too_large'],
  FST_FILES_LIMIT: [400, 'too_many_files'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [415, 'unsupported_media_type'],
  FST_PROTO_VIOLATION: [400, 'invalid_request_body'],
}

function toErrorAnswer(error: FastifyError): { statusCode: number; body: ErrorBody } {
  if (error instanceof ApiError) {
    return { statusCode: error.statusCode, body: { error: error.code, description: error.message } }
  }
  if (error instanceof DomainError) {
    return {
      statusCode: DOMAIN_ERROR_STATUS[error.code],
      body: { error: error.code, description: error.message },
    }
  }
  if (error.validation) {
    const apiError = validationToApiError(error.validation, error.validationContext ?? 'body')
    return { statusCode: 400, body: { error: apiError.code, description: apiError.message } }
  }
  const known = FASTIFY_CODES[error.code]
  if (known) {
    return { statusCode: known[0], body: { error: known[1], description: error.message } }
  }
  const statusCode = error.statusCode ?? 500
  if (statusCode >= 400 && statusCode < 500) {
    return { statusCode, body: { error: 'bad_request', description: error.message } }
  }
  return {
    statusCode: 500,
    body: {
      error: 'internal_server_error',
      description: 'An unexpected error happened; it has been logged',
    },
  }
}
