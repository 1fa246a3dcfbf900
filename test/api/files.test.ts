/** Upload: the part named fax_file, the path it answers, the size limit, and what it refuses. */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { multipartBody } from '../support/multipart.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

describe('file upload', () => {
  let t: TestApp
  let user: TestUser

  before(async () => {
    t = await openTestApp()
    user = await t.user()
  })
  after(async () => t.close())

  const post = (payload: Buffer | string, headers: Record<string, string>, query = '') =>
    t.app.inject({
      method: 'POST',
      url: `/v3/accounts/self/files${query}`,
      headers: { ...headers, authorization: `Bearer ${user.token}` },
      payload,
    })

  it('stores the bytes and answers a /transient-<uuid> path that sendFax accepts', async () => {
    const content = Buffer.from('%PDF-1.4\n% a letter\n')
    const { payload, headers } = multipartBody('fax_file', 'letter.pdf', 'application/pdf', content)
    const response = await post(payload, headers, '?format=pdf&=undefined')
    assert.equal(response.statusCode, 200)
    const { path } = response.json<{ path: string }>()
    assert.match(path, /^\/transient-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    const upload = await t.services.store.uploads.get(path)
    assert.ok(upload)
    assert.equal(upload.fileName, 'letter.pdf')
    assert.equal(upload.sizeBytes, content.length)
    assert.deepEqual(await readFile(join(t.filesDir, upload.storageKey)), content)
  })

  it('refuses a request without a fax_file part with missing_file', async () => {
    const { payload, headers } = multipartBody(
      'document',
      'letter.pdf',
      'application/pdf',
      Buffer.from('x'),
    )
    const before = await t.snapshot()
    const response = await post(payload, headers)
    assert.equal(response.statusCode, 400)
    assert.equal(response.json<{ error: string }>().error, 'missing_file')
    assert.equal(await t.snapshot(), before)
  })

  it('refuses a second file part with too_many_files, keeping neither (it was dropped)', async () => {
    const boundary = 'two-files-boundary'
    const part = (name: string, body: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.pdf"\r\n` +
      `Content-Type: application/pdf\r\n\r\n${body}\r\n`
    const payload =
      `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nplain field\r\n` +
      part('fax_file', '%PDF-1.4\n% the first\n') +
      part('fax_file', '%PDF-1.4\n% the second\n') +
      `--${boundary}--\r\n`
    const before = await t.snapshot()
    const response = await post(payload, {
      'content-type': `multipart/form-data; boundary=${boundary}`,
    })
    assert.equal(response.statusCode, 400, response.body)
    assert.deepEqual(response.json(), {
      error: 'too_many_files',
      description:
        'An upload takes one file, in the part named "fax_file": upload each file in a request of its own',
    })
    assert.equal(await t.snapshot(), before, 'no row and no file of the first part either')
  })

  it('refuses a malformed multipart body with 400, keeping nothing', async () => {
    const before = await t.snapshot()
    const noBoundary = await post('x', { 'content-type': 'multipart/form-data' })
    assert.equal(noBoundary.statusCode, 400)
    assert.equal(noBoundary.json<{ error: string }>().error, 'invalid_request_body')
    const { payload, headers } = multipartBody(
      'fax_file',
      'a.pdf',
      'application/pdf',
      Buffer.alloc(5000, 1),
    )
    const cutShort = await post(payload.subarray(0, 3000), headers)
    assert.equal(cutShort.statusCode, 400)
    assert.equal(cutShort.json<{ error: string }>().error, 'invalid_request_body')
    assert.equal(await t.snapshot(), before)
  })

  it('refuses a file name over 255 characters and one holding U+0000', async () => {
    const long = multipartBody(
      'fax_file',
      `${'a'.repeat(256)}.pdf`,
      'application/pdf',
      Buffer.from('x'),
    )
    const longAnswer = await post(long.payload, long.headers)
    assert.equal(longAnswer.statusCode, 400)
    assert.equal(longAnswer.json<{ error: string }>().error, 'invalid_file_name')
    const nul = multipartBody('fax_file', 'a\u0000b.pdf', 'application/pdf', Buffer.from('x'))
    const nulAnswer = await post(nul.payload, nul.headers)
    assert.equal(nulAnswer.statusCode, 400)
    assert.equal(nulAnswer.json<{ error: string }>().error, 'invalid_character')
  })

  it('refuses a body that is not multipart with 415', async () => {
    const response = await post('{"fax_file": "x"}', { 'content-type': 'application/json' })
    assert.equal(response.statusCode, 415)
    assert.equal(response.json<{ error: string }>().error, 'unsupported_media_type')
  })

  it('refuses a file over 150 MB with 413 and keeps nothing of it', async () => {
    const { payload, headers } = multipartBody(
      'fax_file',
      'huge.pdf',
      'application/pdf',
      Buffer.alloc(150 * 1024 * 1024 + 1, 0x20),
    )
    const before = await t.snapshot()
    const response = await post(payload, headers)
    assert.equal(response.statusCode, 413)
    assert.equal(response.json<{ error: string }>().error, 'files_too_large')
    assert.equal(await t.snapshot(), before, 'no record and no file, not even a temp file')
  })

  it("refuses another account's user_id", async () => {
    const other = await t.user()
    const { payload, headers } = multipartBody(
      'fax_file',
      'a.pdf',
      'application/pdf',
      Buffer.from('x'),
    )
    const response = await t.app.inject({
      method: 'POST',
      url: `/v3/accounts/${other.account.uid}/files`,
      headers: { ...headers, authorization: `Bearer ${user.token}` },
      payload,
    })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json<{ error: string }>().error, 'invalid_user_id')
  })
})
