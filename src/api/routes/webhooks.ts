/** Webhooks of the calling account: register, list by event, delete. */
import type { FastifyInstance } from 'fastify'
import { WEBHOOK_EVENTS, type WebhookEvent } from '../../domain/webhook.js'
import type { Services } from '../../use-cases/context.js'
import { createWebhook } from '../../use-cases/create-webhook.js'
import { deleteWebhook } from '../../use-cases/delete-webhook.js'
import { listWebhooks } from '../../use-cases/list-webhooks.js'
import { actorOf } from '../authenticate-request.js'
import { pathParams } from './params.js'

export function registerWebhookRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: { event: WebhookEvent } }>('/hooks', {
    schema: {
      querystring: {
        type: 'object',
        required: ['event'],
        properties: { event: { type: 'string', enum: WEBHOOK_EVENTS } },
      },
    },
    config: {
      operation: {
        operationId: 'getWebhooks',
        summary: 'List your webhooks for one event',
        tag: 'Webhooks',
        scopes: ['fax:all:read', 'fax:webhook:read'],
        success: { status: 200, description: 'The webhooks', schema: 'WebhookList' },
      },
    },
    handler: async (request) => {
      const hooks = await listWebhooks(services, actorOf(request), request.query.event)
      return { data: hooks.map((h) => ({ id: h.id, target: h.target, event: h.event })) }
    },
  })

  app.post<{ Body: { target: string; event: WebhookEvent } }>('/hooks', {
    schema: { body: { $ref: 'Webhook#' } },
    config: {
      operation: {
        operationId: 'createWebhook',
        summary: 'Register a webhook',
        tag: 'Webhooks',
        scopes: ['fax:all:edit', 'fax:webhook:edit'],
        success: { status: 200, description: 'The new webhook id', schema: 'WebhookId' },
      },
    },
    handler: async (request) => {
      const hook = await createWebhook(
        services,
        actorOf(request),
        request.body.target,
        request.body.event,
      )
      return { id: hook.id }
    },
  })

  app.delete<{ Params: { hook_id: string } }>('/hooks/:hook_id', {
    schema: { params: pathParams({ hook_id: { type: 'string', maxLength: 64 } }) },
    config: {
      operation: {
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook',
        tag: 'Webhooks',
        scopes: ['fax:all:edit', 'fax:webhook:edit'],
        success: { status: 200, description: 'Deleted; no body' },
      },
    },
    handler: async (request, reply) => {
      await deleteWebhook(services, actorOf(request), request.params.hook_id)
      return reply.status(200).send()
    },
  })
}
