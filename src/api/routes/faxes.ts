/**
 * Fax records (the archive). Filters are query strings: `category` (inbox, sent, spam), `after`
 * and `before` ("YYYY-MM-DD HH:mm:ss", UTC, exclusive) and `limit` (1–1000, default 50).
 */
import type { FastifyInstance } from 'fastify'
import { FAX_CATEGORIES, type FaxCategory } from '../../domain/fax.js'
import type { Services } from '../../use-cases/context.js'
import { deleteFax } from '../../use-cases/delete-fax.js'
import { getFax } from '../../use-cases/get-fax.js'
import { getFaxReport } from '../../use-cases/get-fax-report.js'
import { listFaxAttempts } from '../../use-cases/list-fax-attempts.js'
import { listFaxes } from '../../use-cases/list-faxes.js'
import { previewFaxPage } from '../../use-cases/preview-page.js'
import { updateFax } from '../../use-cases/update-fax.js'
import { ApiError } from '../api-error.js'
import { actorOf } from '../authenticate-request.js'
import { EDIT_FAX, READ_FAX } from '../route-config.js'
import { FAX_ATTEMPTS_SCHEMA, toAttemptJson } from '../wire/attempt-json.js'
import { toFaxJson } from '../wire/fax-json.js'
import { NEXT_PAGE_LINK_HEADER, nextPageLink, placeOfCursor } from '../wire/page-cursor.js'
import { parseUtc } from '../../shared/api-time.js'
import {
  pageParam,
  pathParams,
  PREVIEW_SUCCESS,
  previewQuery,
  previewRequest,
  sendPng,
  userIdParam,
} from './params.js'

const faxParams = pathParams({ ...userIdParam, fax_id: { type: 'string', maxLength: 64 } })
type FaxRoute = { Params: { user_id: string; fax_id: string } }

interface FaxListQuery {
  category?: FaxCategory
  after?: string
  before?: string
  limit?: string
  cursor?: string
}

const DEFAULT_LIMIT = 50
const MAX_LIMIT = 1000

export function registerFaxRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Params: { user_id: string }; Querystring: FaxListQuery }>('/accounts/:user_id/faxes', {
    schema: {
      params: pathParams(userIdParam),
      querystring: {
        type: 'object',
        properties: {
          category: { type: 'string', enum: FAX_CATEGORIES },
          after: {
            type: 'string',
            maxLength: 32,
            description: 'YYYY-MM-DD HH:mm:ss (UTC), exclusive',
          },
          before: {
            type: 'string',
            maxLength: 32,
            description: 'YYYY-MM-DD HH:mm:ss (UTC), exclusive',
          },
          limit: {
            type: 'string',
            pattern: '^[0-9]{1,9}$',
            description: `1–${MAX_LIMIT}, default ${DEFAULT_LIMIT}`,
          },
          cursor: {
            type: 'string',
            maxLength: 200,
            description:
              'Where the page starts: the cursor of the Link header (rel="next") of the page before, exact to the millisecond; beyond Fax.Plus',
          },
        },
      },
    },
    config: {
      operation: {
        operationId: 'listFaxes',
        summary: 'List fax records, newest first, a page at a time (Link: rel="next")',
        tag: 'Faxes',
        scopes: READ_FAX,
        success: {
          status: 200,
          description: 'The records',
          schema: 'FaxList',
          headers: NEXT_PAGE_LINK_HEADER,
        },
      },
    },
    handler: async (request, reply) => {
      const query = request.query
      const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit)
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new ApiError(400, 'invalid_limit', `limit must be between 1 and ${MAX_LIMIT}`)
      }
      // Each record is written as JSON as its slice arrives (sliced-page.ts says why it comes
      // in slices); the answer is what serialising { data: { records } } in one go would give.
      const records: string[] = []
      const { next } = await listFaxes(
        services,
        actorOf(request),
        request.params.user_id,
        {
          category: query.category ?? null,
          afterMs: timeFilter('after', query.after),
          beforeMs: timeFilter('before', query.before),
          below: query.cursor === undefined ? null : placeOfCursor(query.cursor),
          limit,
        },
        (page) => {
          for (const record of page) {
            records.push(JSON.stringify(toFaxJson(record)))
          }
        },
      )
      if (next !== null) {
        // The same filters, from below the page's last record (RFC 8288's Link).
        const filters = Object.fromEntries(
          Object.entries(query).filter(([name]) => name !== 'cursor' && name !== 'limit'),
        )
        const path = `/v3/accounts/${encodeURIComponent(request.params.user_id)}/faxes`
        void reply.header('link', nextPageLink(path, { ...filters, limit: String(limit) }, next))
      }
      return reply
        .type('application/json; charset=utf-8')
        .send(`{"data":{"records":[${records.join(',')}]}}`)
    },
  })

  app.get<FaxRoute>('/accounts/:user_id/faxes/:fax_id', {
    schema: { params: faxParams },
    config: {
      operation: {
        operationId: 'getFax',
        summary: 'Get a fax record',
        tag: 'Faxes',
        scopes: READ_FAX,
        success: { status: 200, description: 'The record', schema: 'Fax' },
      },
    },
    handler: async (request) =>
      toFaxJson(
        await getFax(services, actorOf(request), request.params.user_id, request.params.fax_id),
      ),
  })

  app.put<FaxRoute & { Body: { comment?: string; is_read?: boolean } }>(
    '/accounts/:user_id/faxes/:fax_id',
    {
      schema: { params: faxParams, body: { $ref: 'PayloadFaxModification#' } },
      config: {
        operation: {
          operationId: 'updateFax',
          summary: "Change a fax record's comment or read mark",
          tag: 'Faxes',
          scopes: EDIT_FAX,
          success: { status: 200, description: 'Changed; no body' },
        },
      },
      handler: async (request, reply) => {
        const { comment, is_read } = request.body
        await updateFax(services, actorOf(request), request.params.user_id, request.params.fax_id, {
          ...(comment !== undefined ? { comment } : {}),
          ...(is_read !== undefined ? { isRead: is_read } : {}),
        })
        return reply.status(200).send()
      },
    },
  )

  app.delete<FaxRoute>('/accounts/:user_id/faxes/:fax_id', {
    schema: { params: faxParams },
    config: {
      operation: {
        operationId: 'deleteFax',
        summary: 'Delete a fax record',
        tag: 'Faxes',
        scopes: EDIT_FAX,
        success: { status: 200, description: 'Deleted; no body' },
      },
    },
    handler: async (request, reply) => {
      await deleteFax(services, actorOf(request), request.params.user_id, request.params.fax_id)
      return reply.status(200).send()
    },
  })
  app.get<{
    Params: { user_id: string; fax_id: string; page: string }
    Querystring: { width?: string }
  }>('/accounts/:user_id/faxes/:fax_id/pages/:page', {
    schema: {
      params: pathParams({ ...faxParams.properties, ...pageParam }),
      querystring: previewQuery,
    },
    config: {
      operation: {
        operationId: 'getFaxPage',
        summary: 'A page of a sent or received fax, as a PNG (faxd, beyond Fax.Plus)',
        tag: 'Faxes',
        scopes: READ_FAX,
        success: PREVIEW_SUCCESS,
      },
    },
    handler: async (request, reply) => {
      const { user_id, fax_id, page } = request.params
      const preview = previewRequest(user_id, page, request.query.width)
      return sendPng(reply, await previewFaxPage(services, actorOf(request), fax_id, preview))
    },
  })

  app.get<FaxRoute>('/accounts/:user_id/faxes/:fax_id/attempts', {
    schema: { params: faxParams },
    config: {
      operation: {
        operationId: 'listFaxAttempts',
        summary: 'Every call made for a fax, in order (faxd, beyond Fax.Plus)',
        tag: 'Faxes',
        scopes: READ_FAX,
        success: { status: 200, description: 'The attempts', schema: FAX_ATTEMPTS_SCHEMA },
      },
    },
    handler: async (request) => {
      const { user_id, fax_id } = request.params
      const attempts = await listFaxAttempts(services, actorOf(request), user_id, fax_id)
      return { records: attempts.map(toAttemptJson) }
    },
  })

  app.get<FaxRoute>('/accounts/:user_id/report/:fax_id', {
    schema: { params: faxParams },
    config: {
      operation: {
        operationId: 'getFaxReport',
        summary: 'The confirmation report of a fax record, a one-page PDF',
        tag: 'Faxes',
        scopes: READ_FAX,
        success: {
          status: 200,
          description: 'The report',
          contentType: 'application/pdf',
          schema: { type: 'string', format: 'binary' },
        },
      },
    },
    handler: async (request, reply) => {
      const { user_id, fax_id } = request.params
      const report = await getFaxReport(services, actorOf(request), user_id, fax_id)
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${report.fileName}"`)
        .header('cache-control', 'private')
        .send(Buffer.from(report.bytes.buffer, report.bytes.byteOffset, report.bytes.byteLength))
    },
  })
}

function timeFilter(name: 'after' | 'before', text: string | undefined): number | null {
  if (text === undefined || text === '') {
    return null
  }
  const ms = parseUtc(text)
  if (ms === null) {
    throw new ApiError(400, `invalid_${name}`, `${name} must be "YYYY-MM-DD HH:mm:ss" (UTC)`)
  }
  return ms
}
