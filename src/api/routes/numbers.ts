/**
 * Numbers: list, get, assign, revoke. The SDKs URL-encode the number (`%2B1555…`); the router
 * decodes it, and a number without `+` is taken as if it had one.
 */
import type { FastifyInstance } from 'fastify'
import type { Services } from '../../use-cases/context.js'
import { assignNumber } from '../../use-cases/assign-number.js'
import { getNumber } from '../../use-cases/get-number.js'
import { listNumbers } from '../../use-cases/list-numbers.js'
import { revokeNumber } from '../../use-cases/revoke-number.js'
import { actorOf } from '../authenticate-request.js'
import type { RouteConfig } from '../route-config.js'
import { toNumberJson } from '../wire/number-json.js'
import { pathParams, userIdParam } from './params.js'

const numberParams = pathParams({
  ...userIdParam,
  number: {
    type: 'string',
    maxLength: 64,
    description: 'E.164 number; a missing + is added, %2B for + is decoded',
  },
})

type NumberRoute = { Params: { user_id: string; number: string } }

export function registerNumberRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Params: { user_id: string } }>('/accounts/:user_id/numbers', {
    schema: { params: pathParams(userIdParam) },
    config: {
      operation: {
        operationId: 'listNumbers',
        summary: "List numbers: an owner's numbers, or those assigned to a member",
        tag: 'Numbers',
        scopes: ['fax:all:read', 'fax:numbers:read'],
        success: { status: 200, description: 'The numbers', schema: 'NumberList' },
      },
    },
    handler: async (request) => {
      const numbers = await listNumbers(services, actorOf(request), request.params.user_id)
      return { numbers: numbers.map(toNumberJson) }
    },
  })

  app.get<NumberRoute>('/accounts/:user_id/numbers/:number', {
    schema: { params: numberParams },
    config: {
      operation: {
        operationId: 'getNumber',
        summary: 'Get a number',
        tag: 'Numbers',
        scopes: ['fax:all:read', 'fax:numbers:read'],
        success: { status: 200, description: 'The number', schema: 'Number' },
      },
    },
    handler: async (request) =>
      toNumberJson(
        await getNumber(services, actorOf(request), request.params.user_id, request.params.number),
      ),
  })

  const assign = (
    operationId: string,
    summary: string,
  ): { config: { operation: RouteConfig } } => ({
    config: {
      operation: {
        operationId,
        summary,
        tag: 'Numbers',
        scopes: ['fax:all:edit', 'fax:numbers:edit'],
        success: { status: 200, description: 'Assigned; no body' },
      },
    },
  })
  const assignHandler = {
    schema: { params: numberParams, body: { $ref: 'PayloadNumberModification#' } },
    handler: async (
      request: import('fastify').FastifyRequest<NumberRoute & { Body: { assigned_to: string } }>,
      reply: import('fastify').FastifyReply,
    ) => {
      const { user_id, number } = request.params
      await assignNumber(services, actorOf(request), user_id, number, request.body.assigned_to)
      return reply.status(200).send()
    },
  }
  app.put('/accounts/:user_id/numbers/:number', {
    ...assign('updateNumber', 'Assign a number to yourself or a member'),
    ...assignHandler,
  })
  // A Fax.Plus help article writes this call as POST; the SDKs send PUT. Both work.
  app.post('/accounts/:user_id/numbers/:number', {
    ...assign('assignNumberWithPost', 'Assign a number (POST form of updateNumber)'),
    ...assignHandler,
  })

  app.delete<NumberRoute>('/accounts/:user_id/numbers/:number', {
    schema: { params: numberParams },
    config: {
      operation: {
        operationId: 'revokeNumber',
        summary: 'Revoke a number from the user in the path (never from its owner)',
        tag: 'Numbers',
        scopes: ['fax:all:edit', 'fax:numbers:edit'],
        success: { status: 200, description: 'Revoked; no body' },
      },
    },
    handler: async (request, reply) => {
      await revokeNumber(services, actorOf(request), request.params.user_id, request.params.number)
      return reply.status(200).send()
    },
  })
}
