/**
 * OAuth2 authorization code grant (RFC 6749 §4.1), at the paths Fax.Plus uses on its accounts
 * host: GET /login shows the sign-in and consent page, POST /login answers it with a redirect
 * carrying a code (or error=access_denied), POST /token trades a code or a refresh token for
 * tokens. Parameters may come in the query string or the form body, as Fax.Plus clients send
 * them both ways. Token errors follow RFC 6749 §5.2 and also carry our `description`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError } from '../../domain/domain-error.js'
import { authenticateClient } from '../../use-cases/authenticate-client.js'
import { authorize } from '../../use-cases/authorize.js'
import type { Services } from '../../use-cases/context.js'
import { exchangeCode } from '../../use-cases/exchange-code.js'
import { findAuthorizingClient } from '../../use-cases/find-authorizing-client.js'
import { refreshTokens } from '../../use-cases/refresh-tokens.js'
import { SIGN_IN_PAGE_CHALLENGE, errorAnswer } from '../api-error.js'
import { isStorable } from '../storable-text.js'
import { errorPage, loginPage } from './login-page.js'

type Params = Record<string, string | undefined>

function paramsOf(request: FastifyRequest): Params {
  const merged: Params = {}
  for (const source of [request.query, request.body]) {
    if (source && typeof source === 'object') {
      for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
        if (typeof value === 'string') {
          merged[key] = value
        }
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

export function registerOAuthRoutes(app: FastifyInstance, services: Services): void {
  app.get('/login', async (request, reply) => {
    const p = paramsOf(request)
    void reply.type('text/html; charset=utf-8').headers(PAGE_HEADERS)
    if (p['response_type'] !== 'code') {
      return reply.status(400).send(errorPage('response_type must be "code".'))
    }
    try {
      const client = await findAuthorizingClient(
        services,
        p['client_id'] ?? '',
        p['redirect_uri'] ?? null,
      )
      return loginPage({
        clientId: client.clientId,
        redirectUri: client.redirectUri,
        state: p['state'] ?? '',
        email: '',
        message: null,
      })
    } catch (error) {
      if (error instanceof DomainError) {
        return reply.status(400).send(errorPage(error.message))
      }
      throw error
    }
  })

  app.post('/login', async (request, reply) => {
    const p = paramsOf(request)
    const clientId = p['client_id'] ?? ''
    const state = p['state'] ?? ''
    void reply.headers(PAGE_HEADERS)
    let client
    try {
      client = await findAuthorizingClient(services, clientId, p['redirect_uri'] ?? null)
    } catch (error) {
      if (error instanceof DomainError) {
        return reply.status(400).type('text/html; charset=utf-8').send(errorPage(error.message))
      }
      throw error
    }
    const withState = (params: Record<string, string>) => (state ? { ...params, state } : params)
    if (p['decision'] === 'deny') {
      return redirectWith(reply, client.redirectUri, withState({ error: 'access_denied' }))
    }
    try {
      const { code, redirectUri } = await authorize(services, {
        clientId,
        redirectUri: client.redirectUri,
        email: p['email'] ?? '',
        password: p['password'] ?? '',
      })
      return redirectWith(reply, redirectUri, withState({ code }))
    } catch (error) {
      if (
        error instanceof DomainError &&
        (error.code === 'invalid_credentials' || error.code === 'account_inactive')
      ) {
        const page = loginPage({
          clientId,
          redirectUri: client.redirectUri,
          state,
          email: p['email'] ?? '',
          message: error.message,
        })
        return reply
          .status(401)
          .header('www-authenticate', SIGN_IN_PAGE_CHALLENGE)
          .type('text/html; charset=utf-8')
          .send(page)
      }
      throw error
    }
  })

  app.post('/token', async (request, reply) => {
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
    try {
      const p = paramsOf(request)
      const credentials = clientCredentials(request, p)
      const client = await authenticateClient(
        services,
        credentials.clientId,
        credentials.clientSecret,
      )
      const grantType = p['grant_type']
      let pair
      if (grantType === 'authorization_code') {
        pair = await exchangeCode(services, client, required(p, 'code'), p['redirect_uri'] ?? null)
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
    } catch (error) {
      if (!(error instanceof DomainError)) {
        throw error
      }
      // RFC 6749 §5.2 names the text error_description; OAuth libraries read that key. A
      // failed client authentication (invalid_client, 401) carries WWW-Authenticate: Basic.
      const answer = errorAnswer(error)
      return reply
        .headers(answer.headers)
        .status(answer.statusCode)
        .send({ ...answer.body, error_description: answer.body.description })
    }
  })
}

function required(p: Params, name: string): string {
  const value = p[name]
  if (!value) {
    throw new DomainError('invalid_request', `${name} is required`)
  }
  return value
}

/** HTTP Basic (RFC 6749 §2.3.1), or client_id and client_secret among the parameters. */
function clientCredentials(
  request: FastifyRequest,
  p: Params,
): { clientId: string; clientSecret: string } {
  const header = request.headers.authorization
  if (header?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon > 0) {
      // RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined.
      const clientId = formDecode(decoded.slice(0, colon))
      const clientSecret = formDecode(decoded.slice(colon + 1))
      if (!isStorable(clientId) || !isStorable(clientSecret)) {
        throw new DomainError(
          'invalid_client',
          'The Basic credentials hold characters no client has',
        )
      }
      return { clientId, clientSecret }
    }
  }
  const clientId = p['client_id']
  const clientSecret = p['client_secret']
  if (!clientId || !clientSecret) {
    throw new DomainError('invalid_client', 'Authenticate the client with HTTP Basic')
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
