/**
 * Random identifiers in the shapes Fax.Plus uses: 32 hex digits for users, outbox entries and
 * numbers; 24 hex digits (ObjectId-like) for faxes, deliveries and webhooks; UUIDs for uploads.
 */
import { randomBytes, randomUUID } from 'node:crypto'

export function newId32(): string {
  return randomBytes(16).toString('hex')
}

/** Five random bytes chosen once per process, and a counter from a random start, as ObjectIds have. */
const PROCESS_BYTES = randomBytes(5)
let counter = randomBytes(3).readUIntBE(0, 3)

/**
 * 24 hex digits laid out as a MongoDB ObjectId (the shape of Fax.Plus fax ids): 4 bytes of Unix
 * seconds, 5 bytes fixed per process, a 3-byte counter. Ids made one after another sort one after
 * another, so a batch of 4000 deliveries lands in neighbouring B-tree pages instead of 4000
 * random ones (docs/benchmarks.md). The process bytes and the counter keep them unique.
 */
export function newId24(nowMs = Date.now()): string {
  counter = (counter + 1) % 0x1000000
  const id = Buffer.alloc(12)
  id.writeUInt32BE(Math.floor(nowMs / 1000) % 0x100000000, 0)
  PROCESS_BYTES.copy(id, 4)
  id.writeUIntBE(counter, 9, 3)
  return id.toString('hex')
}

/** A random (version 4) UUID, for upload paths (`/transient-<uuid>` in the Fax.Plus docs). */
export function newUuid(): string {
  return randomUUID()
}

/** A bearer secret: a readable prefix and 32 random bytes, base64url. */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`
}
