/**
 * Hashing of secrets. Bearer tokens and client secrets are 256-bit random strings, so a plain
 * SHA-256 is enough to store them; passwords are chosen by people and get scrypt with a salt.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'

export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

export function hashPassword(password: string): string {
  const salt = randomBytes(16)
  const key = scryptSync(password, salt, 32)
  return `scrypt$${salt.toString('base64url')}$${key.toString('base64url')}`
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, saltText, keyText] = stored.split('$')
  if (scheme !== 'scrypt' || !saltText || !keyText) {
    return false
  }
  const expected = Buffer.from(keyText, 'base64url')
  const actual = scryptSync(password, Buffer.from(saltText, 'base64url'), expected.length)
  return timingSafeEqual(expected, actual)
}
