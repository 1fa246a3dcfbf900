/**
 * Webhooks of the calling account: register, list by event, delete; and, beyond Fax.Plus, the
 * delivery log of one hook (with its signing secret for tokens that may edit webhooks) and the
 * rotation of that secret (docs/webhooks.md).
 */
import type { FastifyInstance } from 'fastify'
import { WEBHOOK_EVENTS, type WebhookEvent } from '../../domain/webhook.js'
import {
  SIGNING_SECRET_SCOPES,
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDelivery,
} from '../../domain/webhook-delivery.js'
import type { Services } from '../../use-cases/context.js'
import { createWebhook } from '../../use-cases/create-webhook.js'
import { deleteWebhook } from '../../use-cases/delete-webhook.js'
import { listWebhookDeliveries } from '../../use-cases/list-webhook-deliveries.js'
import { listWebhooks } from '../../use-cases/list-webhooks.js'
import { rotateWebhookSecret } from '../../use-cases/rotate-webhook-secret.js'
import { actorOf } from '../authenticate-request.js'
import { formatUtc } from '../../shared/api-time.js'
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

  app.get<{ Params: { hook_id: string } }>('/hooks/:hook_id/deliveries', {
    schema: { params: pathParams({ hook_id: { type: 'string', maxLength: 64 } }) },
    config: {
      operation: {
        operationId: 'listWebhookDeliveries',
        summary:
          "A webhook's last 100 deliveries, newest first, and its signing secret for tokens that may edit webhooks (faxd)",
        tag: 'Webhooks',
        scopes: ['fax:all:read', 'fax:webhook:read'],
        success: { status: 200, description: 'The delivery log', schema: DELIVERY_LOG_SCHEMA },
      },
    },
    handler: async (request) => {
      const log = await listWebhookDeliveries(services, actorOf(request), request.params.hook_id)
      const records = log.deliveries.map(toDeliveryJson)
      // Left out, not null, for a token that may not see it: every hook has a secret.
      return log.signingSecret === null
        ? { records }
        : { signing_secret: log.signingSecret, records }
    },
  })

  app.post<{ Params: { hook_id: string } }>('/hooks/:hook_id/rotate-secret', {
    schema: { params: pathParams({ hook_id: { type: 'string', maxLength: 64 } }) },
    config: {
      operation: {
        operationId: 'rotateWebhookSecret',
        summary: 'Give a webhook a new signing secret; the old one signs too for 24 hours (faxd)',
        tag: 'Webhooks',
        scopes: SIGNING_SECRET_SCOPES,
        success: { status: 200, description: 'The new secret', schema: ROTATED_SECRET_SCHEMA },
      },
    },
    handler: async (request) => {
      const rotated = await rotateWebhookSecret(services, actorOf(request), request.params.hook_id)
      const until = rotated.previousValidUntilMs
      return {
        signing_secret: rotated.signingSecret,
        previous_secret_valid_until: until === null ? null : formatUtc(until),
      }
    },
  })
}

/** A delivery on the wire: times as "YYYY-MM-DD HH:mm:ss" UTC, like every Fax.Plus time. */
function toDeliveryJson(delivery: WebhookDelivery) {
  return {
    id: delivery.id,
    event: delivery.event,
    status: delivery.status,
    created_at: formatUtc(delivery.createdAtMs),
    attempts: delivery.attempts.map((attempt) => ({
      at: formatUtc(attempt.atMs),
      status_code: attempt.statusCode,
      error: attempt.error,
      duration_ms: attempt.durationMs,
    })),
    next_attempt_at: delivery.nextAttemptAtMs === null ? null : formatUtc(delivery.nextAttemptAtMs),
  }
}

const UTC_TIME = {
  type: 'string',
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$',
} as const

const SIGNING_SECRET = {
  type: 'string',
  pattern: '^whsec_[A-Za-z0-9_-]{43}$',
} as const

const DELIVERY_LOG_SCHEMA = {
  type: 'object',
  required: ['records'],
  properties: {
    signing_secret: {
      ...SIGNING_SECRET,
      description:
        'The HMAC-SHA256 key of X-Faxd-Signature (docs/webhooks.md). Only for a token with ' +
        'fax:webhook:edit, fax:all:edit or all; absent for a token that may only read webhooks.',
    },
    records: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'event', 'status', 'created_at', 'attempts', 'next_attempt_at'],
        properties: {
          id: { type: 'string', description: 'The X-Faxd-Delivery header of every attempt' },
          event: { type: 'string', enum: WEBHOOK_EVENTS },
          status: { type: 'string', enum: WEBHOOK_DELIVERY_STATUSES },
          created_at: UTC_TIME,
          attempts: {
            type: 'array',
            items: {
              type: 'object',
              required: ['at', 'status_code', 'error', 'duration_ms'],
              properties: {
                at: UTC_TIME,
                status_code: { type: 'integer', nullable: true },
                error: { type: 'string', nullable: true },
                duration_ms: { type: 'integer' },
              },
            },
          },
          next_attempt_at: { ...UTC_TIME, nullable: true },
        },
      },
    },
  },
}

const ROTATED_SECRET_SCHEMA = {
  type: 'object',
  required: ['signing_secret', 'previous_secret_valid_until'],
  properties: {
    signing_secret: {
      ...SIGNING_SECRET,
      description: 'The new HMAC-SHA256 key of X-Faxd-Signature, from now on',
    },
    previous_secret_valid_until: {
      ...UTC_TIME,
      nullable: true,
      description:
        'Until then (UTC) the replaced secret signs too, in X-Faxd-Signature-Previous; null when ' +
        'the hook had no secret yet. A rotation within this time ends the older secret at once.',
    },
  },
}
