/** Every named schema, registered once with Fastify and listed under components in OpenAPI. */
import {
  outboxCommentSchema,
  outboxCoverPageSchema,
  outboxOptionsSchema,
  payloadOutboxSchema,
  retryOptionsSchema,
} from './payload-outbox.js'
import {
  ACCOUNT_PART_SCHEMAS,
  memberDetailSchema,
  payloadAccountModificationSchema,
  payloadFaxModificationSchema,
  payloadNumberModificationSchema,
  payloadOutboxModificationSchema,
  webhookSchema,
} from './payloads.js'
import { RESPONSE_SCHEMAS } from './responses.js'

export const SHARED_SCHEMAS: readonly { $id: string }[] = [
  retryOptionsSchema,
  outboxOptionsSchema,
  outboxCommentSchema,
  outboxCoverPageSchema,
  payloadOutboxSchema,
  ...ACCOUNT_PART_SCHEMAS,
  payloadAccountModificationSchema,
  memberDetailSchema,
  payloadNumberModificationSchema,
  payloadFaxModificationSchema,
  payloadOutboxModificationSchema,
  webhookSchema,
  ...RESPONSE_SCHEMAS,
]
