/** Path and query parameter schemas shared by several routes, and the preview routes' shared parts. */
import type { FastifyReply } from 'fastify'

export const userIdParam = {
  user_id: {
    type: 'string',
    maxLength: 64,
    description: "'self', or the id of a member of your corporate account",
  },
} as const

export function pathParams<T extends Record<string, unknown>>(properties: T) {
  return { type: 'object', required: Object.keys(properties), properties } as const
}

/** `{page}` of the page preview routes: a page number from 1. */
export const pageParam = {
  page: { type: 'string', pattern: '^[1-9][0-9]{0,4}$', description: 'Page number, from 1' },
} as const

/** `?width=` of the page preview routes. */
export const previewQuery = {
  type: 'object',
  properties: {
    width: {
      type: 'string',
      pattern: '^(1[6-9]|[2-9][0-9]|[1-9][0-9]{2}|1[0-6][0-9]{2}|17[01][0-9]|172[0-8])$',
      description: 'Most pixels across, 16 to 1728 (default 850)',
    },
  },
} as const

const DEFAULT_PREVIEW_WIDTH = 850

/** What a preview route asks for, from its (already validated) path and query. */
export function previewRequest(
  userId: string,
  page: string,
  width: string | undefined,
): { userId: string; page: number; width: number } {
  return { userId, page: Number(page), width: Number(width ?? DEFAULT_PREVIEW_WIDTH) }
}

/** Answers a preview: the PNG, cacheable by the caller for a minute. */
export function sendPng(reply: FastifyReply, png: Uint8Array): FastifyReply {
  return reply
    .type('image/png')
    .header('cache-control', 'private, max-age=60')
    .send(Buffer.from(png))
}

/** The PNG answer of the page preview routes, for the OpenAPI document. */
export const PREVIEW_SUCCESS = {
  status: 200,
  description: 'The page as a PNG, with square pixels',
  contentType: 'image/png',
  schema: { type: 'string', format: 'binary' },
} as const
