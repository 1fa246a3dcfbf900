/**
 * Public OAuth2 clients (RFC 6749 §2.1), the web console's among them: no secret, PKCE on every
 * code, client_id alone at /token. What a public client may not do (skip PKCE, send a secret)
 * and what a confidential one still must (authenticate) are refused with the reason.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { CONSOLE_CLIENT_ID } from '../../src/shared/console-client.js'
import { createOAuthClient } from '../../src/use-cases/create-oauth-client.js'
import { registerConsoleClient } from '../../src/use-cases/register-console-client.js'
import { FORM_CONTENT_TYPE, basicAuth, formBody, registerClient } from '../support/oauth-client.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const PASSWORD = 'correct horse battery staple'
const CALLBACK = 'http://127.0.0.1:49152/callback'

let t: TestApp
let user: TestUser
let clientId: string

before(async () => {
  t = await openTestApp('sqlite')
  user = await t.user({ password: PASSWORD })
  const created = await createOAuthClient(t.services, {
    uid: user.account.uid,
    type: 'public',
    name: 'Desktop fax',
    homepage: null,
    redirectUris: [CALLBACK],
  })
  assert.equal(created.clientSecret, null, 'a public client gets no secret')
  clientId = created.clientId
})

after(async () => {
  await t.close()
})

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

async function signIn(
  fields: Record<string, string>,
): Promise<{ status: number; location: URL | null; body: string }> {
  const answer = await t.app.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': FORM_CONTENT_TYPE },
    payload: formBody({
      email: user.account.email,
      password: PASSWORD,
      client_id: clientId,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'all',
      state: 's1',
      decision: 'allow',
      ...fields,
    }),
  })
  const location = answer.headers.location
  return {
    status: answer.statusCode,
    location: typeof location === 'string' ? new URL(location) : null,
    body: answer.body,
  }
}

async function codeWith(challenge: string): Promise<string> {
  const { location } = await signIn({ code_challenge: challenge, code_challenge_method: 'S256' })
  const code = location?.searchParams.get('code')
  assert.ok(code, `no code in ${String(location)}`)
  return code
}

function token(fields: Record<string, string>, authorization?: string) {
  return t.app.inject({
    method: 'POST',
    url: '/token',
    headers: {
      'content-type': FORM_CONTENT_TYPE,
      ...(authorization === undefined ? {} : { authorization }),
    },
    payload: formBody(fields),
  })
}

describe('a public client', () => {
  it('is kept without a secret', async () => {
    const found = await t.services.store.oauth.getClient(clientId)
    assert.equal(found?.client.type, 'public')
    assert.equal(found?.secretHash, null)
  })

  it('must send a PKCE challenge: without one the sign-in goes back with invalid_request', async () => {
    const { status, location } = await signIn({})
    assert.equal(status, 302)
    assert.equal(location?.origin + (location?.pathname ?? ''), CALLBACK)
    assert.equal(location?.searchParams.get('error'), 'invalid_request')
    assert.match(location?.searchParams.get('error_description') ?? '', /public client .*PKCE/)
    assert.equal(location?.searchParams.get('code'), null)
  })

  it('trades its code with client_id and the verifier alone, then calls the API and refreshes', async () => {
    const { verifier, challenge } = pkcePair()
    const code = await codeWith(challenge)
    const traded = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      client_id: clientId,
      code_verifier: verifier,
    })
    assert.equal(traded.statusCode, 200, traded.body)
    const pair = traded.json<{ access_token: string; refresh_token: string }>()

    const self = await t.app.inject({
      method: 'GET',
      url: '/v3/accounts/self',
      headers: { authorization: `Bearer ${pair.access_token}`, 'x-fax-clientid': clientId },
    })
    assert.equal(self.statusCode, 200, self.body)
    assert.equal(self.json<{ uid: string }>().uid, user.account.uid)

    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: pair.refresh_token,
      client_id: clientId,
    })
    assert.equal(refreshed.statusCode, 200, refreshed.body)
    assert.notEqual(refreshed.json<{ refresh_token: string }>().refresh_token, pair.refresh_token)
    const again = await token({
      grant_type: 'refresh_token',
      refresh_token: pair.refresh_token,
      client_id: clientId,
    })
    assert.equal(again.statusCode, 400, 'a rotated refresh token works once')
    assert.equal(again.json<{ error: string }>().error, 'invalid_grant')
  })

  it('cannot trade a code without its verifier', async () => {
    const code = await codeWith(pkcePair().challenge)
    const traded = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      client_id: clientId,
    })
    assert.equal(traded.statusCode, 400)
    assert.equal(traded.json<{ error: string }>().error, 'invalid_grant')
    assert.match(traded.json<{ error_description: string }>().error_description, /code_verifier/)
  })

  it('is refused when it sends a secret, which it does not have', async () => {
    const { verifier, challenge } = pkcePair()
    const code = await codeWith(challenge)
    const traded = await token(
      { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier },
      basicAuth(clientId, 'made-up'),
    )
    assert.equal(traded.statusCode, 401)
    assert.equal(traded.json<{ error: string }>().error, 'invalid_client')
    assert.match(traded.json<{ error_description: string }>().error_description, /public client/)
  })
})

describe('a confidential client', () => {
  it('still has to authenticate: client_id alone is invalid_client', async () => {
    const confidential = await registerClient(t.services, user.account.uid)
    const traded = await token({
      grant_type: 'authorization_code',
      code: 'faxd_code_whatever',
      client_id: confidential.clientId,
    })
    assert.equal(traded.statusCode, 401)
    assert.equal(traded.json<{ error: string }>().error, 'invalid_client')
  })
})

describe("the web console's client", () => {
  /** GET /login as the console asks for it, opened at `redirectUri`. */
  function consoleSignInPage(redirectUri: string) {
    return t.app.inject({
      method: 'GET',
      url: `/login?${formBody({
        response_type: 'code',
        client_id: CONSOLE_CLIENT_ID,
        redirect_uri: redirectUri,
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        state: 'c',
      })}`,
    })
  }

  it('is registered for the addresses it is given, and again with new ones, keeping its creation time', async () => {
    const first = await registerConsoleClient(t.services, ['http://127.0.0.1:8080'])
    t.clock.advance(60_000)
    await registerConsoleClient(t.services, ['https://fax.example.test', 'http://localhost:8080/'])
    const found = await t.services.store.oauth.getClient(CONSOLE_CLIENT_ID)
    assert.deepEqual(found, {
      client: {
        ...first,
        redirectUris: ['https://fax.example.test/', 'http://localhost:8080/'],
      },
      secretHash: null,
    })
  })

  it('shows the sign-in page without asking to trust an application', async () => {
    await registerConsoleClient(t.services, ['http://127.0.0.1:8080'])
    const page = await consoleSignInPage('http://127.0.0.1:8080/')
    assert.equal(page.statusCode, 200)
    assert.match(
      page.body,
      /Sign in to the faxd web console at <code>http:\/\/127\.0\.0\.1:8080\/</,
    )
    assert.doesNotMatch(page.body, /asks for access/)
  })

  it('says where the console signs in when it is opened at another address', async () => {
    await registerConsoleClient(t.services, ['http://127.0.0.1:8080'])
    const page = await consoleSignInPage('http://fax.lan:8080/')
    assert.equal(page.statusCode, 400)
    assert.equal(page.headers.location, undefined)
    assert.match(page.body, /only from http:\/\/127\.0\.0\.1:8080\//)
    assert.match(page.body, /FAXD_PUBLIC_URL/)
  })
})
