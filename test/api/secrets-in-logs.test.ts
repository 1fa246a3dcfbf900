/**
 * No secret in any log line or error description. Every test app logs at trace level into a
 * LogCapture, which fails the app's close() when a line holds a secret its traffic carried, so
 * every API test file checks this (test/support/test-app.ts). Here: the capture itself can fail,
 * redactSecrets takes each shape of secret out, and the requests most likely to leak (secrets in
 * query strings, failing requests, unknown routes that echo their URL) leave none behind.
 *
 * Request ids: every answer says its request's id (X-Request-Id), and every log line about the
 * request carries it (`reqId`). The id a proxy in front gave is kept when it looks like one;
 * anything else (too long, or with characters a log line would mangle) is replaced by a new id.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { REDACTED, redactSecrets } from '../../src/shared/secret-redaction.js'
import { LogCapture } from '../support/log-capture.js'
import {
  FORM_CONTENT_TYPE,
  type RegisteredClient,
  basicAuth,
  obtainOAuthTokens,
  registerClient,
} from '../support/oauth-client.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

describe('redactSecrets', () => {
  const cases: [string, string][] = [
    ['GET /token?refresh_token=abc123&scope=all', `GET /token?refresh_token=${REDACTED}&scope=all`],
    ['/login?password=hunter22', `/login?password=${REDACTED}`],
    ['/cb?state=s&code=xyz', `/cb?state=s&code=${REDACTED}`],
    ['/t?CLIENT_SECRET=s3cret', `/t?CLIENT_SECRET=${REDACTED}`],
    ['/t?code_verifier=v;state=2', `/t?code_verifier=${REDACTED};state=2`],
    ['/login?passw%u0000ord=pw&state=s', `/login?passw%u0000ord=${REDACTED}&state=s`],
    ['/v3/x?unheard_of=1&limit=5', `/v3/x?unheard_of=${REDACTED}&limit=5`],
    ['form: a=1&password=pw', `form: a=1&password=${REDACTED}`],
    ['Bearer faxd_pat_AbC-_9z', `Bearer faxd_pat_${REDACTED}`],
    ['{"signing_secret":"whsec_AAAA"}', `{"signing_secret":"${REDACTED}"}`],
    ['{"password":"a \\"quoted\\" one","n":1}', `{"password":"${REDACTED}","n":1}`],
    ['{"authorization":"Basic QUJD"}', `{"authorization":"${REDACTED}"}`],
  ]
  for (const [text, expected] of cases) {
    it(`redacts ${text}`, () => {
      assert.equal(redactSecrets(text), expected)
    })
  }

  it('redacts a parameter whose name only holds a secret word', () => {
    assert.equal(redactSecrets('password%=pw&a=1'), `password%=${REDACTED}&a=1`)
    assert.equal(redactSecrets('?my_client_secret=s'), `?my_client_secret=${REDACTED}`)
  })

  it('leaves other parameters, and JSON error codes, alone', () => {
    for (const text of [
      '/login?state=s&redirect_uri=https%3A%2F%2Fa.test%2Fcb&response_type=code',
      '{"code":"FST_ERR_CTP_EMPTY_JSON_BODY","url":"/v3/faxes?category=inbox&limit=2"}',
      'Is it a question? Yes',
    ]) {
      assert.equal(redactSecrets(text), text)
    }
  })
})

describe('the log capture', () => {
  it('finds a secret in every form a request carries it in', () => {
    const secret = 'faxd_ort_plain+and/odd=='
    for (const form of [
      secret,
      encodeURIComponent(secret),
      Buffer.from(secret).toString('base64'),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ]) {
      const capture = new LogCapture()
      capture.addSecret(secret)
      capture.write(`{"msg":"${form}"}\n`)
      assert.equal(capture.leaks().length, 1, form)
      assert.throws(() => capture.assertNoLeaks(), /1 log lines hold a secret/)
    }
  })
})

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`secrets sent the ways clients send them are in no log line (${engine})`, () => {
    const PASSWORD = 'a password of the tests'
    let t: TestApp
    let user: TestUser
    let client: RegisteredClient

    before(async () => {
      t = await openTestApp(engine)
      user = await t.user({ password: PASSWORD })
      client = await registerClient(t.services, user.account.uid)
    })
    after(async () => {
      await t.close()
    })

    it('the OAuth2 flow with every parameter in the query string, and its failures', async () => {
      const tokens = await obtainOAuthTokens(t.app, client, {
        email: user.account.email,
        password: PASSWORD,
      })
      const query = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refreshToken,
        client_id: client.clientId,
        client_secret: client.clientSecret,
      })
      const refreshed = await t.app.inject({ method: 'POST', url: `/token?${query.toString()}` })
      assert.equal(refreshed.statusCode, 200, refreshed.body)
      // The same refresh token again, a code that does not exist, a wrong client secret.
      const tries: Record<string, string>[] = [
        {},
        { grant_type: 'authorization_code', code: 'faxd_code_not-a-real-one' },
        { client_secret: 'faxd_cs_wrong-secret-of-the-test' },
      ]
      for (const extra of tries) {
        const again = new URLSearchParams({ ...Object.fromEntries(query), ...extra })
        const response = await t.app.inject({ method: 'POST', url: `/token?${again.toString()}` })
        assert.equal(response.statusCode >= 400, true, response.body)
      }
      const wrongPassword = await t.app.inject({
        method: 'POST',
        url: `/login?password=${encodeURIComponent('not the password')}`,
        headers: { 'content-type': FORM_CONTENT_TYPE },
        payload: new URLSearchParams({
          client_id: client.clientId,
          redirect_uri: client.redirectUri,
          email: user.account.email,
          response_type: 'code',
          decision: 'allow',
        }).toString(),
      })
      assert.equal(wrongPassword.statusCode, 401)
      const basic = await t.app.inject({
        method: 'POST',
        url: '/token',
        headers: {
          authorization: basicAuth(client.clientId, client.clientSecret),
          'content-type': FORM_CONTENT_TYPE,
        },
        payload: 'grant_type=refresh_token&refresh_token=faxd_ort_unknown-to-the-server',
      })
      assert.equal(basic.statusCode, 400, basic.body)
      assert.ok(t.logs.secretCount >= 6, `${t.logs.secretCount} secrets gathered`)
      assert.ok(t.logs.lines.length > 10, `${t.logs.lines.length} lines`)
      assert.deepEqual(t.logs.leaks(), [])
    })

    it('a token in the URL of an unknown route is in neither the log nor the 404 answer', async () => {
      const token = await t.token(user.account.uid)
      const response = await t.request('GET', `/v3/no-such-route?access_token=${token}`, { token })
      assert.equal(response.statusCode, 404)
      assert.doesNotMatch(response.body, new RegExp(token))
      assert.match(
        response.json<{ description: string }>().description,
        /access_token=\[redacted\]/,
      )
      const unknown = await t.app.inject({ method: 'GET', url: `/nowhere/${token}` })
      assert.equal(unknown.statusCode, 404)
      assert.equal(unknown.body.includes(token), false, unknown.body)
      assert.deepEqual(t.logs.leaks(), [])
    })
  })
}

describe('request ids', () => {
  let t: TestApp

  before(async () => {
    t = await openTestApp()
  })
  after(async () => {
    await t.close()
  })

  function linesOf(id: string): Record<string, unknown>[] {
    return t.logs.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['reqId'] === id)
  }

  it('gives each request a new id, answers it and logs every line of it under it', async () => {
    const first = await t.request('GET', '/healthz', { token: null })
    const second = await t.request('GET', '/v3/accounts/self', { token: null })
    const ids = [first, second].map((response) => String(response.headers['x-request-id']))
    assert.match(ids[0]!, /^[0-9a-f]{24}$/)
    assert.notEqual(ids[0], ids[1])
    assert.equal(second.statusCode, 401, 'an answer refused early says its id too')
    const lines = linesOf(ids[1]!)
    assert.ok(lines.some((line) => line['msg'] === 'incoming request'))
    assert.ok(lines.some((line) => line['msg'] === 'request completed'))
  })

  it('keeps the id a proxy gave, and replaces one that does not look like an id', async () => {
    const kept = await t.request('GET', '/healthz', {
      token: null,
      headers: { 'x-request-id': 'lb-7f3a:2026.12.06_01' },
    })
    assert.equal(kept.headers['x-request-id'], 'lb-7f3a:2026.12.06_01')
    assert.ok(linesOf('lb-7f3a:2026.12.06_01').length >= 2)
    for (const given of ['x'.repeat(65), 'two words', 'quote"d', '']) {
      const replaced = await t.request('GET', '/healthz', {
        token: null,
        headers: { 'x-request-id': given },
      })
      assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f]{24}$/, given)
    }
  })
})
