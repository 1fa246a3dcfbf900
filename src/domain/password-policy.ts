/**
 * Which passwords faxd accepts when one is set (NIST SP 800-63B §5.1.1.2, "Memorized Secret
 * Verifiers"): at least 8 characters ("at least 8 characters in length"), at most 256 (long
 * passphrases welcome; longer is an attack on the hash), any characters, and not one that is
 * known to be guessed first: a common password, one character repeated, a run such as
 * `12345678` or `abcdefgh`, or the account's own e-mail address or its name part ("dictionary
 * words, repetitive or sequential characters, context-specific words").
 * Passwords set before these rules keep working; the rules apply when one is set.
 */
export const MIN_PASSWORD_LENGTH = 8
export const MAX_PASSWORD_LENGTH = 256

/** Passwords at the top of every published list of the most used ones, and their kin here. */
const COMMON_PASSWORDS = new Set([
  'password',
  'password1',
  'password12',
  'password123',
  'password!',
  'passw0rd',
  'p@ssw0rd',
  'p@ssword',
  'qwertyuiop',
  'qwerty123',
  'qwerty12',
  '1q2w3e4r',
  '1q2w3e4r5t',
  'zaq12wsx',
  '1qaz2wsx',
  'asdfghjkl',
  'iloveyou',
  'iloveyou1',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'superman',
  'starwars',
  'trustno1',
  'welcome1',
  'welcome123',
  'letmein1',
  'letmein123',
  'whatever',
  'dragon123',
  'monkey123',
  'master123',
  'shadow123',
  'michael1',
  'jennifer',
  'computer',
  'internet',
  'changeme',
  'changeme1',
  'secret123',
  'admin123',
  'administrator',
  'default1',
  'fax12345',
  'faxplus1',
  'faxd1234',
  'faxpassword',
  '11111111',
  '12121212',
  '123123123',
  '123321123',
  '11223344',
  '12344321',
  '147258369',
  '159753258',
  '00000000',
  '88888888',
  '987654321',
  '1234567890',
  'abc12345',
  'abcd1234',
  'aa123456',
  'a1234567',
  'q1w2e3r4',
  'q1w2e3r4t5',
])

/** Why `password` cannot be set for an account with `email`, or null when it can. */
export function passwordProblem(password: string, email: string): string | null {
  const length = [...password].length
  if (length < MIN_PASSWORD_LENGTH) {
    return `A password needs at least ${MIN_PASSWORD_LENGTH} characters`
  }
  if (length > MAX_PASSWORD_LENGTH) {
    return `A password has at most ${MAX_PASSWORD_LENGTH} characters`
  }
  const folded = password.toLowerCase()
  if (COMMON_PASSWORDS.has(folded)) {
    return 'This password is among the most used ones, which are guessed first; choose another'
  }
  if (new Set(folded).size === 1 || isRun(folded)) {
    return 'A password of one repeated character or a run such as 12345678 is guessed first; choose another'
  }
  const address = email.toLowerCase()
  const name = address.split('@')[0] ?? ''
  if (folded === address || (name.length >= 4 && folded.includes(name))) {
    return 'A password must not contain its e-mail address; choose another'
  }
  return null
}

/** Each character one code point above (or below) the one before: `12345678`, `hgfedcba`. */
function isRun(text: string): boolean {
  const codes = [...text].map((c) => c.codePointAt(0) ?? 0)
  const step = (codes[1] ?? 0) - (codes[0] ?? 0)
  return (
    Math.abs(step) === 1 && codes.every((code, i) => i === 0 || code - (codes[i - 1] ?? 0) === step)
  )
}
