/**
 * What the official SDKs and their users send that a strict server would refuse
 * (../shared/reference/faxplus-api.md §9, §10, §12, §13).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

describe('tolerance of what the SDKs send', () => {
  let t: TestApp
  let user: TestUser

  before(async () => {
    t = await openTestApp()
    user = await t.user({ numbers: ['+15555550150'] })
  })
  after(async () => t.close())

  it('ignores the empty query key the JS SDK 3.0.3 appends (?=undefined)', async () => {
    const response = await t.request('GET', '/v3/accounts/self?=undefined', { token: user.token })
    assert.equal(response.statusCode, 200)
  })

  it('takes Content-Type: application/json with no body on GET and DELETE (Python SDK)', async () => {
    const json = { 'content-type': 'application/json', accept: 'application/json' }
    const get = await t.request('GET', '/v3/accounts/self/outbox', {
      token: user.token,
      headers: json,
    })
    assert.equal(get.statusCode, 200)
    const hook = await t.request('POST', '/v3/hooks', {
      token: user.token,
      body: { target: 'https://example.test/x', event: 'fax_sent' },
    })
    const del = await t.request('DELETE', `/v3/hooks/${hook.json<{ id: string }>().id}`, {
      token: user.token,
      headers: json,
    })
    assert.equal(del.statusCode, 200)
  })

  it('refuses a body wrapped in the SDK request object, naming the missing field', async () => {
    const response = await t.request('POST', '/v3/accounts/self/outbox', {
      token: user.token,
      body: { userId: 'self', payloadOutbox: { from: '+15555550150', to: ['+15555550100'] } },
    })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json<{ error: string }>().error, 'missing_field')
    assert.match(response.json<{ description: string }>().description, /"to"/)
  })

  it('tells a caller who posts multipart to the outbox to send JSON', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v3/accounts/self/outbox',
      headers: {
        authorization: `Bearer ${user.token}`,
        'content-type': 'multipart/form-data; boundary=x',
      },
      payload: '--x\r\nContent-Disposition: form-data; name="fax_data"\r\n\r\n{}\r\n--x--\r\n',
    })
    assert.equal(response.statusCode, 415)
    assert.equal(response.json<{ error: string }>().error, 'unsupported_media_type')
  })

  it('answers a malformed or overlong path in the error format too', async () => {
    const badEscape = await t.request('GET', '/v3/accounts/%zz/outbox', { token: user.token })
    assert.equal(badEscape.statusCode, 400)
    assert.deepEqual(badEscape.json(), {
      error: 'invalid_url',
      description: badEscape.json<{ description: string }>().description,
    })
    const long = await t.request('GET', `/v3/accounts/${'a'.repeat(300)}/outbox`, {
      token: user.token,
    })
    assert.equal(long.statusCode, 414)
    assert.equal(long.json<{ error: string }>().error, 'uri_too_long')
    assert.deepEqual(Object.keys(long.json<object>()).sort(), ['description', 'error'])
  })

  it('answers an unknown route with a JSON 404 in the error format', async () => {
    const response = await t.request('GET', '/v3/archives', { token: user.token })
    assert.equal(response.statusCode, 404)
    assert.deepEqual(Object.keys(response.json<object>()).sort(), ['description', 'error'])
  })
})
