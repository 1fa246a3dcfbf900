/**
 * Every 401 and 403 faxd can answer carries WWW-Authenticate (RFC 9110 §11.6.1; RFC 6750 §3
 * for bearer tokens; RFC 6749 §5.2 for the token endpoint), with the value
 * docs/authentication.md gives for its code. One request per way of being refused; the last
 * test checks that the walk covers every error code the API sends with 401 or 403, so a new
 * one cannot go without its challenge. auth.test.ts checks the same values on every endpoint.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { DOMAIN_ERROR_STATUS } from '../../src/api/api-error.js'
import {
  FORM_CONTENT_TYPE,
  type OAuthTokens,
  type RegisteredClient,
  basicAuth,
  formBody,
  obtainOAuthTokens,
  registerClient,
} from '../support/oauth-client.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'
import { CHALLENGE_OF, SIGN_IN_PAGE_CHALLENGE } from './www-authenticate-values.js'

const PASSWORD = 'correct horse battery staple'
const DAY_MS = 86_400_000

let t: TestApp
let admin: TestUser
let member: TestUser
let suspended: TestUser
let client: RegisteredClient
let otherClient: RegisteredClient
let oauth: OAuthTokens

before(async () => {
  t = await openTestApp('sqlite')
  admin = await t.user({ type: 'corporate_admin', password: PASSWORD })
  member = await t.user({ adminUid: admin.account.uid })
  suspended = await t.user({ password: PASSWORD })
  client = await registerClient(t.services, admin.account.uid)
  otherClient = await registerClient(t.services, member.account.uid)
  oauth = await obtainOAuthTokens(t.app, client, { email: admin.account.email, password: PASSWORD })
  await t.testStore
    .database()
    .updateTable('accounts')
    .set({ status: 'suspended' })
    .where('uid', '=', suspended.account.uid)
    .execute()
})

after(async () => {
  await t.close()
})

function getSelf(headers: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'GET', url: '/v3/accounts/self', headers })
}

function postToken(headers: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/token',
    headers: { 'content-type': FORM_CONTENT_TYPE, ...headers },
    payload: formBody({ grant_type: 'refresh_token', refresh_token: 'faxd_rt_unknown' }),
  })
}

function postLogin(email: string, password: string): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': FORM_CONTENT_TYPE },
    payload: formBody({
      email,
      password,
      client_id: client.clientId,
      redirect_uri: client.redirectUri,
      response_type: 'code',
      decision: 'allow',
    }),
  })
}

/** One way of being refused with 401 or 403: the code it answers and the request that earns it. */
interface Refusal {
  readonly name: string
  readonly status: 401 | 403
  readonly code: string
  send(): Promise<LightMyRequestResponse>
}

const TOKEN_ERROR_KEYS = ['description', 'error', 'error_description']

const API_REFUSALS: readonly Refusal[] = [
  {
    name: 'no Authorization: Bearer realm="faxd" and no error',
    status: 401,
    code: 'missing_token',
    send: () => getSelf({}),
  },
  {
    name: 'an Authorization that is not Bearer: error="invalid_request"',
    status: 401,
    code: 'malformed_token',
    send: () => getSelf({ authorization: 'Basic abc' }),
  },
  {
    name: 'an unknown token: error="invalid_token"',
    status: 401,
    code: 'invalid_token',
    send: () => getSelf({ authorization: 'Bearer faxd_pat_unknown' }),
  },
  {
    name: 'an expired token: error="invalid_token" and a description',
    status: 401,
    code: 'token_expired',
    send: async () => {
      const token = await t.token(admin.account.uid, { expiresInDays: 1 })
      const startMs = t.clock.now()
      t.clock.advance(2 * DAY_MS)
      try {
        return await getSelf({ authorization: `Bearer ${token}` })
      } finally {
        t.clock.set(startMs)
      }
    },
  },
  {
    name: 'an OAuth2 token without x-fax-clientid: error="invalid_request"',
    status: 401,
    code: 'client_id_required',
    send: () => getSelf({ authorization: `Bearer ${oauth.accessToken}` }),
  },
  {
    name: 'an OAuth2 token with another client\'s id: error="invalid_token"',
    status: 401,
    code: 'invalid_client_id',
    send: () =>
      getSelf({
        authorization: `Bearer ${oauth.accessToken}`,
        'x-fax-clientid': otherClient.clientId,
      }),
  },
  {
    name: 'the token of a suspended account: error="invalid_token"',
    status: 403,
    code: 'account_inactive',
    send: () => getSelf({ authorization: `Bearer ${suspended.token}` }),
  },
  {
    name: 'a token without a permitting scope: error="insufficient_scope"',
    status: 403,
    code: 'insufficient_scope',
    send: async () => {
      const token = await t.token(admin.account.uid, { scopes: ['fax:fax:read'] })
      return getSelf({ authorization: `Bearer ${token}` })
    },
  },
  {
    name: 'a corporate member listing the accounts: error="insufficient_scope"',
    status: 403,
    code: 'not_corporate_admin',
    send: () => t.request('GET', '/v3/accounts', { token: member.token }),
  },
]

/** The token endpoint's refusals also carry RFC 6749's error_description. */
const TOKEN_REFUSALS: readonly Refusal[] = [
  {
    name: 'a wrong client secret over HTTP Basic: Basic realm="faxd"',
    status: 401,
    code: 'invalid_client',
    send: () => postToken({ authorization: basicAuth(client.clientId, 'faxd_cs_wrong') }),
  },
  {
    name: 'no client authentication at all: Basic realm="faxd"',
    status: 401,
    code: 'invalid_client',
    send: () => postToken({}),
  },
]

/** The sign-in page answers with HTML; the code is the reason, not part of the answer. */
const SIGN_IN_REFUSALS: readonly Refusal[] = [
  {
    name: 'a wrong password',
    status: 401,
    code: 'invalid_credentials',
    send: () => postLogin(admin.account.email, 'wrong password'),
  },
  {
    name: 'the password of a suspended account',
    status: 401,
    code: 'account_inactive',
    send: () => postLogin(suspended.account.email, PASSWORD),
  },
]

/** Checks status, the Error body with `code` (and only `keys`), and the code's challenge. */
function assertChallenged(
  response: LightMyRequestResponse,
  refusal: Refusal,
  keys: readonly string[],
): void {
  assert.equal(response.statusCode, refusal.status, response.body)
  const body = response.json<Record<string, unknown>>()
  assert.deepEqual(Object.keys(body).sort(), keys)
  assert.equal(body['error'], refusal.code)
  assert.ok(CHALLENGE_OF[refusal.code], `no expected challenge for ${refusal.code}`)
  assert.equal(response.headers['www-authenticate'], CHALLENGE_OF[refusal.code])
}

describe('bearer credentials on /v3', () => {
  for (const refusal of API_REFUSALS) {
    it(`${refusal.name}: ${refusal.status} ${refusal.code}`, async () => {
      assertChallenged(await refusal.send(), refusal, ['description', 'error'])
    })
  }

  it('HEAD without Authorization: 401 with the challenge too', async () => {
    const response = await t.app.inject({ method: 'HEAD', url: '/v3/accounts/self' })
    assert.equal(response.statusCode, 401)
    assert.equal(response.headers['www-authenticate'], CHALLENGE_OF['missing_token'])
  })
})

describe('the token endpoint', () => {
  for (const refusal of TOKEN_REFUSALS) {
    it(`${refusal.name}: ${refusal.status} ${refusal.code}`, async () => {
      assertChallenged(await refusal.send(), refusal, TOKEN_ERROR_KEYS)
    })
  }

  it('a grant error is a 400 without a challenge', async () => {
    const response = await postToken({
      authorization: basicAuth(client.clientId, client.clientSecret),
    })
    assert.equal(response.statusCode, 400, response.body)
    assert.equal(response.json<{ error: string }>().error, 'invalid_grant')
    assert.equal(response.headers['www-authenticate'], undefined)
  })
})

describe('the sign-in page', () => {
  for (const refusal of SIGN_IN_REFUSALS) {
    it(`${refusal.name}: the 401 page with WWW-Authenticate: Form realm="faxd"`, async () => {
      const response = await refusal.send()
      assert.equal(response.statusCode, 401, response.body)
      assert.match(String(response.headers['content-type']), /^text\/html/)
      assert.equal(response.headers['www-authenticate'], SIGN_IN_PAGE_CHALLENGE)
    })
  }
})

describe('docs/authentication.md', () => {
  it('gives each code of the table the challenge the API sends', async () => {
    const doc = await readFile(join(import.meta.dirname, '..', '..', 'docs', 'authentication.md'))
    const rows = [
      ...doc.toString('utf8').matchAll(/^\| (40[13])\s+\| `([a-z_]+)`\s+\| `(.+)`\s+\|$/gm),
    ]
    const documented = Object.fromEntries(rows.map((row) => [row[2], row[3]]))
    const bearer = Object.fromEntries(
      Object.entries(CHALLENGE_OF).filter(([, value]) => value.startsWith('Bearer ')),
    )
    assert.deepEqual(documented, bearer)
  })
})

describe('the walk', () => {
  it('covers every code the API answers with 401 or 403', () => {
    const walked = [...API_REFUSALS, ...TOKEN_REFUSALS, ...SIGN_IN_REFUSALS].map((r) => r.code)
    const domainCodes = Object.entries(DOMAIN_ERROR_STATUS)
      .filter(([, status]) => status === 401 || status === 403)
      .map(([code]) => code)
    // missing_token and malformed_token are the bearer check's own, found before any use case.
    const expected = [...domainCodes, 'missing_token', 'malformed_token']
    assert.deepEqual([...new Set(walked)].sort(), [...new Set(expected)].sort())
  })
})
