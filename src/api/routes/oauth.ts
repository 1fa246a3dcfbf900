/**
 * OAuth2 authorization code grant (RFC 6749 §4.1), at the paths Fax.Plus uses on its accounts
 * host: GET /login shows the sign-in and consent page, POST /login answers it with a redirect
 * carrying a code (or an error), POST /token trades a code or a refresh token for tokens.
 * Parameters may come in the query string or the form body, as Fax.Plus clients send them both
 * ways, but each once (§3.1: "Request and response parameters MUST NOT be included more than
 * once"); an empty one counts as absent ("Parameters sent without a value MUST be treated as if
 * they were omitted"). Token errors follow §5.2 (`error`, `error_description`) and also carry our
 * `description`; other methods on either path answer 405 with Allow.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError } from '../../domain/domain-error.js'
import { authenticateClient } from '../../use-cases/authenticate-client.js'
import { authorize } from '../../use-cases/authorize.js'
import {
  type AuthorizationRequestCheck,
  checkAuthorizationRequest,
} from '../../use-cases/check-authorization-request.js'
import type { Services } from '../../use-cases/context.js'
import { exchangeCode } from '../../use-cases/exchange-code.js'
import { refreshTokens } from '../../use-cases/refresh-tokens.js'
import { SIGN_IN_PAGE_CHALLENGE, errorAnswer } from '../api-error.js'
import { isStorable } from '../storable-text.js'
import { errorPage, loginPage } from './login-page.js'

type Params = Readonly<Record<string, string>>

/** The parameters of the query string and the form body together, each at most once. */
function paramsOf(request: FastifyRequest): Params {
  const merged: Record<string, string> = {}
  for (const source of [request.query, request.body]) {
    if (source === null || typeof source !== 'object') {
      continue
    }
    for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
      const values = (Array.isArray(value) ? value : [value]).filter((v) => v !== '')
      if (values.length === 0) {
        continue
      }
      if (values.length > 1 || key in merged) {
        throw new DomainError('invalid_request', `${key} came more than once (RFC 6749 §3.1)`)
      }
      if (typeof values[0] === 'string') {
        merged[key] = values[0]
      }
    }
  }
  return merged
}

function redirectWith(
  reply: FastifyReply,
  redirectUri: string,
  params: Record<string, string>,
): FastifyReply {
  const url = new URL(redirectUri)
  for (const [key, value] of Object.entries(params)) {
    url.searchParams.set(key, value)
  }
  return reply.redirect(url.toString(), 302)
}

/** The sign-in page must not be framed by another site (RFC 6749 §10.13, clickjacking). */
const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
}

const HTML = 'text/html; charset=utf-8'

export function registerOAuthRoutes(app: FastifyInstance, services: Services): void {
  /**
   * Both /login steps start here: the request is checked, and what cannot go back to the client
   * is shown on a page (400), what can is sent to its redirect URI (302).
   */
  async function checked(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<
    | { done: FastifyReply }
    | { done: null; p: Params; check: Extract<AuthorizationRequestCheck, { valid: true }> }
  > {
    void reply.headers(PAGE_HEADERS)
    let p: Params
    let check: AuthorizationRequestCheck
    try {
      p = paramsOf(request)
      check = await checkAuthorizationRequest(services, {
        clientId: p['client_id'] ?? '',
        redirectUri: p['redirect_uri'] ?? null,
        responseType: p['response_type'],
        scope: p['scope'],
        codeChallenge: p['code_challenge'],
        codeChallengeMethod: p['code_challenge_method'],
      })
    } catch (error) {
      if (error instanceof DomainError) {
        return { done: reply.status(400).type(HTML).send(errorPage(error.message)) }
      }
      throw error
    }
    if (!check.valid) {
      return {
        done: redirectWith(reply, check.redirectUri, {
          error: check.error,
          error_description: check.description,
          ...stateOf(p),
        }),
      }
    }
    return { done: null, p, check }
  }

  app.get('/login', async (request, reply) => {
    const step = await checked(request, reply)
    if (step.done) {
      return step.done
    }
    return reply.type(HTML).send(
      loginPage({
        request: step.check.request,
        state: step.p['state'] ?? '',
        email: '',
        message: null,
      }),
    )
  })

  app.post('/login', async (request, reply) => {
    const step = await checked(request, reply)
    if (step.done) {
      return step.done
    }
    const { p, check } = step
    const { redirectUri } = check.request
    if (p['decision'] === 'deny') {
      return redirectWith(reply, redirectUri, { error: 'access_denied', ...stateOf(p) })
    }
    try {
      const code = await authorize(services, check.request, {
        email: p['email'] ?? '',
        password: p['password'] ?? '',
        address: request.ip,
      })
      return redirectWith(reply, redirectUri, { code, ...stateOf(p) })
    } catch (error) {
      if (!(error instanceof DomainError) || !SIGN_IN_REFUSALS.has(error.code)) {
        throw error
      }
      const page = loginPage({
        request: check.request,
        state: p['state'] ?? '',
        email: p['email'] ?? '',
        message: error.message,
      })
      // A wrong password and an inactive account get the same 401 (with no HTTP scheme that
      // applies to a form); too many failures get 429 with Retry-After.
      const answer = errorAnswer(error)
      const headers =
        answer.statusCode === 429 ? answer.headers : { 'www-authenticate': SIGN_IN_PAGE_CHALLENGE }
      return reply
        .status(answer.statusCode === 429 ? 429 : 401)
        .headers(headers)
        .type(HTML)
        .send(page)
    }
  })

  app.route({
    method: ['PUT', 'DELETE', 'PATCH'],
    url: '/login',
    handler: async (_request, reply) =>
      reply
        .status(405)
        .header('allow', 'GET, HEAD, POST')
        .type(HTML)
        .send(errorPage('The sign-in page is opened with GET and answered with POST.')),
  })

  app.post('/token', {
    errorHandler: (error, _request, reply) => {
      sendTokenError(reply, error)
    },
    handler: async (request, reply) => {
      void reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      const p = paramsOf(request)
      const grantType = p['grant_type']
      if (grantType === undefined) {
        throw new DomainError('invalid_request', 'grant_type is required')
      }
      const credentials = clientCredentials(request, p)
      const client = await authenticateClient(
        services,
        credentials.clientId,
        credentials.clientSecret,
      )
      let pair
      if (grantType === 'authorization_code') {
        pair = await exchangeCode(services, client, {
          code: required(p, 'code'),
          redirectUri: p['redirect_uri'] ?? null,
          codeVerifier: p['code_verifier'] ?? null,
        })
      } else if (grantType === 'refresh_token') {
        pair = await refreshTokens(services, client, required(p, 'refresh_token'))
      } else {
        throw new DomainError(
          'unsupported_grant_type',
          'grant_type must be authorization_code or refresh_token',
        )
      }
      return {
        access_token: pair.accessToken,
        token_type: 'Bearer',
        expires_in: pair.expiresInSeconds,
        refresh_token: pair.refreshToken,
        scope: pair.scope,
      }
    },
  })

  app.route({
    method: ['GET', 'PUT', 'DELETE', 'PATCH'],
    url: '/token',
    errorHandler: (error, _request, reply) => {
      sendTokenError(reply, error)
    },
    handler: async (_request, reply) => {
      void reply.header('allow', 'POST')
      throw new TokenMethodError()
    },
  })
}

/** The sign-in refusals the page shows itself again for. */
const SIGN_IN_REFUSALS = new Set(['invalid_credentials', 'account_inactive', 'too_many_attempts'])

function stateOf(p: Params): Record<string, string> {
  const state = p['state']
  return state === undefined ? {} : { state }
}

class TokenMethodError extends Error {}

/** RFC 6749 §5.2's error codes; anything else the endpoint answers is named by the nearest. */
const TOKEN_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
])

/**
 * Every error of the token endpoint, its own or found before it ran (a body too large, a
 * character PostgreSQL cannot store), in §5.2's form: an `error` from its list with
 * `error_description`, and our `description` beside. A failed client authentication (401)
 * carries WWW-Authenticate: Basic.
 */
function sendTokenError(reply: FastifyReply, error: Error): void {
  if (error instanceof TokenMethodError) {
    const description = 'The token endpoint takes POST (RFC 6749 §3.2)'
    void reply
      .status(405)
      .header('cache-control', 'no-store')
      .send({ error: 'invalid_request', error_description: description, description })
    return
  }
  const answer = errorAnswer(error)
  const code = TOKEN_ERRORS.has(answer.body.error)
    ? answer.body.error
    : answer.statusCode >= 500
      ? answer.statusCode === 503
        ? 'temporarily_unavailable'
        : 'server_error'
      : 'invalid_request'
  void reply
    .headers(answer.headers)
    .header('cache-control', 'no-store')
    .status(answer.statusCode)
    .send({
      error: code,
      error_description: answer.body.description,
      description: answer.body.description,
    })
}

function required(p: Params, name: string): string {
  const value = p[name]
  if (value === undefined) {
    throw new DomainError('invalid_request', `${name} is required`)
  }
  return value
}

/**
 * The client's credentials: HTTP Basic (RFC 6749 §2.3.1), or client_id and client_secret among
 * the parameters, or client_id alone for a public client. "The client MUST NOT use more than
 * one authentication method in each request" (§2.3): credentials in both places that differ
 * are refused. The same pair in both is taken, because Fax.Plus's own sample application sends
 * it so.
 */
function clientCredentials(
  request: FastifyRequest,
  p: Params,
): { clientId: string; clientSecret: string | null } {
  const basic = basicCredentials(request.headers.authorization)
  const clientId = p['client_id']
  const clientSecret = p['client_secret']
  if (basic !== null) {
    if (
      (clientId !== undefined && clientId !== basic.clientId) ||
      (clientSecret !== undefined && clientSecret !== basic.clientSecret)
    ) {
      throw new DomainError(
        'invalid_request',
        'Client credentials came both in the Authorization header and as parameters, and differ; use one method (RFC 6749 §2.3)',
      )
    }
    return basic
  }
  if (clientId === undefined) {
    throw new DomainError('invalid_client', 'Authenticate the client with HTTP Basic')
  }
  // A public client names itself by client_id alone (authenticate-client.ts).
  return { clientId, clientSecret: clientSecret ?? null }
}

function basicCredentials(
  header: string | undefined,
): { clientId: string; clientSecret: string } | null {
  if (!header?.toLowerCase().startsWith('basic ')) {
    return null
  }
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) {
    return null
  }
  // RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined.
  const clientId = formDecode(decoded.slice(0, colon))
  const clientSecret = formDecode(decoded.slice(colon + 1))
  if (!isStorable(clientId) || !isStorable(clientSecret)) {
    throw new DomainError('invalid_client', 'The Basic credentials hold characters no client has')
  }
  return { clientId, clientSecret }
}

function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    throw new DomainError('invalid_client', 'The Basic credentials are not form-urlencoded')
  }
}
