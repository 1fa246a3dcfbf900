/**
 * Request bodies of the routes other than sendFax, as the Fax.Plus models define them. Top-level
 * unknown fields are refused (unknown_field) so that a typo is reported instead of ignored.
 */
import { WEBHOOK_EVENTS } from '../../domain/webhook.js'

const E164_PATTERN = '^[+]?[0-9]{8,}$'

export const payloadAccountModificationSchema = {
  $id: 'PayloadAccountModification',
  type: 'object',
  description: 'Changes to an account; every field is optional',
  additionalProperties: false,
  properties: {
    email: {
      type: 'string',
      maxLength: 254,
      pattern: '^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+$',
    },
    name: { type: 'string', maxLength: 256 },
    lastname: { type: 'string', maxLength: 256 },
    phone: { type: 'string', maxLength: 32, pattern: E164_PATTERN },
    profile_image: { type: 'string', maxLength: 2048 },
    account_data: { type: 'object', maxProperties: 32 },
    settings: { type: 'object', maxProperties: 32 },
    notifications: { type: 'object', maxProperties: 32 },
  },
} as const

export const memberDetailSchema = {
  $id: 'MemberDetail',
  type: 'object',
  description: "A corporate member's monthly page quota and role",
  additionalProperties: false,
  properties: {
    quota: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
    role: { type: 'string', maxLength: 256 },
  },
} as const

export const payloadNumberModificationSchema = {
  $id: 'PayloadNumberModification',
  type: 'object',
  description: 'Assign a number to a user',
  required: ['assigned_to'],
  additionalProperties: false,
  properties: {
    assigned_to: { type: 'string', maxLength: 64, description: 'User ID to assign the number to' },
  },
} as const

export const payloadFaxModificationSchema = {
  $id: 'PayloadFaxModification',
  type: 'object',
  description: "Change a fax record's comment or read mark",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    comment: { type: 'string', maxLength: 65_536 },
    is_read: { type: 'boolean' },
  },
} as const

export const payloadOutboxModificationSchema = {
  $id: 'PayloadOutboxModification',
  type: 'object',
  description: "Change an outgoing fax's comment",
  required: ['comment'],
  additionalProperties: false,
  properties: { comment: { type: 'string', maxLength: 65_536, description: 'New comment text' } },
} as const

export const webhookSchema = {
  $id: 'Webhook',
  type: 'object',
  description: 'A webhook to register',
  required: ['target', 'event'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'Ignored when registering' },
    target: {
      type: 'string',
      maxLength: 2048,
      description: 'Absolute http(s) URL to POST events to',
    },
    event: { type: 'string', enum: WEBHOOK_EVENTS },
  },
} as const
