/**
 * One account cannot draw another's fax into its own pages. Account B sends a fax whose page
 * says "TENANT B CONFIDENTIAL"; account A, knowing where that page is stored (ids leak through
 * logs, webhooks and screenshots), uploads an ODT whose picture is that file by file:// URL and
 * reads its own preview back. The page A gets is the page of the same ODT without the link,
 * through the API and the real renderer (sandboxed render process, LibreOffice).
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { prepareOutboxPages } from '../../src/use-cases/prepare-outbox-pages.js'
import { odtLinkingImage } from '../support/linked-documents.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const A_NUMBER = '+15555550160'
const B_NUMBER = '+15555550161'

/** The test's limit: several times the 10 s it takes on an idle machine. */
const PER_TEST = { timeout: 120_000 }

describe('tenant isolation while rendering', () => {
  let t: TestApp
  let a: TestUser
  let b: TestUser

  before(async () => {
    t = await openTestApp('sqlite', { renderIn: 'sandbox' })
    a = await t.user({ numbers: [A_NUMBER] })
    b = await t.user({ numbers: [B_NUMBER] })
  })
  after(async () => t.close())

  /** Sends `document` as `user`, makes its pages, and answers the outbox entry's id. */
  async function sendAndRender(user: TestUser, from: string, document: Buffer, name: string) {
    const before = new Set(await outboxIds(user))
    const path = await t.upload(user, document, name)
    const response = await t.request('POST', '/v3/accounts/self/outbox', {
      token: user.token,
      body: { from, to: ['+15555550100'], files: [path] },
    })
    assert.equal(response.statusCode, 201, response.body)
    const [id, ...others] = (await outboxIds(user)).filter((each) => !before.has(each))
    assert.ok(id !== undefined && others.length === 0)
    const result = await prepareOutboxPages(t.services, id)
    assert.equal(result.outcome, 'ready', JSON.stringify(result))
    return id
  }

  async function outboxIds(user: TestUser): Promise<string[]> {
    const listed = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
    return listed.json<{ records: { id: string }[] }>().records.map((record) => record.id)
  }

  async function preview(user: TestUser, id: string): Promise<Buffer> {
    const response = await t.request('GET', `/v3/accounts/self/outbox/${id}/pages/1?width=1728`, {
      token: user.token,
    })
    assert.equal(response.statusCode, 200, response.body)
    return response.rawPayload
  }

  it("A's ODT linking B's stored page shows nothing of it", PER_TEST, async () => {
    const secret = Buffer.from('TENANT B CONFIDENTIAL\n'.repeat(40), 'utf8')
    const bEntry = await sendAndRender(b, B_NUMBER, secret, 'secret.txt')
    const stored = await t.services.store.outbox.get(bEntry)
    assert.ok(stored?.documentKey)
    const bPage = join(t.filesDir, stored.documentKey)
    // The file is there to be read, by anyone who could.
    assert.ok((await readFile(bPage)).length > 1000)

    const plain = await sendAndRender(a, A_NUMBER, odtLinkingImage(null), 'plain.odt')
    const linked = await sendAndRender(a, A_NUMBER, odtLinkingImage(`file://${bPage}`), 'b.odt')
    const plainPreview = await preview(a, plain)
    const linkedPreview = await preview(a, linked)
    assert.ok(plainPreview.equals(linkedPreview), "A's preview differs from the plain ODT's")
    assert.ok(!linkedPreview.equals(await preview(b, bEntry)))
  })
})
