/**
 * Request ids: every answer says its request's id (X-Request-Id), and every log line about the
 * request carries it (`reqId`). The id a proxy in front gave is kept when it looks like one;
 * anything else (too long, or with characters a log line would mangle) is replaced by a new id.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openTestApp, type TestApp } from '../support/test-app.js'

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
