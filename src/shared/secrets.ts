/**
 * Hashing of secrets. Bearer tokens and client secrets are 256-bit random strings, so a plain
 * SHA-256 is enough to store them; passwords are chosen by people and get scrypt, memory-hard,
 * with a salt, computed off the event loop.
 *
 * scrypt's parameters: N = 2^14 (16 MiB of memory per hash), r = 8, p = 5, one of OWASP's
 * equivalent settings for scrypt ("N=2^14 (16 MiB), r=8 (1024 bytes), p=5"; Password Storage
 * Cheat Sheet). A stored hash names its parameters (`scrypt$N=16384,r=8,p=5$salt$key`), so they
 * can grow later; hashes made before they were written down used p = 1 and are replaced at the
 * next successful sign-in (passwordNeedsRehash).
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

export interface ScryptCost {
  readonly N: number
  readonly r: number
  readonly p: number
}

export const PASSWORD_HASH_COST: ScryptCost = { N: 2 ** 14, r: 8, p: 5 }
/** What hashes without parameters were made with (Node's defaults). */
const LEGACY_COST: ScryptCost = { N: 2 ** 14, r: 8, p: 1 }
const KEY_BYTES = 32
const SALT_BYTES = 16

function scryptAsync(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, { ...cost, maxmem: 256 * cost.N * cost.r }, (error, key) =>
      error ? reject(error) : resolve(key),
    )
  })
}

export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/** BASE64URL(SHA256(ASCII(text))), RFC 7636 §4.2's S256 transformation. */
export function sha256Base64url(text: string): string {
  return createHash('sha256').update(text, 'ascii').digest('base64url')
}

/** Whether two texts are equal, in a time that does not depend on where they differ. */
export function equalInConstantTime(a: string, b: string): boolean {
  // Hashing first makes the lengths equal, as timingSafeEqual needs, and hides them.
  return timingSafeEqual(
    createHash('sha256').update(a).digest(),
    createHash('sha256').update(b).digest(),
  )
}

/**
 * Hashes and checks passwords with scrypt at `cost`: the service's is PASSWORD_HASH_COST. (The
 * suite's apps use a cheaper one, since a hash at the service's cost is 0.17 CPU-seconds and its
 * sign-in tests make hundreds; one test checks that the service's hashes carry the real cost.)
 */
export class PasswordHashing {
  readonly cost: ScryptCost

  constructor(cost: ScryptCost = PASSWORD_HASH_COST) {
    this.cost = cost
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES)
    const key = await scryptAsync(password, salt, this.cost)
    const { N, r, p } = this.cost
    return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64url')}$${key.toString('base64url')}`
  }

  /**
   * Checks a password against a stored hash. Without a usable stored hash (unknown email, no
   * password set) it still spends one scrypt at this cost, so the answer time does not tell
   * whether the email exists.
   */
  async verify(password: string, stored: string | null): Promise<boolean> {
    const parsed = parseStoredHash(stored)
    const salt = parsed?.salt ?? Buffer.alloc(SALT_BYTES)
    const actual = await scryptAsync(password, salt, parsed?.cost ?? this.cost)
    const expected = parsed?.key.length === KEY_BYTES ? parsed.key : Buffer.alloc(KEY_BYTES)
    return parsed !== null && timingSafeEqual(expected, actual) && parsed.key.length === KEY_BYTES
  }

  /** Whether a stored hash was made at another cost than this one, to be replaced at sign-in. */
  needsRehash(stored: string): boolean {
    const cost = parseStoredHash(stored)?.cost
    return (
      cost === undefined ||
      cost.N !== this.cost.N ||
      cost.r !== this.cost.r ||
      cost.p !== this.cost.p
    )
  }
}

interface StoredHash {
  readonly cost: ScryptCost
  readonly salt: Buffer
  readonly key: Buffer
}

function parseStoredHash(stored: string | null): StoredHash | null {
  const parts = (stored ?? '').split('$')
  if (parts[0] !== 'scrypt') {
    return null
  }
  if (parts.length === 3) {
    return {
      cost: LEGACY_COST,
      salt: Buffer.from(parts[1] ?? '', 'base64url'),
      key: Buffer.from(parts[2] ?? '', 'base64url'),
    }
  }
  const cost = /^N=(\d+),r=(\d+),p=(\d+)$/.exec(parts[1] ?? '')
  if (parts.length !== 4 || cost === null) {
    return null
  }
  return {
    cost: { N: Number(cost[1]), r: Number(cost[2]), p: Number(cost[3]) },
    salt: Buffer.from(parts[2] ?? '', 'base64url'),
    key: Buffer.from(parts[3] ?? '', 'base64url'),
  }
}
