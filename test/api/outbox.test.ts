/** Outbox: list, get, comment, cancel; the JSON the SDKs read; 409 while sending. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const FROM = '+15555550150'
const UTC_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/

describe('outbox', () => {
  let t: TestApp
  let user: TestUser
  let file: string

  before(async () => {
    t = await openTestApp()
    user = await t.user({ numbers: [FROM] })
    file = await t.upload(user)
  })
  after(async () => t.close())

  async function send(extra: Record<string, unknown> = {}): Promise<string> {
    const response = await t.request('POST', '/v3/accounts/self/outbox', {
      token: user.token,
      body: {
        from: FROM,
        to: ['+15555550100', '+15555550101'],
        files: [file],
        return_ids: true,
        ...extra,
      },
    })
    assert.equal(response.statusCode, 201, response.body)
    const ids = response.json<{ ids: Record<string, string> }>().ids
    const db = t.testStore.database()
    const delivery = await db
      .selectFrom('deliveries')
      .select('outbox_id')
      .where('id', '=', ids['+15555550100'] ?? '')
      .executeTakeFirstOrThrow()
    // The 201 names the entry it made (RFC 9110 §15.3.2), for clients without the store.
    assert.equal(response.headers['location'], `/v3/accounts/self/outbox/${delivery.outbox_id}`)
    return delivery.outbox_id
  }

  it('lists and gets an entry in the Fax.Plus Outbox shape', async () => {
    const id = await send({
      comment: { text: 'first', tags: ['t'] },
      options: { retry: { count: 2, delay: 15 } },
    })
    const list = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
    assert.equal(list.statusCode, 200)
    const records = list.json<{ records: { id: string }[] }>().records
    assert.ok(records.some((r) => r.id === id))

    const got = await t.request('GET', `/v3/accounts/self/outbox/${id}`, { token: user.token })
    assert.equal(got.statusCode, 200)
    const entry = got.json<Record<string, any>>()
    assert.equal(entry['id'], id)
    assert.equal(entry['uid'], user.account.uid)
    assert.equal(entry['status'], 'submitted')
    assert.equal(entry['src'], FROM)
    assert.deepEqual(entry['to'], ['+15555550100', '+15555550101'])
    assert.deepEqual(entry['files'], [file])
    assert.deepEqual(entry['comment'], { text: 'first', tags: ['t'] })
    assert.deepEqual(entry['retry'], { count: 2, delay: 15 })
    assert.equal(entry['should_enhance'], true)
    assert.match(entry['last_updated_status_time'], UTC_TIME)
    assert.match(entry['send_time'], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000$/)
    for (const change of entry['status_changes']) {
      assert.match(change.at, UTC_TIME)
      assert.ok(
        ['submitted', 'converting', 'scheduled_for_sending', 'sending'].includes(change.status),
      )
    }
    assert.deepEqual(Object.keys(entry['ids']).sort(), ['+15555550100', '+15555550101'])
  })

  it('leaves a retry delay over 30 s out of the SDK-shaped retry, and gives it in retry_delay_seconds', async () => {
    const id = await send({ options: { retry: { count: 1, delay: 120 } } })
    const got = await t.request('GET', `/v3/accounts/self/outbox/${id}`, { token: user.token })
    const entry = got.json<Record<string, any>>()
    assert.deepEqual(entry['retry'], { count: 1 })
    assert.deepEqual(entry['options']['retry'], { count: 1 })
    assert.equal(entry['retry_delay_seconds'], 120)
  })

  it('changes the comment text and keeps the tags', async () => {
    const id = await send({ comment: { text: 'old', tags: ['keep'] } })
    const put = await t.request('PUT', `/v3/accounts/self/outbox/${id}`, {
      token: user.token,
      body: { comment: 'new' },
    })
    assert.equal(put.statusCode, 200)
    const got = await t.request('GET', `/v3/accounts/self/outbox/${id}`, { token: user.token })
    assert.deepEqual(got.json<{ comment: unknown }>().comment, { text: 'new', tags: ['keep'] })
  })

  it('cancels an entry with DELETE: entry, deliveries and job are gone', async () => {
    const id = await send()
    const del = await t.request('DELETE', `/v3/accounts/self/outbox/${id}`, { token: user.token })
    assert.equal(del.statusCode, 200)
    assert.equal(del.body, '')
    const db = t.testStore.database()
    assert.equal(
      (await db.selectFrom('deliveries').select('id').where('outbox_id', '=', id).execute()).length,
      0,
    )
    assert.equal(
      (await db.selectFrom('jobs').select('id').where('outbox_id', '=', id).execute()).length,
      0,
    )
    const again = await t.request('GET', `/v3/accounts/self/outbox/${id}`, { token: user.token })
    assert.equal(again.statusCode, 404)
    assert.equal(again.json<{ error: string }>().error, 'outbox_fax_not_found')
  })

  it('answers 409 outbox_fax_sending to a cancel or change while sending, and changes nothing', async () => {
    const id = await send()
    await t.testStore
      .database()
      .updateTable('outbox_entries')
      .set({ status: 'sending' })
      .where('id', '=', id)
      .execute()
    const before = await t.snapshot()
    const del = await t.request('DELETE', `/v3/accounts/self/outbox/${id}`, { token: user.token })
    assert.equal(del.statusCode, 409)
    assert.equal(del.json<{ error: string }>().error, 'outbox_fax_sending')
    const put = await t.request('PUT', `/v3/accounts/self/outbox/${id}`, {
      token: user.token,
      body: { comment: 'x' },
    })
    assert.equal(put.statusCode, 409)
    assert.equal(await t.snapshot(), before)
  })

  it('refuses a comment that is not a string', async () => {
    const id = await send()
    const put = await t.request('PUT', `/v3/accounts/self/outbox/${id}`, {
      token: user.token,
      body: { comment: 1 },
    })
    assert.equal(put.statusCode, 400)
    assert.equal(put.json<{ error: string }>().error, 'invalid_comment')
  })
})
