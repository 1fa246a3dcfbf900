/**
 * Page previews (beyond Fax.Plus): a PNG of any page of an outbox entry once its pages are made,
 * of a fax that has pages, or of an uploaded document before it is sent, drawn with square
 * pixels, at the width asked for.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import { prepareOutboxPages } from '../../src/use-cases/prepare-outbox-pages.js'
import { aFaxRecord } from '../support/sample-records.js'
import { documentPath, hostilePath } from '../support/fixtures.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const FROM = '+15555550150'

/** Each test's limit: several times the under 4 s each takes on an idle machine. */
const PER_TEST = { timeout: 60_000 }

describe('page previews', () => {
  let t: TestApp
  let user: TestUser

  before(async () => {
    t = await openTestApp()
    user = await t.user({ numbers: [FROM] })
  })
  after(async () => t.close())

  async function outboxEntry(file: string, resolution: 'fine' | 'superfine'): Promise<string> {
    const path = await t.upload(user, await readFile(documentPath(file)), file)
    const sent = await t.request('POST', '/v3/accounts/self/outbox', {
      token: user.token,
      body: { from: FROM, to: ['+15555550100'], files: [path], resolution, return_ids: true },
    })
    const deliveryId = Object.values(sent.json<{ ids: Record<string, string> }>().ids)[0]
    const listed = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
    for (const { id } of listed.json<{ records: { id: string }[] }>().records) {
      const deliveries = await t.services.store.outbox.listDeliveries(id)
      if (deliveries.some((delivery) => delivery.id === deliveryId)) {
        return id
      }
    }
    assert.fail('the entry is not in the outbox')
  }

  const get = (url: string) => t.request('GET', url, { token: user.token })

  it(
    'answers 409 pages_not_ready until the pages are made, then PNGs of each page',
    PER_TEST,
    async () => {
      const id = await outboxEntry('text-letter.pdf', 'fine')
      const early = await get(`/v3/accounts/self/outbox/${id}/pages/1`)
      assert.equal(early.statusCode, 409)
      assert.equal(early.json<{ error: string }>().error, 'pages_not_ready')

      assert.equal((await prepareOutboxPages(t.services, id)).outcome, 'ready')
      for (const page of [1, 2]) {
        const response = await get(`/v3/accounts/self/outbox/${id}/pages/${page}`)
        assert.equal(response.statusCode, 200)
        assert.equal(response.headers['content-type'], 'image/png')
        const meta = await sharp(response.rawPayload).metadata()
        // A Letter page at fine is 1728 × 2156 pels of 204 × 196 dpi: square, 850 × 1079.
        assert.equal(meta.format, 'png')
        assert.equal(meta.width, 850)
        assert.equal(meta.height, Math.round((2156 * 204 * 850) / (196 * 1728)))
      }
      const third = await get(`/v3/accounts/self/outbox/${id}/pages/3`)
      assert.equal(third.statusCode, 404)
      assert.equal(third.json<{ error: string }>().error, 'page_not_found')
    },
  )

  it('draws superfine pages with square pixels too, at the width asked for', PER_TEST, async () => {
    const id = await outboxEntry('a4.pdf', 'superfine')
    assert.equal((await prepareOutboxPages(t.services, id)).outcome, 'ready')
    const response = await get(`/v3/accounts/self/outbox/${id}/pages/1?width=400`)
    assert.equal(response.statusCode, 200)
    const meta = await sharp(response.rawPayload).metadata()
    assert.equal(meta.width, 400)
    assert.equal(meta.height, Math.round((4584 * 204 * 400) / (392 * 1728)))
  })

  it('shows the ink of the page (not a blank picture)', PER_TEST, async () => {
    const id = await outboxEntry('letter.pdf', 'fine')
    assert.equal((await prepareOutboxPages(t.services, id)).outcome, 'ready')
    const response = await get(`/v3/accounts/self/outbox/${id}/pages/1?width=1728`)
    const { data, info } = await sharp(response.rawPayload)
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true })
    const dark = data.filter((value) => value < 128).length
    assert.equal(info.width, 1728)
    assert.ok(dark > 1000, `${dark} dark pixels`)
  })

  it('refuses a page number or width out of range with a 400', PER_TEST, async () => {
    const id = await outboxEntry('a4.pdf', 'fine')
    for (const url of [
      `/v3/accounts/self/outbox/${id}/pages/0`,
      `/v3/accounts/self/outbox/${id}/pages/one`,
      `/v3/accounts/self/outbox/${id}/pages/1?width=8`,
      `/v3/accounts/self/outbox/${id}/pages/1?width=1729`,
    ]) {
      const response = await get(url)
      assert.equal(response.statusCode, 400, url)
      assert.match(response.json<{ error: string }>().error, /^invalid_(page|width)$/, url)
    }
  })

  it('answers page_not_found for a fax without pages', PER_TEST, async () => {
    const fax = aFaxRecord(user.account.uid, { documentKey: null })
    await t.services.store.faxes.add(fax)
    const response = await get(`/v3/accounts/self/faxes/${fax.id}/pages/1`)
    assert.equal(response.statusCode, 404)
    assert.equal(response.json<{ error: string }>().error, 'page_not_found')
  })

  it(
    'draws an upload as sendFax would render it, before it is sent, saying how many pages',
    PER_TEST,
    async () => {
      const path = await t.upload(
        user,
        await readFile(documentPath('text-letter.pdf')),
        'letter.pdf',
      )
      const url = (page: number, query = '') =>
        `/v3/accounts/self/files/pages/${page}?path=${encodeURIComponent(path)}&width=400${query}`
      for (const page of [1, 2]) {
        const response = await get(url(page))
        assert.equal(response.statusCode, 200, response.body)
        assert.equal(response.headers['content-type'], 'image/png')
        assert.equal(response.headers['x-fax-pages'], '2')
        const { width, height } = await sharp(response.rawPayload).metadata()
        assert.equal(width, 400)
        assert.ok(height > 450 && height < 560, `${String(height)} px high: a letter page`)
      }
      const superfine = await get(url(1, '&resolution=superfine&enhancement=false'))
      assert.equal(superfine.statusCode, 200)
      assert.equal((await sharp(superfine.rawPayload).metadata()).width, 400)

      const past = await get(url(3))
      assert.equal(past.statusCode, 404)
      assert.match(
        past.json<{ description: string }>().description,
        /no page 3: the document makes 2/,
      )

      // Another account's upload is not found; nor is a path nobody uploaded.
      const other = await t.user({ numbers: ['+15555550151'] })
      const theirs = await t.request('GET', url(1), { token: other.token })
      assert.equal(theirs.statusCode, 400)
      assert.equal(theirs.json<{ error: string }>().error, 'file_not_found')
      const nobody = await get('/v3/accounts/self/files/pages/1?path=/transient-nothing')
      assert.equal(nobody.json<{ error: string }>().error, 'file_not_found')
      assert.equal((await get('/v3/accounts/self/files/pages/1')).statusCode, 400)
    },
  )

  it('draws several uploads asked at once, two rendered at a time', PER_TEST, async () => {
    const paths = await Promise.all(
      ['letter.pdf', 'a4.pdf', 'legal.pdf', 'landscape.pdf', 'photo.png'].map(async (file) =>
        t.upload(user, await readFile(documentPath(file)), file),
      ),
    )
    const answers = await Promise.all(
      paths.map((path) =>
        get(`/v3/accounts/self/files/pages/1?path=${encodeURIComponent(path)}&width=100`),
      ),
    )
    assert.deepEqual(
      answers.map((answer) => answer.statusCode),
      [200, 200, 200, 200, 200],
    )
  })

  it('says why an upload cannot be made into pages, as the fax would', PER_TEST, async () => {
    const path = await t.upload(user, await readFile(hostilePath('truncated.pdf')), 'broken.pdf')
    const response = await get(`/v3/accounts/self/files/pages/1?path=${encodeURIComponent(path)}`)
    assert.equal(response.statusCode, 422)
    const body = response.json<{ error: string; description: string }>()
    assert.equal(body.error, 'document_not_renderable')
    assert.match(body.description, /PDF cannot be read/)
  })
})
