/**
 * The OAuth2 authorization code grant end to end over real HTTP: the app listens on a port and
 * every request is a `fetch` that does not follow redirects, as a browser and a client
 * application would make them. Sign-in page, consent, redirect with code and state, the code
 * traded at /token with HTTP Basic client authentication, API calls with the access token and
 * x-fax-clientid, refresh rotation (parameters in the query string, as the Fax.Plus samples
 * send them), expiry, and the ways each step must refuse.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  FORM_CONTENT_TYPE,
  type RegisteredClient,
  basicAuth,
  formBody,
  registerClient,
} from '../support/oauth-client.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const PASSWORD = 'correct horse battery staple'
const STATE = 'xyz'

interface TokenAnswer {
  access_token: string
  refresh_token: string
  token_type: string
  expires_in: number
  scope: string
}

let t: TestApp
let base: string
let user: TestUser
let other: TestUser

before(async () => {
  t = await openTestApp('sqlite')
  user = await t.user({ password: PASSWORD })
  other = await t.user({ password: 'another password' })
  base = await t.app.listen({ port: 0, host: '127.0.0.1' })
})

after(async () => {
  await t.close()
})

async function newClient(redirectUri?: string): Promise<RegisteredClient> {
  return registerClient(t.services, user.account.uid, redirectUri)
}

function getLogin(query: Record<string, string>): Promise<Response> {
  return fetch(`${base}/login?${new URLSearchParams(query).toString()}`, { redirect: 'manual' })
}

function loginQuery(client: RegisteredClient): Record<string, string> {
  return {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: 'all',
    state: STATE,
  }
}

function postLogin(fields: Record<string, string>): Promise<Response> {
  return fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': FORM_CONTENT_TYPE },
    body: formBody(fields),
    redirect: 'manual',
  })
}

function loginForm(client: RegisteredClient, overrides: Record<string, string> = {}) {
  return {
    email: user.account.email,
    password: PASSWORD,
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    state: STATE,
    response_type: 'code',
    decision: 'allow',
    ...overrides,
  }
}

/** Signs the user in for `client` and answers the code from the redirect. */
async function signIn(client: RegisteredClient): Promise<string> {
  const response = await postLogin(loginForm(client))
  assert.equal(response.status, 302, await response.text())
  const location = new URL(response.headers.get('location') ?? '')
  const code = location.searchParams.get('code')
  assert.ok(code, `no code in ${location.href}`)
  return code
}

function postToken(options: {
  authorization?: string
  query?: Record<string, string>
  form?: Record<string, string>
}): Promise<Response> {
  const query = options.query ? `?${new URLSearchParams(options.query).toString()}` : ''
  const headers: Record<string, string> = {}
  if (options.authorization) {
    headers['authorization'] = options.authorization
  }
  if (options.form) {
    headers['content-type'] = FORM_CONTENT_TYPE
  }
  return fetch(`${base}/token${query}`, {
    method: 'POST',
    headers,
    ...(options.form ? { body: formBody(options.form) } : {}),
    redirect: 'manual',
  })
}

function exchangeCode(client: RegisteredClient, code: string, secret = client.clientSecret) {
  return postToken({
    authorization: basicAuth(client.clientId, secret),
    form: { grant_type: 'authorization_code', code, redirect_uri: client.redirectUri },
  })
}

function refreshWith(client: RegisteredClient, refreshToken: string): Promise<Response> {
  return postToken({
    authorization: basicAuth(client.clientId, client.clientSecret),
    query: { grant_type: 'refresh_token', refresh_token: refreshToken },
  })
}

async function tokensFor(client: RegisteredClient): Promise<TokenAnswer> {
  const response = await exchangeCode(client, await signIn(client))
  assert.equal(response.status, 200, await response.clone().text())
  return (await response.json()) as TokenAnswer
}

function getSelf(accessToken: string, clientId: string | null): Promise<Response> {
  return fetch(`${base}/v3/accounts/self`, {
    headers: {
      authorization: `Bearer ${accessToken}`,
      ...(clientId === null ? {} : { 'x-fax-clientid': clientId }),
    },
    redirect: 'manual',
  })
}

async function assertTokenError(response: Response, status: number, code: string): Promise<void> {
  const text = await response.text()
  assert.equal(response.status, status, text)
  const body = JSON.parse(text) as Record<string, unknown>
  assert.equal(body['error'], code, text)
  assert.equal(response.headers.get('cache-control'), 'no-store')
}

async function assertApiError(response: Response, status: number, code: string): Promise<void> {
  const text = await response.text()
  assert.equal(response.status, status, text)
  const body = JSON.parse(text) as Record<string, unknown>
  assert.deepEqual(Object.keys(body).sort(), ['description', 'error'])
  assert.equal(body['error'], code)
}

async function assertSelf(response: Response, uid: string): Promise<void> {
  const text = await response.text()
  assert.equal(response.status, 200, text)
  assert.equal((JSON.parse(text) as { uid?: unknown }).uid, uid)
}

describe('the authorization code flow over HTTP', () => {
  it('goes from the sign-in page to API calls, refresh and expiry', async () => {
    const client = await newClient()

    // 1. The sign-in page.
    const page = await getLogin(loginQuery(client))
    const html = await page.text()
    assert.equal(page.status, 200, html)
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
    assert.equal(page.headers.get('cache-control'), 'no-store')
    assert.match(html, /<form method="post" action="\/login">/)
    assert.ok(html.includes(`name="client_id" value="${client.clientId}"`))
    assert.ok(html.includes(`name="state" value="${STATE}"`))
    assert.match(html, /name="email"/)
    assert.match(html, /name="password" type="password"/)

    // 2. The form answered: a redirect to the client with a code and the state.
    const login = await postLogin(loginForm(client))
    assert.equal(login.status, 302, await login.text())
    const location = new URL(login.headers.get('location') ?? '')
    assert.equal(`${location.origin}${location.pathname}`, client.redirectUri)
    assert.deepEqual([...location.searchParams.keys()].sort(), ['code', 'state'])
    assert.equal(location.searchParams.get('state'), STATE)
    const code = location.searchParams.get('code') ?? ''
    assert.ok(code.length >= 20)

    // 3. The code traded for tokens.
    const exchanged = await exchangeCode(client, code)
    const first = (await exchanged.json()) as TokenAnswer
    assert.equal(exchanged.status, 200, JSON.stringify(first))
    assert.match(exchanged.headers.get('content-type') ?? '', /^application\/json/)
    assert.equal(exchanged.headers.get('cache-control'), 'no-store')
    assert.equal(first.token_type, 'Bearer')
    assert.equal(first.expires_in, 3600)
    assert.equal(typeof first.access_token, 'string')
    assert.equal(typeof first.refresh_token, 'string')
    assert.notEqual(first.access_token, first.refresh_token)

    // 4. The access token works with x-fax-clientid.
    await assertSelf(await getSelf(first.access_token, client.clientId), user.account.uid)

    // 5. Refresh with the parameters in the query string: a new pair.
    const refreshed = await refreshWith(client, first.refresh_token)
    const second = (await refreshed.json()) as TokenAnswer
    assert.equal(refreshed.status, 200, JSON.stringify(second))
    assert.equal(second.token_type, 'Bearer')
    assert.equal(second.expires_in, 3600)
    assert.notEqual(second.access_token, first.access_token)
    assert.notEqual(second.refresh_token, first.refresh_token)
    await assertSelf(await getSelf(second.access_token, client.clientId), user.account.uid)

    // 6. The newest refresh token works once.
    const third = (await (await refreshWith(client, second.refresh_token)).json()) as TokenAnswer
    assert.equal(typeof third.access_token, 'string', JSON.stringify(third))

    // 7. The old refresh token and the code are spent, and bringing either back revokes every
    // token of the sign-in (tests of the token family are in oauth-hardening.test.ts).
    await assertTokenError(await refreshWith(client, first.refresh_token), 400, 'invalid_grant')
    await assertTokenError(await exchangeCode(client, code), 400, 'invalid_grant')
    await assertApiError(await getSelf(third.access_token, client.clientId), 401, 'invalid_token')
  })

  it('lets an access token expire after one hour', async () => {
    const client = await newClient()
    const tokens = await tokensFor(client)
    const startMs = t.clock.now()
    try {
      t.clock.advance(3599_000)
      await assertSelf(await getSelf(tokens.access_token, client.clientId), user.account.uid)
      t.clock.advance(2_000)
      await assertApiError(
        await getSelf(tokens.access_token, client.clientId),
        401,
        'token_expired',
      )
      // The refresh token outlives it and yields a working access token.
      const refreshed = await refreshWith(client, tokens.refresh_token)
      const pair = (await refreshed.json()) as TokenAnswer
      assert.equal(refreshed.status, 200, JSON.stringify(pair))
      await assertSelf(await getSelf(pair.access_token, client.clientId), user.account.uid)
    } finally {
      t.clock.set(startMs)
    }
  })

  it('wants x-fax-clientid, and the right one, with an OAuth2 access token', async () => {
    const client = await newClient()
    const otherClient = await newClient()
    const tokens = await tokensFor(client)
    await assertApiError(await getSelf(tokens.access_token, null), 401, 'client_id_required')
    await assertApiError(
      await getSelf(tokens.access_token, otherClient.clientId),
      401,
      'invalid_client_id',
    )
    await assertApiError(await getSelf(tokens.refresh_token, client.clientId), 401, 'invalid_token')
  })

  it('trades a code with the parameters in the query string, as the Fax.Plus samples do', async () => {
    const client = await newClient()
    const code = await signIn(client)
    const response = await postToken({
      authorization: basicAuth(client.clientId, client.clientSecret),
      query: { grant_type: 'authorization_code', code, redirect_uri: client.redirectUri },
    })
    const answer = (await response.json()) as TokenAnswer
    assert.equal(response.status, 200, JSON.stringify(answer))
    await assertSelf(await getSelf(answer.access_token, client.clientId), user.account.uid)
  })

  it('accepts client_id and client_secret in the form body instead of HTTP Basic', async () => {
    const client = await newClient()
    const code = await signIn(client)
    const response = await postToken({
      form: {
        grant_type: 'authorization_code',
        code,
        redirect_uri: client.redirectUri,
        client_id: client.clientId,
        client_secret: client.clientSecret,
      },
    })
    assert.equal(response.status, 200, await response.text())
  })

  it('keeps the query of a registered redirect URI and adds code and state to it', async () => {
    const client = await newClient('https://app.example.test/callback?tenant=7')
    const response = await postLogin(loginForm(client))
    assert.equal(response.status, 302, await response.text())
    const location = new URL(response.headers.get('location') ?? '')
    assert.equal(location.origin + location.pathname, 'https://app.example.test/callback')
    assert.equal(location.searchParams.get('tenant'), '7')
    assert.equal(location.searchParams.get('state'), STATE)
    assert.ok(location.searchParams.get('code'))
  })

  it('escapes the state on the sign-in page', async () => {
    const client = await newClient()
    const state = '"><script>alert(1)</script>'
    const page = await getLogin({ ...loginQuery(client), state })
    const html = await page.text()
    assert.equal(page.status, 200)
    assert.ok(!html.includes('<script>'), html)
  })
})

describe('the token endpoint refuses', () => {
  it('a wrong client secret: 401 invalid_client, and the code stays usable', async () => {
    const client = await newClient()
    const code = await signIn(client)
    const before = await t.snapshot()
    const response = await exchangeCode(client, code, 'faxd_cs_wrong')
    assert.match(response.headers.get('www-authenticate') ?? '', /^Basic/)
    await assertTokenError(response, 401, 'invalid_client')
    assert.equal(await t.snapshot(), before)
    assert.equal((await exchangeCode(client, code)).status, 200)
  })

  it('no client authentication at all: 401 invalid_client', async () => {
    const client = await newClient()
    const code = await signIn(client)
    const response = await postToken({
      form: { grant_type: 'authorization_code', code, redirect_uri: client.redirectUri },
    })
    await assertTokenError(response, 401, 'invalid_client')
  })

  it('a code issued to client A when client B redeems it: 400 invalid_grant', async () => {
    const clientA = await newClient()
    const clientB = await newClient()
    const code = await signIn(clientA)
    const response = await postToken({
      authorization: basicAuth(clientB.clientId, clientB.clientSecret),
      form: { grant_type: 'authorization_code', code, redirect_uri: clientA.redirectUri },
    })
    await assertTokenError(response, 400, 'invalid_grant')
    const tokenRows = await t.testStore
      .database()
      .selectFrom('access_tokens')
      .selectAll()
      .where('client_id', '=', clientB.clientId)
      .execute()
    assert.deepEqual(tokenRows, [])
  })

  it("client A's refresh token presented by client B: 400 invalid_grant", async () => {
    const clientA = await newClient()
    const clientB = await newClient()
    const tokens = await tokensFor(clientA)
    await assertTokenError(await refreshWith(clientB, tokens.refresh_token), 400, 'invalid_grant')
    assert.equal((await refreshWith(clientA, tokens.refresh_token)).status, 200)
  })

  it('a code used twice: 400 invalid_grant', async () => {
    const client = await newClient()
    const code = await signIn(client)
    assert.equal((await exchangeCode(client, code)).status, 200)
    await assertTokenError(await exchangeCode(client, code), 400, 'invalid_grant')
  })

  it('a code older than a minute: 400 invalid_grant', async () => {
    const client = await newClient()
    const code = await signIn(client)
    const startMs = t.clock.now()
    t.clock.advance(61_000)
    try {
      await assertTokenError(await exchangeCode(client, code), 400, 'invalid_grant')
    } finally {
      t.clock.set(startMs)
    }
  })

  it('a redirect_uri that differs from the one the code was issued for: 400 invalid_grant', async () => {
    const client = await newClient()
    const code = await signIn(client)
    const response = await postToken({
      authorization: basicAuth(client.clientId, client.clientSecret),
      form: {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'https://evil.example.test/cb',
      },
    })
    await assertTokenError(response, 400, 'invalid_grant')
  })

  it('an unknown code or refresh token: 400 invalid_grant', async () => {
    const client = await newClient()
    await assertTokenError(await exchangeCode(client, 'faxd_code_nonsense'), 400, 'invalid_grant')
    await assertTokenError(await refreshWith(client, 'faxd_ort_nonsense'), 400, 'invalid_grant')
  })

  it('an access token presented as a refresh token: 400 invalid_grant', async () => {
    const client = await newClient()
    const tokens = await tokensFor(client)
    await assertTokenError(await refreshWith(client, tokens.access_token), 400, 'invalid_grant')
  })

  it('an unknown grant type: 400 unsupported_grant_type', async () => {
    const client = await newClient()
    const response = await postToken({
      authorization: basicAuth(client.clientId, client.clientSecret),
      form: { grant_type: 'password', username: user.account.email, password: PASSWORD },
    })
    await assertTokenError(response, 400, 'unsupported_grant_type')
  })

  it('a missing code: 400 invalid_request', async () => {
    const client = await newClient()
    const response = await postToken({
      authorization: basicAuth(client.clientId, client.clientSecret),
      form: { grant_type: 'authorization_code', redirect_uri: client.redirectUri },
    })
    await assertTokenError(response, 400, 'invalid_request')
  })
})

describe('the sign-in step refuses', () => {
  it('a wrong password: 401 page, no redirect and no code', async () => {
    const client = await newClient()
    const before = await t.snapshot()
    const response = await postLogin(loginForm(client, { password: 'wrong password' }))
    const html = await response.text()
    assert.equal(response.status, 401, html)
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/)
    assert.equal(response.headers.get('location'), null)
    assert.match(html, /<form method="post" action="\/login">/)
    assert.ok(!html.includes('faxd_code_'))
    assert.equal(await t.snapshot(), before)
  })

  it("another account's password: 401 page and no code", async () => {
    const client = await newClient()
    const before = await t.snapshot()
    const response = await postLogin(
      loginForm(client, { email: other.account.email, password: PASSWORD }),
    )
    assert.equal(response.status, 401, await response.text())
    assert.equal(response.headers.get('location'), null)
    assert.equal(await t.snapshot(), before)
  })

  it('decision=deny: a redirect with error=access_denied and the state, and no code', async () => {
    const client = await newClient()
    const before = await t.snapshot()
    const response = await postLogin(loginForm(client, { decision: 'deny' }))
    assert.equal(response.status, 302, await response.text())
    const location = new URL(response.headers.get('location') ?? '')
    assert.equal(`${location.origin}${location.pathname}`, client.redirectUri)
    assert.equal(location.searchParams.get('error'), 'access_denied')
    assert.equal(location.searchParams.get('state'), STATE)
    assert.equal(location.searchParams.get('code'), null)
    assert.equal(await t.snapshot(), before)
  })

  it('an unknown client_id on GET /login: 400 page and no redirect', async () => {
    const client = await newClient()
    const response = await getLogin({ ...loginQuery(client), client_id: 'APIK-unknown' })
    const html = await response.text()
    assert.equal(response.status, 400, html)
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/)
    assert.equal(response.headers.get('location'), null)
    assert.ok(!html.includes('<form'))
  })

  it('a redirect_uri that is not registered on GET /login: 400 page and no redirect', async () => {
    const client = await newClient()
    const response = await getLogin({
      ...loginQuery(client),
      redirect_uri: 'https://evil.example.test/callback',
    })
    const html = await response.text()
    assert.equal(response.status, 400, html)
    assert.equal(response.headers.get('location'), null)
    assert.ok(!html.includes('evil.example.test'))
    assert.ok(!html.includes('<form'))
  })

  it('a redirect_uri that is not registered on POST /login: 400 page, no redirect, no code', async () => {
    const client = await newClient()
    const before = await t.snapshot()
    for (const decision of ['allow', 'deny']) {
      const response = await postLogin(
        loginForm(client, { redirect_uri: 'https://evil.example.test/callback', decision }),
      )
      assert.equal(response.status, 400, await response.text())
      assert.equal(response.headers.get('location'), null)
    }
    assert.equal(await t.snapshot(), before)
  })

  it('an unknown client_id on POST /login: 400 page, no redirect, no code', async () => {
    const client = await newClient()
    const before = await t.snapshot()
    const response = await postLogin(loginForm(client, { client_id: 'APIK-unknown' }))
    assert.equal(response.status, 400, await response.text())
    assert.equal(response.headers.get('location'), null)
    assert.equal(await t.snapshot(), before)
  })

  it('a response_type other than code on GET /login: a redirect with unsupported_response_type', async () => {
    const client = await newClient()
    const response = await getLogin({ ...loginQuery(client), response_type: 'token' })
    assert.equal(response.status, 302, await response.text())
    const location = new URL(response.headers.get('location') ?? '')
    assert.equal(`${location.origin}${location.pathname}`, client.redirectUri)
    assert.equal(location.searchParams.get('error'), 'unsupported_response_type')
    assert.equal(location.searchParams.get('state'), STATE)
    assert.equal(location.searchParams.get('code'), null)
  })
})
