/**
 * Random identifiers in the shapes Fax.Plus uses: 32 hex digits for users, outbox entries and
 * numbers; 24 hex digits (ObjectId-like) for faxes, deliveries and webhooks; UUIDs for uploads.
 */
import { randomBytes, randomUUID } from 'node:crypto'

export function newId32(): string {
  return randomBytes(16).toString('hex')
}

export function newId24(): string {
  return randomBytes(12).toString('hex')
}

/** A random (version 4) UUID, for upload paths (`/transient-<uuid>` in the Fax.Plus docs). */
export function newUuid(): string {
  return randomUUID()
}

/** A bearer secret: a readable prefix and 32 random bytes, base64url. */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`
}
