/**
 * The bearer check in front of every /v3 route. It runs before the body is read, so a request
 * without valid credentials is answered 401 (or 403 for a missing scope) and nothing of it is
 * looked at. The Actor it builds is the only way a route learns who is asking.
 */
import type { FastifyRequest, RouteOptions } from 'fastify'
import { BEARER } from '../shared/bearer-token.js'
import { type Actor, type Services } from '../use-cases/context.js'
import { authenticate, requireScope } from '../use-cases/authenticate.js'
import { ApiError } from './api-error.js'

export function authenticateRequest(services: Services) {
  return async (request: FastifyRequest): Promise<void> => {
    const operation = request.routeOptions.config.operation
    if (!operation) {
      // requireOperation() refuses such routes at startup; this keeps the check fail-closed.
      throw new Error(`route ${request.routeOptions.url ?? '?'} declares no scopes`)
    }
    const header = request.headers.authorization
    const match = header === undefined ? null : BEARER.exec(header)
    if (!match?.[1]) {
      throw new ApiError(
        401,
        header === undefined ? 'missing_token' : 'malformed_token',
        header === undefined
          ? 'Send an access token as "Authorization: Bearer <token>"'
          : 'The Authorization header must be "Bearer <token>"',
      )
    }
    const clientIdHeader = request.headers['x-fax-clientid']
    const clientId = Array.isArray(clientIdHeader)
      ? (clientIdHeader[0] ?? null)
      : (clientIdHeader ?? null)
    const { account, token } = await authenticate(services, match[1], clientId)
    requireScope(token, operation.scopes)
    const actor: Actor = { account, token, ip: request.ip }
    request.actor = actor
  }
}

/** The Actor of an authenticated request; routes without one are a programming error. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) {
    throw new Error(`route ${request.routeOptions.url ?? '?'} ran without authentication`)
  }
  return request.actor
}

/** An onRoute hook for the /v3 scope: a route that declares no operation (and so no scopes) is a startup error. */
export function requireOperation(route: RouteOptions): void {
  if (!(route.config as { operation?: unknown } | undefined)?.operation) {
    throw new Error(
      `${String(route.method)} ${route.url} has no config.operation: it would be served unauthenticated`,
    )
  }
}
