/**
 * Response shapes, for the OpenAPI document. They describe what src/api/wire produces;
 * test/api/response-shapes.test.ts checks real answers against them.
 */
import { ACCOUNT_STATUSES, ACCOUNT_TYPES } from '../../domain/account.js'
import { FAX_STATUSES } from '../../domain/fax.js'
import { NUMBER_STATUSES } from '../../domain/fax-number.js'
import { OUTBOX_STATUSES, RESOLUTIONS } from '../../domain/outbox-entry.js'
import { WEBHOOK_EVENTS } from '../../domain/webhook.js'

const UTC_TIME = {
  type: 'string',
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$',
}
const UTC_TIME_WITH_OFFSET = { type: 'string', description: 'YYYY-MM-DD HH:mm:ss +0000' }
const RETRY = {
  type: 'object',
  properties: { count: { type: 'integer' }, delay: { type: 'integer' } },
}

export const RESPONSE_SCHEMAS = [
  {
    $id: 'Error',
    type: 'object',
    description: 'Every error answer; codes are listed in docs/errors.md',
    required: ['error', 'description'],
    additionalProperties: false,
    properties: { error: { type: 'string' }, description: { type: 'string' } },
  },
  {
    $id: 'Account',
    type: 'object',
    required: ['uid', 'email', 'account_type', 'status', 'creation_date'],
    properties: {
      uid: { type: 'string' },
      email: { type: 'string' },
      account_type: { type: 'string', enum: ACCOUNT_TYPES },
      status: { type: 'string', enum: ACCOUNT_STATUSES },
      creation_date: UTC_TIME,
      name: { type: 'string' },
      lastname: { type: 'string' },
      phone: { type: 'string' },
      profile_image: { type: 'string' },
      member_of: {
        type: 'array',
        items: { type: 'string' },
        description: 'The corporate admin of a member',
      },
      account_data: { $ref: 'AccountData#' },
      settings: { $ref: 'AccountSettings#' },
      notifications: { $ref: 'AccountNotifications#' },
    },
  },
  {
    $id: 'AccountList',
    type: 'object',
    required: ['members'],
    properties: { members: { type: 'array', items: { $ref: 'Account#' } } },
  },
  {
    $id: 'Number',
    type: 'object',
    required: ['id', 'number', 'owner_id', 'assigned_to', 'status', 'acquired_date'],
    properties: {
      id: { type: 'string' },
      number: { type: 'string', pattern: '^[+][0-9]{8,}$' },
      owner_id: { type: 'string' },
      assigned_to: { type: 'array', items: { type: 'string' } },
      status: { type: 'string', enum: NUMBER_STATUSES },
      acquired_date: UTC_TIME,
      expiration_date: { type: 'string', nullable: true },
      is_canceled: { type: 'boolean' },
      notifications: { type: 'array', items: { type: 'object' } },
    },
  },
  {
    $id: 'NumberList',
    type: 'object',
    required: ['numbers'],
    properties: { numbers: { type: 'array', items: { $ref: 'Number#' } } },
  },
  {
    $id: 'Outbox',
    type: 'object',
    required: ['id', 'uid', 'status'],
    properties: {
      id: { type: 'string', description: 'Outbox id' },
      uid: { type: 'string' },
      status: { type: 'string', enum: OUTBOX_STATUSES },
      src: { type: 'string', description: 'The from field as sent' },
      designated_src: { type: 'string' },
      to: { type: 'array', items: { type: 'string' } },
      files: { type: 'array', items: { type: 'string' } },
      comment: { $ref: 'OutboxComment#' },
      options: { $ref: 'OutboxOptions#' },
      retry: {
        ...RETRY,
        description:
          'Retries; delay is left out when over 30 s, which the official SDKs cannot read',
      },
      retry_delay_seconds: {
        type: 'integer',
        description: 'faxd: the delay between attempts, always',
      },
      should_enhance: { type: 'boolean' },
      resolution: { type: 'string', enum: RESOLUTIONS },
      send_time: UTC_TIME_WITH_OFFSET,
      submit_time: UTC_TIME_WITH_OFFSET,
      last_updated_status_time: UTC_TIME,
      status_changes: {
        type: 'array',
        items: {
          type: 'object',
          required: ['at', 'status'],
          properties: { at: UTC_TIME, status: { type: 'string', enum: OUTBOX_STATUSES } },
        },
      },
      page_count: { type: 'integer', minimum: 0 },
      ip: { type: 'string' },
      contact_name: { type: 'string' },
      extra_info: { type: 'object' },
      file_changes: { type: 'array', items: { type: 'object' } },
      initiated_from: {
        type: 'object',
        properties: { from_id: { type: 'string' }, type: { type: 'string' } },
      },
      from_fax: {
        type: 'object',
        properties: { fax_id: { type: 'string' }, user_id: { type: 'string' } },
      },
      cover_page: { $ref: 'OutboxCoverPage#' },
      ids: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description:
          'faxd: destination → delivery id (the ids return_ids answered); only on getOutboxFax',
      },
      destinations: {
        type: 'array',
        description:
          'faxd: where each destination still to end stands, in the order of `to`; only on ' +
          'getOutboxFax. A destination that has ended is a fax record under its id.',
        items: {
          type: 'object',
          required: [
            'to',
            'id',
            'state',
            'attempts',
            'pages_confirmed',
            'call',
            'next_attempt_time',
          ],
          properties: {
            to: { type: 'string' },
            id: { type: 'string', description: 'The id its fax record will have' },
            state: {
              type: 'string',
              enum: ['waiting', 'calling'],
              description: 'calling while an attempt is in progress',
            },
            attempts: {
              type: 'integer',
              minimum: 0,
              description: 'Attempts started, the one in progress included',
            },
            pages_confirmed: {
              type: 'array',
              items: { type: 'integer', minimum: 1 },
              description:
                'Pages the receiver has confirmed, over every attempt and the call in progress',
            },
            call: {
              type: 'object',
              nullable: true,
              required: ['started_at', 'pages_confirmed'],
              description: 'The call in progress; null between calls',
              properties: {
                started_at: UTC_TIME,
                pages_confirmed: {
                  type: 'array',
                  items: { type: 'integer', minimum: 1 },
                  description: 'Pages this call has had confirmed so far',
                },
              },
            },
            next_attempt_time: {
              ...UTC_TIME_WITH_OFFSET,
              nullable: true,
              description: 'When the next attempt is due; null while calling',
            },
          },
        },
      },
    },
  },
  {
    $id: 'OutboxList',
    type: 'object',
    required: ['records'],
    properties: { records: { type: 'array', items: { $ref: 'Outbox#' } } },
  },
  {
    $id: 'Fax',
    type: 'object',
    required: ['id', 'owner_id', 'comment', 'cost_details', 'pages', 'status'],
    properties: {
      id: { type: 'string' },
      owner_id: { type: 'string' },
      direction: { type: 'string', enum: ['outgoing', 'incoming'] },
      from: { type: 'string' },
      from_number: { type: 'string', description: 'Same as from (the Fax.Plus docs show both)' },
      to: { type: 'string' },
      status: { type: 'string', enum: FAX_STATUSES },
      description: { type: 'string' },
      pages: { type: 'integer', minimum: 0 },
      duration: { type: 'integer', minimum: 0 },
      comment: { type: 'string' },
      is_read: { type: 'boolean' },
      is_spam: { type: 'boolean' },
      cost: { type: 'integer', minimum: 0 },
      cost_details: {
        type: 'object',
        properties: { multiplier: { type: 'number' }, notification_cost: { type: 'number' } },
      },
      file: { type: 'string' },
      file_name: { type: 'string' },
      header: {
        type: 'string',
        nullable: true,
        description:
          'The header line across the top of the pages of its last attempt, the page number ' +
          'aside (settings.header_line); null for a received fax or one sent without',
      },
      start_time: UTC_TIME,
      submit_time: { type: 'string', nullable: true },
      scheduled_time: { type: 'string', nullable: true },
      last_update: UTC_TIME,
      max_retry: { type: 'integer', nullable: true },
      retry_delay: { type: 'integer', nullable: true },
    },
  },
  {
    $id: 'FaxList',
    type: 'object',
    properties: {
      data: { type: 'object', properties: { records: { type: 'array', items: { $ref: 'Fax#' } } } },
    },
  },
  {
    $id: 'FilePath',
    type: 'object',
    required: ['path'],
    properties: { path: { type: 'string', description: 'Put this into PayloadOutbox.files' } },
  },
  {
    $id: 'WebhookId',
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string' } },
  },
  {
    $id: 'WebhookList',
    type: 'object',
    properties: {
      data: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'target', 'event'],
          properties: {
            id: { type: 'string' },
            target: { type: 'string' },
            event: { type: 'string', enum: WEBHOOK_EVENTS },
          },
        },
      },
    },
  },
] as const
