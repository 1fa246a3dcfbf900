/**
 * Request bodies of the routes other than sendFax, as the Fax.Plus models define them. Top-level
 * unknown fields are refused (unknown_field) so that a typo is reported instead of ignored.
 */
import { DEFAULT_HEADER_TEMPLATE, MAX_HEADER_TEMPLATE_LENGTH } from '../../domain/header-line.js'
import { WEBHOOK_EVENTS } from '../../domain/webhook.js'

export const E164_PATTERN = '^[+]?[0-9]{8,}$'
export const EMAIL_PATTERN = '^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+$'

/*
 * The account's free-form parts (account_data, settings, notifications) are stored as given and
 * answered by getUser and getAccounts, where the official SDKs read them into their models. The
 * Python SDK refuses, and so fails the whole answer, on a missing required field, an unknown enum
 * value or an out-of-range retry, so these schemas accept only what it reads back. Unknown keys are
 * refused (unknown_field) so that a typo does not get stored and silently ignored.
 */

/** The five on/off switches every notification channel has; all are required. */
const NOTIFICATION_SWITCHES = {
  low_credit: { type: 'boolean', description: 'Notify when credit runs low' },
  new_feature: { type: 'boolean', description: 'Notify about product news' },
  receive_fax: { type: 'boolean', description: 'Notify when a fax arrives' },
  send_fax: { type: 'boolean', description: 'Notify when an outgoing fax finishes' },
  voicemail: { type: 'boolean', description: 'Notify about voicemail' },
} as const
const NOTIFICATION_SWITCH_NAMES = [
  'low_credit',
  'new_feature',
  'receive_fax',
  'send_fax',
  'voicemail',
] as const

const SLACK_MODE = {
  type: 'string',
  enum: ['with_attachment', 'no_attachment', 'off'],
  description: 'Post with the fax attached, post without it, or do not post',
} as const

export const accountDataSchema = {
  $id: 'AccountData',
  type: 'object',
  description: 'Company and history details of an account',
  additionalProperties: false,
  properties: {
    company_logo: { type: 'string', maxLength: 2048, description: 'File name of the company logo' },
    company_name: { type: 'string', maxLength: 256, description: 'Name of the company' },
    deactivation_reason: { type: 'string', maxLength: 1024 },
    default_file_type: {
      type: 'string',
      enum: ['tiff', 'pdf'],
      description: 'Format faxes are offered in by default',
    },
    role: { type: 'string', maxLength: 256, description: "The account's role in its company" },
    save_history: { type: 'boolean', description: 'Keep a record of every fax in the inbox' },
  },
} as const

export const accountSettingsSendFaxSchema = {
  $id: 'AccountSettingsSendFax',
  type: 'object',
  description:
    'Defaults for sending. The Fax.Plus documentation examples also put options and ' +
    'should_enhance here, so both are accepted at this level too.',
  additionalProperties: false,
  properties: {
    retry: {
      type: 'object',
      description: 'Default retries (narrower than the sendFax retry: the SDK caps delay at 30)',
      additionalProperties: false,
      properties: {
        count: { type: 'integer', minimum: 0, maximum: 3, description: 'Retries after the first' },
        delay: { type: 'integer', minimum: 0, maximum: 30, description: 'Wait between attempts' },
      },
    },
    options: { type: 'object', maxProperties: 32 },
    should_enhance: { type: 'boolean' },
  },
} as const

export const accountSettingsSchema = {
  $id: 'AccountSettings',
  type: 'object',
  description: 'Sending preferences of an account',
  additionalProperties: false,
  properties: {
    caller_id_name: { type: 'string', maxLength: 256, description: 'Name shown as the caller' },
    options: { type: 'object', maxProperties: 32, description: 'Further options, kept as given' },
    send_fax: { $ref: 'AccountSettingsSendFax#' },
    should_enhance: { type: 'boolean', description: 'Optimise sent pages for text' },
    header_line: {
      type: 'object',
      description:
        'faxd: the line across the top of every page sent (docs/rendering.md, "The header ' +
        'line"). Kept with each fax when it is sent.',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean', description: 'false: no header line (default true)' },
        template: {
          type: 'string',
          maxLength: MAX_HEADER_TEMPLATE_LENGTH,
          description:
            'Fields {date} {time} {zone} {name} {from} {to}; "PAGE x/y" is added at the ' +
            `right. Default "${DEFAULT_HEADER_TEMPLATE}"; {name} is caller_id_name, else the ` +
            "account's name",
        },
        time_zone: {
          type: 'string',
          maxLength: 64,
          description: 'IANA time zone of {date}, {time} and {zone} (default UTC)',
        },
      },
    },
  },
} as const

export const accountNotificationsBlacklistSchema = {
  $id: 'AccountNotificationsBlacklist',
  type: 'object',
  description: 'Users whose faxes cause no notification',
  required: ['uids'],
  additionalProperties: false,
  properties: {
    uids: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 64 } },
  },
} as const

export const accountNotificationsEmailSettingsAttachmentsSchema = {
  $id: 'AccountNotificationsEmailSettingsAttachments',
  type: 'object',
  description: 'Which faxes an email notification carries as attachments',
  required: ['receive_fax', 'send_fax'],
  additionalProperties: false,
  properties: {
    confirmation_page: { type: 'boolean', description: 'Attach the confirmation page' },
    receive_fax: { type: 'boolean', description: 'Attach a received fax' },
    send_fax: { type: 'boolean', description: 'Attach a sent fax' },
  },
} as const

export const accountNotificationsEmailSettingsSchema = {
  $id: 'AccountNotificationsEmailSettings',
  type: 'object',
  description: 'Notifications by email',
  required: NOTIFICATION_SWITCH_NAMES,
  additionalProperties: false,
  properties: {
    addresses: {
      type: 'array',
      maxItems: 100,
      items: { type: 'string', maxLength: 254, pattern: EMAIL_PATTERN },
      description: 'Where to send them',
    },
    attachments: { $ref: 'AccountNotificationsEmailSettingsAttachments#' },
    ...NOTIFICATION_SWITCHES,
  },
} as const

export const accountNotificationsPushSettingsSchema = {
  $id: 'AccountNotificationsPushSettings',
  type: 'object',
  description: 'Push notifications to the apps',
  required: NOTIFICATION_SWITCH_NAMES,
  additionalProperties: false,
  properties: NOTIFICATION_SWITCHES,
} as const

export const accountNotificationsSmsSettingsSchema = {
  $id: 'AccountNotificationsSmsSettings',
  type: 'object',
  description: 'Notifications by text message',
  required: NOTIFICATION_SWITCH_NAMES,
  additionalProperties: false,
  properties: {
    numbers: {
      type: 'array',
      maxItems: 100,
      items: { type: 'string', maxLength: 32, pattern: E164_PATTERN },
      description: 'Phone numbers to text',
    },
    ...NOTIFICATION_SWITCHES,
  },
} as const

export const accountNotificationsSlackSettingsSchema = {
  $id: 'AccountNotificationsSlackSettings',
  type: 'object',
  description: 'Notifications posted to Slack',
  required: ['receive_fax', 'send_fax', 'target_channel'],
  additionalProperties: false,
  properties: {
    receive_fax: SLACK_MODE,
    send_fax: SLACK_MODE,
    target_channel: { type: 'string', maxLength: 256, description: 'Channel to post in' },
  },
} as const

export const accountNotificationsSettingsSchema = {
  $id: 'AccountNotificationsSettings',
  type: 'object',
  description: 'Notification channels; email, push_notifications and sms are required',
  required: ['email', 'push_notifications', 'sms'],
  additionalProperties: false,
  properties: {
    email: { $ref: 'AccountNotificationsEmailSettings#' },
    language: {
      type: 'string',
      enum: ['en'],
      description: 'Language of the notifications; the SDKs know only en',
    },
    push_notifications: { $ref: 'AccountNotificationsPushSettings#' },
    slack: { $ref: 'AccountNotificationsSlackSettings#' },
    sms: { $ref: 'AccountNotificationsSmsSettings#' },
  },
} as const

export const accountNotificationsSchema = {
  $id: 'AccountNotifications',
  type: 'object',
  description: 'Who is notified of what, and how',
  required: ['settings'],
  additionalProperties: false,
  properties: {
    black_list: { $ref: 'AccountNotificationsBlacklist#' },
    settings: { $ref: 'AccountNotificationsSettings#' },
  },
} as const

/** The named parts of an account, in the order they are registered (used ones first). */
export const ACCOUNT_PART_SCHEMAS = [
  accountDataSchema,
  accountSettingsSendFaxSchema,
  accountSettingsSchema,
  accountNotificationsBlacklistSchema,
  accountNotificationsEmailSettingsAttachmentsSchema,
  accountNotificationsEmailSettingsSchema,
  accountNotificationsPushSettingsSchema,
  accountNotificationsSmsSettingsSchema,
  accountNotificationsSlackSettingsSchema,
  accountNotificationsSettingsSchema,
  accountNotificationsSchema,
] as const

export const payloadAccountModificationSchema = {
  $id: 'PayloadAccountModification',
  type: 'object',
  description:
    'Changes to an account; every field is optional. account_data, settings and notifications ' +
    'each replace the stored object as a whole.',
  additionalProperties: false,
  properties: {
    email: { type: 'string', maxLength: 254, pattern: EMAIL_PATTERN },
    name: { type: 'string', maxLength: 256 },
    lastname: { type: 'string', maxLength: 256 },
    phone: { type: 'string', maxLength: 32, pattern: E164_PATTERN },
    profile_image: { type: 'string', maxLength: 2048 },
    account_data: { $ref: 'AccountData#' },
    settings: { $ref: 'AccountSettings#' },
    notifications: { $ref: 'AccountNotifications#' },
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
      description:
        'Absolute http(s) URL to POST events to, without a user name or password (requests are signed instead: docs/webhooks.md)',
    },
    event: { type: 'string', enum: WEBHOOK_EVENTS },
  },
} as const
