/**
 * Builds the OpenAPI 3.0 document of what faxd serves from the routes themselves: every /v3
 * route contributes its path, parameters, body and answers, and every named schema its
 * component. So the document cannot drift from the code: a route that exists is described.
 */
import type { RouteOptions } from 'fastify'
import { OAUTH_SCOPE_ALL, SCOPE_WORDS } from '../domain/scopes.js'
import type { RouteConfig } from './route-config.js'
import { SHARED_SCHEMAS } from './schemas/shared-schemas.js'

type Json = Record<string, unknown>

interface Operation {
  readonly method: string
  readonly path: string
  readonly config: RouteConfig
  readonly schema: Json
}

export class OpenApiCollector {
  readonly #operations: Operation[] = []

  add(route: RouteOptions): void {
    const config = route.config?.operation
    if (!config) {
      return
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) {
      if (method === 'HEAD') {
        continue
      }
      this.#operations.push({
        method: method.toLowerCase(),
        path: route.url.replace(/^\/v3/, '').replace(/:([A-Za-z_]+)/g, '{$1}'),
        config,
        schema: (route.schema ?? {}) as Json,
      })
    }
  }

  document(): Json {
    const paths: Record<string, Record<string, Json>> = {}
    for (const op of this.#operations) {
      paths[op.path] ??= {}
      paths[op.path]![op.method] = describe(op)
    }
    const schemas: Json = {}
    for (const schema of SHARED_SCHEMAS) {
      const { $id, ...rest } = schema as Json & { $id: string }
      schemas[$id] = rewriteRefs(rest)
    }
    return {
      openapi: '3.0.3',
      info: {
        title: 'faxd: the Fax.Plus REST API v3, self-hosted',
        version: '3.4.0-faxd',
        description:
          'The operations faxd implements. sendFax follows the Fax.Plus 3.4.0 page; error codes are in docs/errors.md. ' +
          'All times are UTC.',
      },
      servers: [{ url: '/v3' }],
      paths,
      components: {
        schemas,
        securitySchemes: {
          personal_access_token: {
            type: 'http',
            scheme: 'bearer',
            description: 'faxd_pat_… from `faxd tokens create`',
          },
          oauth2: {
            type: 'oauth2',
            description: 'Authorization code grant; API calls also carry x-fax-clientid',
            flows: {
              authorizationCode: {
                authorizationUrl: '/login',
                tokenUrl: '/token',
                // What an application may ask for at /login (docs/authentication.md).
                scopes: { ...SCOPE_WORDS },
              },
            },
          },
        },
        responses: {
          Error: {
            description: 'An error',
            content: { 'application/json': { schema: ref('Error') } },
          },
        },
      },
    }
  }
}

function describe(op: Operation): Json {
  const { config, schema } = op
  const parameters = [
    ...toParameters(schema['params'] as Json | undefined, 'path'),
    ...toParameters(schema['querystring'] as Json | undefined, 'query'),
  ]
  const success = config.success
  const successSchema = typeof success.schema === 'string' ? ref(success.schema) : success.schema
  const answer: Json = { description: success.description }
  if (success.headers) {
    answer['headers'] = success.headers
  }
  if (successSchema) {
    const types = [success.contentType ?? 'application/json'].flat()
    answer['content'] = Object.fromEntries(
      types.map((type) => [type, { schema: rewriteRefs(successSchema) }]),
    )
  }
  const operation: Json = {
    operationId: config.operationId,
    summary: config.summary,
    tags: [config.tag],
    description: `Permitted scopes: ${config.scopes.join(', ')} (OAuth2: the same, or all).`,
    // Requirement objects are alternatives: an OAuth2 token with any one of the scopes will do.
    security: [
      { personal_access_token: [...config.scopes] },
      { oauth2: [OAUTH_SCOPE_ALL] },
      ...config.scopes.map((scope) => ({ oauth2: [scope] })),
    ],
    parameters,
    responses: {
      [String(success.status)]: answer,
      default: { $ref: '#/components/responses/Error' },
    },
  }
  if (schema['body']) {
    operation['requestBody'] = {
      required: true,
      content: { 'application/json': { schema: rewriteRefs(schema['body']) } },
    }
  } else if (config.multipartFile) {
    operation['requestBody'] = {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: [config.multipartFile],
            properties: { [config.multipartFile]: { type: 'string', format: 'binary' } },
          },
        },
      },
    }
  }
  return operation
}

function toParameters(schema: Json | undefined, where: 'path' | 'query'): Json[] {
  const properties = (schema?.['properties'] ?? {}) as Record<string, Json>
  const required = new Set((schema?.['required'] ?? []) as string[])
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: rewriteRefs(rest),
    }
  })
}

function ref(name: string): Json {
  return { $ref: `#/components/schemas/${name}` }
}

/** Fastify names shared schemas `Name#`; OpenAPI wants `#/components/schemas/Name`. */
function rewriteRefs(value: unknown): Json {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) =>
      key === '$ref' && typeof v === 'string' && v.endsWith('#')
        ? `#/components/schemas/${v.slice(0, -1)}`
        : v,
    ),
  ) as Json
}
