/**
 * The sendFax request body, as the seed page (Fax.Plus spec 3.4.0) defines PayloadOutbox and the
 * schemas it uses. Patterns, enums, bounds and `additionalProperties` are the seed's. faxd adds
 * three bounds of its own, each listed in docs/errors.md: `to` has at most 4000 items (the
 * documented limit), `files` at most 10, and strings carry a `maxLength` so that a megabyte of
 * digits cannot make a pattern backtrack for seconds.
 */
import {
  COVER_PAGE_FLAGS,
  MAX_DESTINATIONS,
  MAX_FILES,
  RESOLUTIONS,
} from '../../domain/outbox-entry.js'

/**
 * A fax number with optional post-dial digits after up to ten `*`. The seed writes the star
 * count as `{0,10}`; with zero stars the group only adds digits that `[0-9]{8,}` already takes,
 * so `{1,10}` matches exactly the same strings, and it matches in linear time: with `{0,10}` a
 * 145-byte `from` that fails at its end made the pattern backtrack for seconds
 * (test/api/patterns.test.ts compares both on random inputs).
 */
export const DESTINATION_PATTERN = '^[+][0-9]{8,}([*]{1,10}[0-9]+)?$'
const SENDER = '(([+][0-9]{8,}([*]{1,10}[0-9]+)?)|(no_number)|(NO_NUMBER))'
export const FROM_PATTERN = `^${SENDER}(,${SENDER})*$`
export const SEND_TIME_PATTERN =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [+|-][0-9]{4}'

const MAX_NUMBER_LENGTH = 64
const MAX_FROM_LENGTH = 4096
const MAX_TEXT_LENGTH = 65_536

export const retryOptionsSchema = {
  $id: 'RetryOptions',
  type: 'object',
  description: 'Fax retry settings',
  properties: {
    count: {
      type: 'integer',
      minimum: 0,
      maximum: 3,
      description: 'Retries after the first attempt',
    },
    delay: {
      type: 'integer',
      minimum: 0,
      maximum: 180,
      description: 'Seconds between two attempts',
    },
  },
  additionalProperties: false,
} as const

export const outboxOptionsSchema = {
  $id: 'OutboxOptions',
  type: 'object',
  description: 'Additional configuration for sending a fax',
  properties: {
    enhancement: {
      type: 'boolean',
      default: true,
      description: 'true: binarize for text; false: keep the look (dither greys and photos)',
    },
    retry: { $ref: 'RetryOptions#' },
    partially_sent_retry: {
      type: 'boolean',
      description: 'After a partially sent attempt, a retry sends only the unconfirmed pages',
    },
  },
} as const

export const outboxCommentSchema = {
  $id: 'OutboxComment',
  type: 'object',
  description: 'Comment to set for the fax job',
  properties: {
    tags: { type: 'array', default: [], items: { type: 'string', maxLength: 256 }, maxItems: 100 },
    text: { type: 'string', default: '', maxLength: MAX_TEXT_LENGTH },
  },
} as const

export const outboxCoverPageSchema = {
  $id: 'OutboxCoverPage',
  type: 'object',
  description: 'Fax cover page',
  required: ['name_to', 'name_from', 'subject'],
  properties: {
    name_to: { type: 'string', maxLength: 1024, description: 'TO field on the cover page' },
    name_from: { type: 'string', maxLength: 1024, description: 'FROM field on the cover page' },
    subject: { type: 'string', maxLength: 1024, description: 'SUBJECT field on the cover page' },
    flags: {
      type: 'array',
      description: 'Cover page flags',
      items: { type: 'string', enum: COVER_PAGE_FLAGS },
      maxItems: COVER_PAGE_FLAGS.length * 4,
    },
    message: {
      type: 'string',
      maxLength: MAX_TEXT_LENGTH,
      description: 'MESSAGE field on the cover page',
    },
    include_company_logo: { type: 'boolean', description: 'Use company logo on the cover page' },
  },
} as const

export const payloadOutboxSchema = {
  $id: 'PayloadOutbox',
  type: 'object',
  description: 'A new outbound fax. At least one of `files` or `from_fax` must be given.',
  required: ['to', 'from'],
  additionalProperties: false,
  properties: {
    from: {
      type: 'string',
      maxLength: MAX_FROM_LENGTH,
      pattern: FROM_PATTERN,
      description:
        'Number to send from; a comma-separated list picks one at random per destination',
    },
    to: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_DESTINATIONS,
      items: { type: 'string', maxLength: MAX_NUMBER_LENGTH, pattern: DESTINATION_PATTERN },
      description: 'Destination numbers; digits after `*` are dialled once the call connects',
    },
    files: {
      type: 'array',
      maxItems: MAX_FILES,
      items: { type: 'string', maxLength: 1024 },
      description: 'Paths returned by the upload endpoint, sent in this order',
    },
    from_fax: {
      type: 'object',
      required: ['fax_id'],
      description: 'An existing fax whose pages are appended after the uploaded files',
      properties: {
        fax_id: { type: 'string', maxLength: 64 },
        user_id: { type: 'string', maxLength: 64, default: 'self' },
      },
    },
    comment: { $ref: 'OutboxComment#' },
    options: { $ref: 'OutboxOptions#' },
    send_time: {
      type: 'string',
      maxLength: 64,
      pattern: SEND_TIME_PATTERN,
      description: 'When to send: "YYYY-MM-DD HH:mm:ss +HHMM"; a past time means now',
    },
    return_ids: {
      type: 'boolean',
      default: false,
      description: 'Answer the destination-to-id map',
    },
    resolution: { type: 'string', enum: RESOLUTIONS, default: 'fine' },
    cover_page: { $ref: 'OutboxCoverPage#' },
  },
} as const

export const sendFaxResponseSchema = {
  type: 'object',
  description: 'Empty, or the destination-to-id map when return_ids was true',
  properties: { ids: { type: 'object', additionalProperties: { type: 'string' } } },
  additionalProperties: false,
} as const
