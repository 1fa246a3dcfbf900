/**
 * An OAuth2 client for tests: registers a client the way the operator does, and walks the
 * authorization code grant (POST /login, then POST /token) through Fastify's inject, so a test
 * gets real OAuth2 tokens without a socket. The over-the-wire flow has its own test.
 */
import type { FastifyInstance } from 'fastify'
import type { Services } from '../../src/use-cases/context.js'
import { createOAuthClient } from '../../src/use-cases/create-oauth-client.js'

export interface RegisteredClient {
  readonly clientId: string
  readonly clientSecret: string
  readonly redirectUri: string
}

export interface OAuthTokens {
  readonly accessToken: string
  readonly refreshToken: string
}

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded'

export async function registerClient(
  services: Services,
  uid: string,
  redirectUri = 'https://app.example.test/callback',
): Promise<RegisteredClient> {
  const { clientId, clientSecret } = await createOAuthClient(services, {
    uid,
    type: 'confidential',
    name: 'Test app',
    homepage: null,
    redirectUris: [redirectUri],
  })
  if (clientSecret === null) {
    throw new Error('a confidential client was registered without a secret')
  }
  return { clientId, clientSecret, redirectUri }
}

/** HTTP Basic client authentication (RFC 6749 §2.3.1: each part form-urlencoded first). */
export function basicAuth(clientId: string, clientSecret: string): string {
  const pair = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`
}

export function formBody(fields: Readonly<Record<string, string>>): string {
  return new URLSearchParams(fields).toString()
}

/** Signs `email` in for `client` and trades the code for tokens; throws on any surprise. */
export async function obtainOAuthTokens(
  app: FastifyInstance,
  client: RegisteredClient,
  credentials: { email: string; password: string },
): Promise<OAuthTokens> {
  const login = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': FORM_CONTENT_TYPE },
    payload: formBody({
      email: credentials.email,
      password: credentials.password,
      client_id: client.clientId,
      redirect_uri: client.redirectUri,
      response_type: 'code',
      state: 'test',
      decision: 'allow',
    }),
  })
  const location = login.headers.location
  if (login.statusCode !== 302 || typeof location !== 'string') {
    throw new Error(`POST /login answered ${login.statusCode}: ${login.body}`)
  }
  const code = new URL(location).searchParams.get('code')
  if (!code) {
    throw new Error(`POST /login redirected without a code: ${location}`)
  }
  const token = await app.inject({
    method: 'POST',
    url: '/token',
    headers: {
      authorization: basicAuth(client.clientId, client.clientSecret),
      'content-type': FORM_CONTENT_TYPE,
    },
    payload: formBody({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
    }),
  })
  if (token.statusCode !== 200) {
    throw new Error(`POST /token answered ${token.statusCode}: ${token.body}`)
  }
  const answer = token.json<{ access_token?: unknown; refresh_token?: unknown }>()
  if (typeof answer.access_token !== 'string' || typeof answer.refresh_token !== 'string') {
    throw new Error(`POST /token answered no tokens: ${token.body}`)
  }
  return { accessToken: answer.access_token, refreshToken: answer.refresh_token }
}
