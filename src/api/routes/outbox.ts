/** Outbox: sendFax, and reading, annotating and cancelling what waits to be sent. */
import type { FastifyInstance } from 'fastify'
import type { CoverPageFlag, Resolution } from '../../domain/outbox-entry.js'
import type { Services } from '../../use-cases/context.js'
import { cancelOutboxEntry } from '../../use-cases/cancel-outbox-entry.js'
import { getOutboxEntry } from '../../use-cases/get-outbox-entry.js'
import { MAX_OUTBOX_PAGE, listOutbox } from '../../use-cases/list-outbox.js'
import { previewOutboxPage } from '../../use-cases/preview-page.js'
import { type SendFaxRequest, sendFax } from '../../use-cases/send-fax.js'
import { updateOutboxComment } from '../../use-cases/update-outbox-comment.js'
import { ApiError } from '../api-error.js'
import { actorOf } from '../authenticate-request.js'
import { EDIT_FAX, READ_FAX } from '../route-config.js'
import { sendFaxResponseSchema } from '../schemas/payload-outbox.js'
import { NEXT_PAGE_LINK_HEADER, nextPageLink, placeOfCursor } from '../wire/page-cursor.js'
import { toOutboxJson } from '../wire/outbox-json.js'
import {
  pageParam,
  pathParams,
  PREVIEW_SUCCESS,
  previewQuery,
  previewRequest,
  sendPng,
  userIdParam,
} from './params.js'

/** The body as the PayloadOutbox schema has checked it, with the schema's defaults filled in. */
interface PayloadOutbox {
  from: string
  to: string[]
  files?: string[]
  from_fax?: { fax_id: string; user_id: string }
  comment?: { tags: string[]; text: string }
  options?: {
    enhancement: boolean
    retry?: { count?: number; delay?: number }
    partially_sent_retry?: boolean
  }
  send_time?: string
  return_ids: boolean
  resolution: Resolution
  cover_page?: {
    name_to: string
    name_from: string
    subject: string
    flags?: CoverPageFlag[]
    message?: string
    include_company_logo?: boolean
  }
}

const outboxParams = pathParams({
  ...userIdParam,
  outbox_fax_id: { type: 'string', maxLength: 64 },
})
type OutboxRoute = { Params: { user_id: string; outbox_fax_id: string } }

export function registerOutboxRoutes(app: FastifyInstance, services: Services): void {
  app.post<{ Params: { user_id: string }; Body: PayloadOutbox }>('/accounts/:user_id/outbox', {
    schema: { params: pathParams(userIdParam), body: { $ref: 'PayloadOutbox#' } },
    config: {
      operation: {
        operationId: 'sendFax',
        summary: 'Send a fax to one or more destinations',
        tag: 'Outbox',
        scopes: EDIT_FAX,
        success: {
          status: 201,
          description: 'Accepted',
          schema: sendFaxResponseSchema,
          headers: {
            Location: {
              description:
                'The outbox entry, for getOutboxFax: /v3/accounts/{user_id}/outbox/{outbox_fax_id} (beyond Fax.Plus)',
              schema: { type: 'string' },
            },
          },
        },
      },
    },
    handler: async (request, reply) => {
      const result = await sendFax(
        services,
        actorOf(request),
        toSendFaxRequest(request.params.user_id, request.body),
      )
      request.log.info(
        { outbox: result.outboxId, destinations: request.body.to.length },
        'fax accepted',
      )
      // RFC 9110 §15.3.2: a 201 names the resource it created in Location.
      const location = `/v3/accounts/${encodeURIComponent(request.params.user_id)}/outbox/${result.outboxId}`
      return reply
        .status(201)
        .header('location', location)
        .send(result.ids ? { ids: result.ids } : {})
    },
  })

  app.get<{ Params: { user_id: string }; Querystring: { limit?: string; cursor?: string } }>(
    '/accounts/:user_id/outbox',
    {
      schema: {
        params: pathParams(userIdParam),
        querystring: {
          type: 'object',
          properties: {
            limit: {
              type: 'string',
              pattern: '^[0-9]{1,9}$',
              description: `Entries per page, 1–${MAX_OUTBOX_PAGE} (default ${MAX_OUTBOX_PAGE}); beyond Fax.Plus`,
            },
            cursor: {
              type: 'string',
              maxLength: 200,
              description:
                'Where the page starts: the cursor of the Link header (rel="next") of the page before; beyond Fax.Plus',
            },
          },
        },
      },
      config: {
        operation: {
          operationId: 'listOutboxFaxes',
          summary:
            'List the faxes waiting to be sent, in the order they were submitted, a page at a time (Link: rel="next")',
          tag: 'Outbox',
          scopes: READ_FAX,
          success: {
            status: 200,
            description: 'The outbox',
            schema: 'OutboxList',
            headers: NEXT_PAGE_LINK_HEADER,
          },
        },
      },
      handler: async (request, reply) => {
        const { query, params } = request
        const limit = query.limit === undefined ? MAX_OUTBOX_PAGE : Number(query.limit)
        if (limit < 1 || limit > MAX_OUTBOX_PAGE) {
          throw new ApiError(400, 'invalid_limit', `limit must be between 1 and ${MAX_OUTBOX_PAGE}`)
        }
        const after = query.cursor === undefined ? null : placeOfCursor(query.cursor)
        // Each entry is written as JSON as its slice arrives (sliced-page.ts says why it comes
        // in slices); the answer is what serialising { records } in one go would give.
        const records: string[] = []
        const { next } = await listOutbox(
          services,
          actorOf(request),
          params.user_id,
          { limit, after },
          (entries) => {
            for (const entry of entries) {
              records.push(JSON.stringify(toOutboxJson(entry, null)))
            }
          },
        )
        if (next !== null) {
          // RFC 8288: the next page's address, for clients that follow links; the body stays
          // the Fax.Plus OutboxList, which SDKs read as they always have.
          const path = `/v3/accounts/${encodeURIComponent(params.user_id)}/outbox`
          void reply.header('link', nextPageLink(path, { limit: String(limit) }, next))
        }
        return reply
          .type('application/json; charset=utf-8')
          .send(`{"records":[${records.join(',')}]}`)
      },
    },
  )

  app.get<OutboxRoute>('/accounts/:user_id/outbox/:outbox_fax_id', {
    schema: { params: outboxParams },
    config: {
      operation: {
        operationId: 'getOutboxFax',
        summary: 'Get a fax waiting to be sent',
        tag: 'Outbox',
        scopes: READ_FAX,
        success: { status: 200, description: 'The outbox entry', schema: 'Outbox' },
      },
    },
    handler: async (request) => {
      const { user_id, outbox_fax_id } = request.params
      const { entry, destinations } = await getOutboxEntry(
        services,
        actorOf(request),
        user_id,
        outbox_fax_id,
      )
      return toOutboxJson(entry, destinations)
    },
  })

  app.put<OutboxRoute & { Body: { comment: string } }>('/accounts/:user_id/outbox/:outbox_fax_id', {
    schema: { params: outboxParams, body: { $ref: 'PayloadOutboxModification#' } },
    config: {
      operation: {
        operationId: 'updateOutboxFax',
        summary: "Change an outgoing fax's comment",
        tag: 'Outbox',
        scopes: EDIT_FAX,
        success: { status: 200, description: 'Changed; no body' },
      },
    },
    handler: async (request, reply) => {
      const { user_id, outbox_fax_id } = request.params
      await updateOutboxComment(
        services,
        actorOf(request),
        user_id,
        outbox_fax_id,
        request.body.comment,
      )
      return reply.status(200).send()
    },
  })

  app.delete<OutboxRoute>('/accounts/:user_id/outbox/:outbox_fax_id', {
    schema: { params: outboxParams },
    config: {
      operation: {
        operationId: 'deleteOutboxFax',
        summary: 'Cancel a fax that is not being sent yet (409 while sending)',
        tag: 'Outbox',
        scopes: EDIT_FAX,
        success: { status: 200, description: 'Cancelled; no body' },
      },
    },
    handler: async (request, reply) => {
      const { user_id, outbox_fax_id } = request.params
      await cancelOutboxEntry(services, actorOf(request), user_id, outbox_fax_id)
      return reply.status(200).send()
    },
  })
  app.get<{
    Params: { user_id: string; outbox_fax_id: string; page: string }
    Querystring: { width?: string }
  }>('/accounts/:user_id/outbox/:outbox_fax_id/pages/:page', {
    schema: {
      params: pathParams({ ...outboxParams.properties, ...pageParam }),
      querystring: previewQuery,
    },
    config: {
      operation: {
        operationId: 'getOutboxFaxPage',
        summary: 'A page of a fax waiting to be sent, as a PNG (faxd, beyond Fax.Plus)',
        tag: 'Outbox',
        scopes: READ_FAX,
        success: PREVIEW_SUCCESS,
      },
    },
    handler: async (request, reply) => {
      const { user_id, outbox_fax_id, page } = request.params
      const preview = previewRequest(user_id, page, request.query.width)
      return sendPng(
        reply,
        await previewOutboxPage(services, actorOf(request), outbox_fax_id, preview),
      )
    },
  })
}

function toSendFaxRequest(userId: string, body: PayloadOutbox): SendFaxRequest {
  const retry = body.options?.retry
  const cover = body.cover_page
  return {
    userId,
    from: body.from,
    to: body.to,
    files: body.files ?? [],
    fromFax: body.from_fax ? { faxId: body.from_fax.fax_id, userId: body.from_fax.user_id } : null,
    commentText: body.comment?.text ?? '',
    commentTags: body.comment?.tags ?? [],
    enhancement: body.options?.enhancement ?? true,
    retry: retry ? { count: retry.count ?? 0, delaySeconds: retry.delay ?? 0 } : null,
    partiallySentRetry: body.options?.partially_sent_retry ?? false,
    sendTime: body.send_time ?? null,
    returnIds: body.return_ids,
    resolution: body.resolution,
    coverPage: cover
      ? {
          nameTo: cover.name_to,
          nameFrom: cover.name_from,
          subject: cover.subject,
          flags: cover.flags ?? [],
          message: cover.message ?? null,
          includeCompanyLogo: cover.include_company_logo ?? false,
        }
      : null,
  }
}
