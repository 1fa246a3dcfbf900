/**
 * The outbox list a page at a time (beyond Fax.Plus): `limit` and the cursor of the Link header
 * (rel="next"), on both engines. Entries that share their submit time to the millisecond are
 * each seen exactly once, in order; a client that names no limit (every Fax.Plus client) gets at
 * most a page of 1000; odd limits and cursors are refused in the API's error form.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MAX_OUTBOX_PAGE } from '../../src/use-cases/list-outbox.js'
import { aRenderJob, anOutboxEntry, deliveriesOf } from '../support/sample-records.js'
import { nextPage } from '../support/next-page.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const FROM = '+15555550150'
const ENTRIES = 23

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`the outbox a page at a time (${engine})`, () => {
    let t: TestApp
    let user: TestUser
    let stranger: TestUser
    const sent: string[] = []

    before(async () => {
      t = await openTestApp(engine)
      user = await t.user({ numbers: [FROM] })
      stranger = await t.user({ numbers: ['+15555550160'] })
      const file = await t.upload(user)
      // The clock stands still: every entry has the same submit time, to the millisecond.
      for (let i = 0; i < ENTRIES; i += 1) {
        const response = await t.request('POST', '/v3/accounts/self/outbox', {
          token: user.token,
          body: { from: FROM, to: [`+1555555${String(1000 + i)}`], files: [file] },
        })
        assert.equal(response.statusCode, 201, response.body)
      }
      await t.request('POST', '/v3/accounts/self/outbox', {
        token: stranger.token,
        body: { from: '+15555550160', to: ['+15555550100'], files: [await t.upload(stranger)] },
      })
      const all = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
      sent.push(...all.json<{ records: { id: string }[] }>().records.map((r) => r.id))
    })
    after(async () => t.close())

    it('answers every entry without a limit, in one page with no Link', async () => {
      const response = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
      assert.equal(response.statusCode, 200)
      assert.equal(response.headers.link, undefined)
      assert.equal(sent.length, ENTRIES)
      assert.equal(new Set(sent).size, ENTRIES)
    })

    it('pages through entries that share a submit time: each once, in order', async () => {
      const seen: string[] = []
      let url: string | null = '/v3/accounts/self/outbox?limit=5'
      let pages = 0
      while (url !== null) {
        const response = await t.request('GET', url, { token: user.token })
        assert.equal(response.statusCode, 200, response.body)
        const records = response.json<{ records: { id: string }[] }>().records
        assert.ok(records.length <= 5)
        seen.push(...records.map((r) => r.id))
        url = nextPage(response)
        pages += 1
      }
      assert.equal(pages, Math.ceil(ENTRIES / 5))
      assert.deepEqual(seen, sent)
    })

    it('gives no Link on a page that ends the list exactly', async () => {
      const response = await t.request('GET', `/v3/accounts/self/outbox?limit=${ENTRIES}`, {
        token: user.token,
      })
      assert.equal(response.json<{ records: unknown[] }>().records.length, ENTRIES)
      assert.equal(nextPage(response), null)
    })

    it("keeps another account's entries out of every page, whatever the cursor", async () => {
      const first = await t.request('GET', '/v3/accounts/self/outbox?limit=1', {
        token: user.token,
      })
      const next = nextPage(first)
      assert.ok(next)
      const theirs = await t.request('GET', next, { token: stranger.token })
      assert.equal(theirs.statusCode, 200)
      const ids = theirs.json<{ records: { id: string }[] }>().records.map((r) => r.id)
      assert.ok(
        ids.every((id) => !sent.includes(id)),
        ids.join(','),
      )
    })

    for (const [query, code] of [
      ['limit=0', 'invalid_limit'],
      [`limit=${MAX_OUTBOX_PAGE + 1}`, 'invalid_limit'],
      ['limit=ten', 'invalid_limit'],
      ['cursor=not-a-cursor', 'invalid_cursor'],
      [`cursor=${Buffer.from('12.x y').toString('base64url')}`, 'invalid_cursor'],
      ['cursor=%%%', 'invalid_cursor'],
    ] as const) {
      it(`refuses ${query}: 400 ${code}`, async () => {
        const response = await t.request('GET', `/v3/accounts/self/outbox?${query}`, {
          token: user.token,
        })
        assert.equal(response.statusCode, 400, response.body)
        const error = response.json<{ error: string }>().error
        assert.ok(
          error === code || (query === 'cursor=%%%' && error === 'invalid_querystring'),
          error,
        )
      })
    }
  })
}

describe('the outbox page a Fax.Plus client gets', () => {
  let t: TestApp
  let user: TestUser
  before(async () => {
    t = await openTestApp('sqlite')
    user = await t.user()
    const entries = Array.from({ length: MAX_OUTBOX_PAGE + 1 }, (_, i) =>
      anOutboxEntry(user.account.uid, { submittedAtMs: 1_000 + i }),
    )
    await Promise.all(
      entries.map((entry) =>
        t.services.store.outbox.create(entry, deliveriesOf(entry), aRenderJob(entry)),
      ),
    )
  })
  after(async () => t.close())

  it(`is at most ${MAX_OUTBOX_PAGE} entries, with a Link to the rest`, async () => {
    const response = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
    assert.equal(response.json<{ records: unknown[] }>().records.length, MAX_OUTBOX_PAGE)
    const rest = await t.request('GET', nextPage(response) ?? '', { token: user.token })
    assert.equal(rest.json<{ records: unknown[] }>().records.length, 1)
    assert.equal(nextPage(rest), null)
  })

  it('is built a slice at a time, answering other requests meanwhile', async () => {
    const { entries } = await t.services.store.outbox.listByUser(user.account.uid, {
      limit: 1,
      after: null,
    })
    const answered: string[] = []
    const list = t
      .request('GET', '/v3/accounts/self/outbox', { token: user.token })
      .then((response) => answered.push(`list ${response.statusCode}`))
    // The GET comes in on a later turn of the event loop, while the list is being read.
    await new Promise((resolve) => setImmediate(resolve))
    const get = t
      .request('GET', `/v3/accounts/self/outbox/${entries[0]?.id ?? ''}`, { token: user.token })
      .then((response) => answered.push(`get ${response.statusCode}`))
    await Promise.all([list, get])
    // Read in one go, the page of 1000 would be answered first: SQLite answers at once, and the
    // whole page would be read and written before the event loop turned again.
    assert.deepEqual(answered, ['get 200', 'list 200'])
  })
})
