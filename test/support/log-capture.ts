/**
 * Every log line a test app writes, and every secret that went through it, so that a test can
 * fail when a secret was written down (issue: "no secret in any log line").
 *
 * The secrets are gathered from the traffic, by the names the protocol gives them, not by the
 * patterns the redaction knows: bearer tokens and Basic credentials from Authorization headers,
 * passwords, codes, verifiers and client secrets from query strings and forms, tokens and
 * secrets from JSON answers, codes from redirects. A secret is looked for in the log as sent,
 * percent-encoded, form-encoded and in base64, the forms a URL or a header would carry it in.
 */
import type { FastifyInstance } from 'fastify'
import type { LogDestination } from '../../src/shared/logger.js'

/** Parameters and JSON keys whose values are secrets. */
const SECRET_NAMES = new Set([
  'password',
  'client_secret',
  'code',
  'code_verifier',
  'refresh_token',
  'access_token',
  'token',
  'signing_secret',
  'previous_signing_secret',
])

/** What a successful /token request proves to be real, by grant type. */
const GRANT_SECRETS: Readonly<Record<string, readonly string[]>> = {
  authorization_code: ['code', 'code_verifier'],
  refresh_token: ['refresh_token'],
}

/** Shorter values (a one-letter wrong password in a test) would match by chance. */
const MIN_SECRET_LENGTH = 6

export class LogCapture implements LogDestination {
  readonly lines: string[] = []
  readonly #secrets = new Set<string>()

  write(line: string): void {
    this.lines.push(line)
  }

  addSecret(secret: string): void {
    if (secret.length >= MIN_SECRET_LENGTH) {
      this.#secrets.add(secret)
    }
  }

  get secretCount(): number {
    return this.#secrets.size
  }

  /** The lines that hold a secret in any of the forms it travels in, with the secret masked. */
  leaks(): string[] {
    const found: string[] = []
    for (const secret of this.#secrets) {
      const forms = new Set([
        secret,
        encodeURIComponent(secret),
        new URLSearchParams({ s: secret }).toString().slice(2),
        Buffer.from(secret).toString('base64'),
      ])
      for (const line of this.lines) {
        for (const form of forms) {
          if (line.includes(form)) {
            found.push(line.replaceAll(form, `<secret ${secret.slice(0, 4)}…>`))
          }
        }
      }
    }
    return found
  }

  /** Throws when a secret was logged: each test app calls it as it closes. */
  assertNoLeaks(): void {
    const leaks = this.leaks()
    if (leaks.length > 0) {
      throw new Error(`${leaks.length} log lines hold a secret:\n${leaks.slice(0, 5).join('\n')}`)
    }
  }

  /**
   * Gathers the secrets of `app`'s traffic that are real: those it issued (tokens and signing
   * secrets in JSON answers, codes in redirects) and those it accepted (the bearer token of a
   * request not refused with 401, the client credentials, code, refresh token and verifier of a
   * successful /token, the password of a sign-in that redirected with a code). Values a fuzzer
   * makes up are not secrets, wherever they are sent.
   */
  watch(app: FastifyInstance): void {
    app.addHook('onSend', async (request, reply, payload) => {
      const status = reply.statusCode
      const location = reply.getHeader('location')
      const parameters = new URL(request.url, 'http://x').searchParams
      const fields = formFields(request.body)
      const authorization = request.headers.authorization
      if (typeof location === 'string') {
        const code = parseUrl(location)?.searchParams.get('code')
        if (code) {
          this.addSecret(code)
          const password = fields.get('password') ?? parameters.get('password')
          if (password) {
            this.addSecret(password)
          }
        }
      }
      if (typeof payload === 'string' && payload.startsWith('{')) {
        this.#fromObject(parseJson(payload))
      }
      const [scheme = '', credentials = ''] = (authorization ?? '').trim().split(/\s+/, 2)
      if (scheme.toLowerCase() === 'bearer' && request.url.startsWith('/v3/') && status !== 401) {
        this.addSecret(credentials)
      }
      if (request.url.startsWith('/token') && status === 200) {
        if (scheme.toLowerCase() === 'basic') {
          this.#fromBasic(credentials)
        }
        for (const source of [parameters, fields]) {
          const grant = GRANT_SECRETS[source.get('grant_type') ?? ''] ?? []
          for (const name of ['client_secret', ...grant]) {
            const value = source.get(name)
            if (value) {
              this.addSecret(value)
            }
          }
        }
      }
      return payload
    })
  }

  #fromBasic(credentials: string): void {
    this.addSecret(credentials)
    const decoded = Buffer.from(credentials, 'base64').toString('utf8')
    const secret = decoded.slice(decoded.indexOf(':') + 1)
    this.addSecret(secret)
    try {
      this.addSecret(decodeURIComponent(secret.replace(/\+/g, ' ')))
    } catch {
      // Not form-encoded: the secret as sent is gathered already.
    }
  }

  #fromObject(value: unknown): void {
    if (value === null || typeof value !== 'object') {
      return
    }
    for (const [key, field] of Object.entries(value)) {
      if (typeof field === 'string' && SECRET_NAMES.has(key)) {
        this.addSecret(field)
      } else if (typeof field === 'object') {
        this.#fromObject(field)
      }
    }
  }
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text)
  } catch {
    return null
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

/** The string fields of a parsed form (or JSON) body, as parameters. */
function formFields(body: unknown): URLSearchParams {
  const fields = new URLSearchParams()
  if (body !== null && typeof body === 'object') {
    for (const [name, value] of Object.entries(body)) {
      if (typeof value === 'string') {
        fields.append(name, value)
      }
    }
  }
  return fields
}
