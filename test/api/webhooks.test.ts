/**
 * Webhooks: register, list by event, delete; targets must be http(s) URLs without a user name
 * or password, and on an address faxd may call (unless the operator allows private ones).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

describe('webhooks', () => {
  let t: TestApp
  let user: TestUser

  before(async () => {
    t = await openTestApp()
    user = await t.user()
  })
  after(async () => t.close())

  it('registers, lists by event and deletes', async () => {
    const created = await t.request('POST', '/v3/hooks', {
      token: user.token,
      body: { target: 'https://example.test/fax_sent', event: 'fax_sent' },
    })
    assert.equal(created.statusCode, 200)
    const { id } = created.json<{ id: string }>()
    assert.match(id, /^[0-9a-f]{24}$/)

    const sent = await t.request('GET', '/v3/hooks?event=fax_sent', { token: user.token })
    assert.deepEqual(sent.json(), {
      data: [{ id, target: 'https://example.test/fax_sent', event: 'fax_sent' }],
    })
    const received = await t.request('GET', '/v3/hooks?event=fax_received', { token: user.token })
    assert.deepEqual(received.json(), { data: [] })

    const del = await t.request('DELETE', `/v3/hooks/${id}`, { token: user.token })
    assert.equal(del.statusCode, 200)
    const after = await t.request('GET', '/v3/hooks?event=fax_sent', { token: user.token })
    assert.deepEqual(after.json(), { data: [] })
  })

  it('refuses a target that is not an absolute http(s) URL, an unknown event and a missing event', async () => {
    const cases: [string, unknown, number, string][] = [
      ['POST', { target: 'ftp://example.test/x', event: 'fax_sent' }, 400, 'invalid_target'],
      ['POST', { target: 'not a url', event: 'fax_sent' }, 400, 'invalid_target'],
      [
        'POST',
        { target: 'https://example.test/x', event: 'fax_page_received' },
        400,
        'invalid_event',
      ],
      ['POST', { target: 'https://example.test/x' }, 400, 'missing_field'],
    ]
    const before = await t.snapshot()
    for (const [method, body, status, code] of cases) {
      const response = await t.request(method as 'POST', '/v3/hooks', { token: user.token, body })
      assert.equal(response.statusCode, status)
      assert.equal(response.json<{ error: string }>().error, code)
    }
    const missing = await t.request('GET', '/v3/hooks', { token: user.token })
    assert.equal(missing.statusCode, 400)
    assert.equal(missing.json<{ error: string }>().error, 'missing_field')
    const unknown = await t.request('GET', '/v3/hooks?event=fax_lost', { token: user.token })
    assert.equal(unknown.json<{ error: string }>().error, 'invalid_event')
    assert.equal(await t.snapshot(), before)
  })

  it('refuses a target with a user name or password: 400 invalid_target, nothing stored, nothing echoed', async () => {
    const before = await t.snapshot()
    for (const target of [
      'https://user:pass@example.test/fax_sent',
      'https://user@example.test/fax_sent',
      'https://:pass@example.test/fax_sent',
      'http://us%65r:pa%73s@203.0.113.7:8080/fax_sent',
    ]) {
      const response = await t.request('POST', '/v3/hooks', {
        token: user.token,
        body: { target, event: 'fax_sent' },
      })
      assert.equal(response.statusCode, 400, target)
      assert.deepEqual(
        response.json(),
        {
          error: 'invalid_target',
          description:
            'target must not contain a user name or password; faxd signs every request instead (X-Faxd-Signature)',
        },
        target,
      )
      assert.doesNotMatch(response.body, /@|example\.test|203\.0\.113/, 'the target is not echoed')
    }
    const listed = await t.request('GET', '/v3/hooks?event=fax_sent', { token: user.token })
    assert.deepEqual(listed.json(), { data: [] })
    assert.equal(await t.snapshot(), before)
  })

  it("answers 404 webhook_not_found for an unknown or someone else's hook", async () => {
    const other = await t.user()
    const created = await t.request('POST', '/v3/hooks', {
      token: other.token,
      body: { target: 'https://example.test/x', event: 'fax_received' },
    })
    const { id } = created.json<{ id: string }>()
    for (const hookId of [id, 'ffffffffffffffffffffffff']) {
      const response = await t.request('DELETE', `/v3/hooks/${hookId}`, { token: user.token })
      assert.equal(response.statusCode, 404)
      assert.equal(response.json<{ error: string }>().error, 'webhook_not_found')
    }
  })
})

describe('webhook targets faxd may not call are refused at registration', () => {
  let t: TestApp
  let user: TestUser

  before(async () => {
    t = await openTestApp('sqlite', { webhookAllowPrivate: false })
    user = await t.user()
  })
  after(async () => t.close())

  const refused: [string, RegExp][] = [
    ['http://127.0.0.1:8080/hook', /\(127\.0\.0\.1: loopback address\)/],
    ['http://10.1.2.3/hook', /\(10\.1\.2\.3: private \(RFC 1918\) address\)/],
    ['http://[::1]/hook', /\(::1: loopback address\)/],
    ['http://localhost:9/hook', /\(localhost resolves to (127\.0\.0\.1|::1): loopback address\)/],
  ]
  for (const [target, reason] of refused) {
    it(`refuses ${target} with the reason and the setting that allows it, storing nothing`, async () => {
      const before = await t.snapshot()
      const answer = await t.request('POST', '/v3/hooks', {
        token: user.token,
        body: { target, event: 'fax_sent' },
      })
      assert.equal(answer.statusCode, 400, answer.body)
      const body = answer.json<{ error: string; description: string }>()
      assert.equal(body.error, 'invalid_target')
      assert.match(body.description, /^faxd may not call this target \(/)
      assert.match(body.description, reason)
      assert.match(body.description, /unless the operator sets FAXD_WEBHOOK_ALLOW_PRIVATE=1/)
      assert.equal(await t.snapshot(), before)
    })
  }

  it('accepts a public address', async () => {
    const answer = await t.request('POST', '/v3/hooks', {
      token: user.token,
      body: { target: 'https://93.184.215.14/hook', event: 'fax_sent' },
    })
    assert.equal(answer.statusCode, 200, answer.body)
  })
})
