/**
 * The fax records a page at a time (beyond Fax.Plus): the cursor of the Link header
 * (rel="next") is exact to the millisecond and the id, so records that share a second, or even
 * a millisecond, are each seen exactly once, newest first, where paging with `before` and the
 * last record's time (seconds) would skip some; the page keeps its filters. Both engines.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FaxRecord } from '../../src/domain/fax.js'
import { formatUtc } from '../../src/shared/api-time.js'
import { FAX_SLICES } from '../../src/use-cases/list-faxes.js'
import { aFaxRecord } from '../support/sample-records.js'
import { nextPage } from '../support/next-page.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const SECOND = Date.UTC(2026, 10, 20, 9, 30, 0)

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`fax records a page at a time (${engine})`, () => {
    let t: TestApp
    let user: TestUser
    let newestFirst: FaxRecord[]

    before(async () => {
      t = await openTestApp(engine)
      user = await t.user()
      // Twelve records in one second, three of them in one millisecond, and one a second before.
      const records = [
        ...Array.from({ length: 9 }, (_, i) =>
          aFaxRecord(user.account.uid, { startedAtMs: SECOND + 100 * i, direction: 'incoming' }),
        ),
        ...Array.from({ length: 3 }, () =>
          aFaxRecord(user.account.uid, { startedAtMs: SECOND + 500, direction: 'outgoing' }),
        ),
        aFaxRecord(user.account.uid, { startedAtMs: SECOND - 1000, direction: 'incoming' }),
      ]
      for (const record of records) {
        await t.services.store.faxes.add(record)
      }
      newestFirst = [...records].sort(
        (a, b) => b.startedAtMs - a.startedAtMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      )
    })
    after(async () => t.close())

    async function pages(first: string): Promise<string[][]> {
      const seen: string[][] = []
      let url: string | null = first
      while (url !== null) {
        const response = await t.request('GET', url, { token: user.token })
        assert.equal(response.statusCode, 200, response.body)
        seen.push(
          response.json<{ data: { records: { id: string }[] } }>().data.records.map((r) => r.id),
        )
        url = nextPage(response)
      }
      return seen
    }

    it('sees every record exactly once, newest first, through records that share a second', async () => {
      const seen = await pages('/v3/accounts/self/faxes?limit=4')
      assert.deepEqual(
        seen.map((page) => page.length),
        [4, 4, 4, 1],
      )
      assert.deepEqual(
        seen.flat(),
        newestFirst.map((record) => record.id),
      )
    })

    it('keeps the category and the time filter from page to page', async () => {
      const after = formatUtc(SECOND - 1000)
      const seen = await pages(
        `/v3/accounts/self/faxes?category=inbox&after=${encodeURIComponent(after)}&limit=2`,
      )
      const expected = newestFirst.filter(
        (record) => record.direction === 'incoming' && record.startedAtMs >= SECOND,
      )
      assert.equal(expected.length, 9)
      assert.deepEqual(
        seen.flat(),
        expected.map((record) => record.id),
      )
    })

    it('would skip records with `before` and the last time, which the cursor does not', async () => {
      const first = await t.request('GET', '/v3/accounts/self/faxes?limit=4', { token: user.token })
      const records = first.json<{ data: { records: { id: string }[] } }>().data.records
      assert.equal(records.length, 4)
      // The page's last record started in SECOND; `before` that second leaves out the records of
      // the same second that the next page must have.
      const byBefore = await t.request(
        'GET',
        `/v3/accounts/self/faxes?limit=4&before=${encodeURIComponent(formatUtc(SECOND))}`,
        { token: user.token },
      )
      const skipped = newestFirst.slice(4, 12).map((record) => record.id)
      const viaBefore = byBefore.json<{ data: { records: { id: string }[] } }>().data.records
      assert.ok(viaBefore.every((record) => !skipped.includes(record.id)))
      const viaCursor = await t.request('GET', nextPage(first) ?? '', { token: user.token })
      assert.deepEqual(
        viaCursor.json<{ data: { records: { id: string }[] } }>().data.records.map((r) => r.id),
        skipped.slice(0, 4),
      )
    })

    it('gives no Link when the records fit the page, and refuses an odd cursor', async () => {
      const all = await t.request('GET', '/v3/accounts/self/faxes?limit=13', { token: user.token })
      assert.equal(all.headers.link, undefined)
      const odd = await t.request('GET', '/v3/accounts/self/faxes?cursor=abc', {
        token: user.token,
      })
      assert.equal(odd.statusCode, 400)
      assert.equal(odd.json<{ error: string }>().error, 'invalid_cursor')
    })
  })
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`a long page of fax records, read a slice at a time (${engine})`, () => {
    let t: TestApp
    let user: TestUser
    let newestFirst: FaxRecord[]
    // More than two slices, and seams inside runs of records that share a millisecond.
    const RECORDS = FAX_SLICES.first + 2 * FAX_SLICES.rest + 5

    before(async () => {
      t = await openTestApp(engine)
      user = await t.user()
      const records = Array.from({ length: RECORDS }, (_, i) =>
        aFaxRecord(user.account.uid, { startedAtMs: SECOND + Math.floor(i / 7) }),
      )
      for (const record of records) {
        await t.services.store.faxes.add(record)
      }
      newestFirst = [...records].sort(
        (a, b) => b.startedAtMs - a.startedAtMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      )
    })
    after(async () => t.close())

    it('holds every record once, in order, across the slices', async () => {
      const whole = await t.request('GET', '/v3/accounts/self/faxes?limit=1000', {
        token: user.token,
      })
      assert.equal(whole.statusCode, 200, whole.body)
      assert.equal(nextPage(whole), null)
      assert.deepEqual(
        whole.json<{ data: { records: { id: string }[] } }>().data.records.map((r) => r.id),
        newestFirst.map((record) => record.id),
      )
      const first = await t.request('GET', `/v3/accounts/self/faxes?limit=${RECORDS - 3}`, {
        token: user.token,
      })
      const rest = await t.request('GET', nextPage(first) ?? '', { token: user.token })
      assert.deepEqual(
        [first, rest].flatMap((page) =>
          page.json<{ data: { records: { id: string }[] } }>().data.records.map((r) => r.id),
        ),
        newestFirst.map((record) => record.id),
      )
      assert.equal(nextPage(rest), null)
    })

    // On SQLite a read is answered at once, so an unsliced page would be answered first; on
    // PostgreSQL every read waits for the server, and the order proves nothing.
    if (engine === 'sqlite') {
      it('answers other requests while it is read', async () => {
        const answered: string[] = []
        const list = t
          .request('GET', '/v3/accounts/self/faxes?limit=1000', { token: user.token })
          .then((response) => answered.push(`list ${response.statusCode}`))
        // The GET comes in on a later turn of the event loop, while the page is being read.
        await new Promise((resolve) => setImmediate(resolve))
        const get = t
          .request('GET', `/v3/accounts/self/faxes/${newestFirst[0]?.id ?? ''}`, {
            token: user.token,
          })
          .then((response) => answered.push(`get ${response.statusCode}`))
        await Promise.all([list, get])
        assert.deepEqual(answered, ['get 200', 'list 200'])
      })
    }
  })
}
