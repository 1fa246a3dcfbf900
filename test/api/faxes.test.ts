/** Fax records: list with category, after, before and limit; get; update; delete. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { aFaxRecord } from '../support/sample-records.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const at = (day: number) => Date.UTC(2026, 10, day, 8, 0, 0)

describe('fax records', () => {
  let t: TestApp
  let user: TestUser
  const ids: Record<string, string> = {}

  before(async () => {
    t = await openTestApp()
    user = await t.user()
    const records = {
      sent1: aFaxRecord(user.account.uid, { direction: 'outgoing', startedAtMs: at(1) }),
      sent2: aFaxRecord(user.account.uid, { direction: 'outgoing', startedAtMs: at(2) }),
      inbox: aFaxRecord(user.account.uid, {
        direction: 'incoming',
        startedAtMs: at(3),
        from: '+12076001783',
      }),
      spam: aFaxRecord(user.account.uid, {
        direction: 'incoming',
        isSpam: true,
        startedAtMs: at(4),
      }),
    }
    for (const [name, record] of Object.entries(records)) {
      await t.services.store.faxes.add(record)
      ids[name] = record.id
    }
  })
  after(async () => t.close())

  const list = async (query: string) => {
    const response = await t.request('GET', `/v3/accounts/self/faxes${query}`, {
      token: user.token,
    })
    assert.equal(response.statusCode, 200, response.body)
    return response.json<{ data: { records: { id: string }[] } }>().data.records.map((r) => r.id)
  }

  it('lists every record newest first', async () => {
    assert.deepEqual(await list(''), [ids['spam'], ids['inbox'], ids['sent2'], ids['sent1']])
  })

  it('filters by category', async () => {
    assert.deepEqual(await list('?category=sent'), [ids['sent2'], ids['sent1']])
    assert.deepEqual(await list('?category=inbox'), [ids['inbox']])
    assert.deepEqual(await list('?category=spam'), [ids['spam']])
  })

  it('filters by after and before (exclusive, UTC) and limit, as the SDKs encode them', async () => {
    assert.deepEqual(await list('?after=2026-11-01+08%3A00%3A00&before=2026-11-04+08%3A00%3A00'), [
      ids['inbox'],
      ids['sent2'],
    ])
    assert.deepEqual(await list('?limit=1&=undefined'), [ids['spam']])
  })

  it('refuses bad filters with their own codes', async () => {
    const cases: [string, string][] = [
      ['?category=archive', 'invalid_category'],
      ['?after=yesterday', 'invalid_after'],
      ['?before=2026-13-01+00:00:00', 'invalid_before'],
      ['?limit=abc', 'invalid_limit'],
      ['?limit=0', 'invalid_limit'],
      ['?limit=100000', 'invalid_limit'],
    ]
    for (const [query, code] of cases) {
      const response = await t.request('GET', `/v3/accounts/self/faxes${query}`, {
        token: user.token,
      })
      assert.equal(response.statusCode, 400, query)
      assert.equal(response.json<{ error: string }>().error, code, query)
    }
  })

  it('answers a record with the fields the Python SDK requires', async () => {
    const response = await t.request('GET', `/v3/accounts/self/faxes/${ids['inbox']}`, {
      token: user.token,
    })
    assert.equal(response.statusCode, 200)
    const fax = response.json<Record<string, unknown>>()
    for (const field of ['comment', 'cost_details', 'id', 'owner_id', 'pages', 'status']) {
      assert.ok(fax[field] !== undefined && fax[field] !== null, field)
    }
    assert.equal(fax['from'], '+12076001783')
    assert.equal(fax['file_name'], 'fax-from-12076001783')
    assert.equal(fax['start_time'], '2026-11-03 08:00:00')
  })

  it('marks read and changes the comment, then deletes', async () => {
    const url = `/v3/accounts/self/faxes/${ids['sent1']}`
    const put = await t.request('PUT', url, {
      token: user.token,
      body: { comment: 'filed', is_read: true },
    })
    assert.equal(put.statusCode, 200)
    const got = await t.request('GET', url, { token: user.token })
    assert.equal(got.json<{ comment: string }>().comment, 'filed')
    assert.equal(got.json<{ is_read: boolean }>().is_read, true)
    const del = await t.request('DELETE', url, { token: user.token })
    assert.equal(del.statusCode, 200)
    const gone = await t.request('GET', url, { token: user.token })
    assert.equal(gone.statusCode, 404)
    assert.equal(gone.json<{ error: string }>().error, 'fax_not_found')
  })

  it('refuses an empty or mistyped change', async () => {
    const url = `/v3/accounts/self/faxes/${ids['sent2']}`
    const empty = await t.request('PUT', url, { token: user.token, body: {} })
    assert.equal(empty.statusCode, 400)
    assert.equal(empty.json<{ error: string }>().error, 'invalid_request_body')
    const wrong = await t.request('PUT', url, { token: user.token, body: { is_read: 'yes' } })
    assert.equal(wrong.json<{ error: string }>().error, 'invalid_is_read')
  })
})
