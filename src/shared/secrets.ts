/**
 * Hashing of secrets. Bearer tokens and client secrets are 256-bit random strings, so a plain
 * SHA-256 is enough to store them; passwords are chosen by people and get scrypt with a salt,
 * computed off the event loop.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keyLength: number,
) => Promise<Buffer>
const KEY_BYTES = 32

export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(password, salt, KEY_BYTES)
  return `scrypt$${salt.toString('base64url')}$${key.toString('base64url')}`
}

/**
 * Checks a password against a stored hash. Without a stored hash (unknown email, no password
 * set) it still spends one scrypt, so the answer time does not tell whether the email exists.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, saltText, keyText] = (stored ?? '').split('$')
  const usable = scheme === 'scrypt' && saltText !== undefined && keyText !== undefined
  const salt = usable ? Buffer.from(saltText, 'base64url') : Buffer.alloc(16)
  const expected = usable ? Buffer.from(keyText, 'base64url') : Buffer.alloc(KEY_BYTES)
  const actual = await scryptAsync(password, salt, expected.length || KEY_BYTES)
  return usable && expected.length === actual.length && timingSafeEqual(expected, actual)
}
