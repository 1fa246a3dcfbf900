/**
 * Downloads of fax records through the whole app: getFile answers the stored TIFF-F as it is,
 * or a PDF of its pages (checked with qpdf and pdfinfo), by `format`, else the Accept header,
 * else the caller's default_file_type, else PDF; getFaxReport answers a one-page PDF whose text
 * (pdftotext) tells what happened to the fax. Another user's fax is not found; a fax without
 * pages has no file. The tools are poppler-utils and qpdf; a missing one fails the test.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { writeTiffF } from '../../src/codec/tiff-write.js'
import type { FaxRecord } from '../../src/domain/fax.js'
import { newId32 } from '../../src/shared/ids.js'
import { typedPage } from '../codec/pages.js'
import { aFaxRecord } from '../support/sample-records.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const folder = mkdtempSync(join(tmpdir(), 'faxd-downloads-'))

/** Runs a tool on the octets (written to a file) and answers its stdout. */
function tool(name: string, args: readonly string[], pdf: Uint8Array, hint: string): string {
  const file = join(folder, `${newId32()}.pdf`)
  writeFileSync(file, pdf)
  const result = spawnSync(name, [...args, file, ...(name === 'pdftotext' ? ['-'] : [])], {
    encoding: 'utf8',
  })
  if (result.error !== undefined) {
    assert.fail(`${name} could not run (${result.error.message}); install ${hint}`)
  }
  assert.equal(result.status, 0, `${name}: ${result.stdout}${result.stderr}`)
  assert.equal(result.stderr, '', `${name} warns`)
  return result.stdout
}

function assertSoundPdf(pdf: Uint8Array, pages: number): void {
  assert.equal(Buffer.from(pdf.subarray(0, 5)).toString('latin1'), '%PDF-')
  assert.match(tool('qpdf', ['--check'], pdf, 'qpdf'), /No syntax or stream encoding errors/)
  const info = tool('pdfinfo', [], pdf, 'poppler-utils')
  assert.equal(Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]), pages)
}

const pdfText = (pdf: Uint8Array) => tool('pdftotext', ['-layout'], pdf, 'poppler-utils')

describe('fax downloads', () => {
  let t: TestApp
  let user: TestUser
  let stranger: TestUser
  let tiff: Uint8Array
  let fax: FaxRecord
  let strangerFax: FaxRecord

  async function storedPages(): Promise<string> {
    const key = `documents/${newId32()}.tif`
    await t.services.files.put(key, Readable.from([tiff]), tiff.length)
    return key
  }

  async function faxWithPages(ownerUid: string, overrides: Partial<FaxRecord> = {}) {
    const record = aFaxRecord(ownerUid, {
      pages: 2,
      documentKey: await storedPages(),
      ...overrides,
    })
    await t.services.store.faxes.add(record)
    return record
  }

  before(async () => {
    t = await openTestApp()
    user = await t.user()
    stranger = await t.user()
    tiff = writeTiffF([
      { bitmap: typedPage(31, 1728, 2156), compression: 'mmr', xDpi: 204, yDpi: 196 },
      { bitmap: typedPage(32, 1728, 2156), compression: 'mmr', xDpi: 204, yDpi: 196 },
    ])
    fax = await faxWithPages(user.account.uid)
    strangerFax = await faxWithPages(stranger.account.uid)
  })
  after(async () => {
    await t.close()
    rmSync(folder, { recursive: true, force: true })
  })

  const getFile = (id: string, query = '', headers: Record<string, string> = {}, who = user) =>
    t.request('GET', `/v3/accounts/self/files/${id}${query}`, { token: who.token, headers })

  function assertFormat(response: LightMyRequestResponse, format: 'pdf' | 'tiff', id: string) {
    assert.equal(response.statusCode, 200, response.body)
    assert.equal(
      response.headers['content-type'],
      format === 'pdf' ? 'application/pdf' : 'image/tiff',
    )
    assert.equal(
      response.headers['content-disposition'],
      `attachment; filename="fax-${id}.${format}"`,
    )
  }

  it('answers the stored TIFF-F as it is with format=tiff', async () => {
    const response = await getFile(fax.id, '?format=tiff')
    assertFormat(response, 'tiff', fax.id)
    assert.deepEqual(new Uint8Array(response.rawPayload), tiff)
  })

  it('answers a PDF with a page per fax page with format=pdf', async () => {
    const response = await getFile(fax.id, '?format=pdf')
    assertFormat(response, 'pdf', fax.id)
    assertSoundPdf(response.rawPayload, 2)
    const info = tool('pdfinfo', [], response.rawPayload, 'poppler-utils')
    assert.match(info, /^Page size:\s+612 x 792 pts \(letter\)/m)
  })

  it('lets format override the Accept header', async () => {
    assertFormat(await getFile(fax.id, '?format=pdf', { accept: 'image/tiff' }), 'pdf', fax.id)
    assertFormat(
      await getFile(fax.id, '?format=tiff', { accept: 'application/pdf' }),
      'tiff',
      fax.id,
    )
  })

  it('follows an Accept header that asks for exactly one of PDF and TIFF', async () => {
    assertFormat(await getFile(fax.id, '', { accept: 'image/tiff' }), 'tiff', fax.id)
    assertFormat(await getFile(fax.id, '', { accept: 'application/pdf' }), 'pdf', fax.id)
    const weighted = { accept: 'application/pdf;q=0, IMAGE/TIFF;q=0.5, */*;q=0.1' }
    assertFormat(await getFile(fax.id, '', weighted), 'tiff', fax.id)
  })

  it('answers PDF, the default, without format or a telling Accept (the Python SDK sends JSON)', async () => {
    assertFormat(await getFile(fax.id), 'pdf', fax.id)
    assertFormat(await getFile(fax.id, '', { accept: 'application/json' }), 'pdf', fax.id)
    assertFormat(await getFile(fax.id, '', { accept: '*/*' }), 'pdf', fax.id)
    const both = { accept: 'application/pdf, image/tiff, application/json' }
    assertFormat(await getFile(fax.id, '', both), 'pdf', fax.id)
  })

  it("answers the caller's default_file_type when nothing else decides", async () => {
    const owner = await t.user()
    const own = await faxWithPages(owner.account.uid)
    const put = await t.request('PUT', '/v3/accounts/self', {
      token: owner.token,
      body: { account_data: { default_file_type: 'tiff' } },
    })
    assert.equal(put.statusCode, 200, put.body)
    assertFormat(await getFile(own.id, '', {}, owner), 'tiff', own.id)
    assertFormat(await getFile(own.id, '', { accept: 'application/json' }, owner), 'tiff', own.id)
    assertFormat(await getFile(own.id, '', { accept: 'application/pdf' }, owner), 'pdf', own.id)
    assertFormat(await getFile(own.id, '?format=pdf', {}, owner), 'pdf', own.id)
  })

  it('refuses a format other than pdf or tiff: 400 invalid_format', async () => {
    for (const query of ['?format=png', '?format=', '?format=PDF']) {
      const response = await getFile(fax.id, query)
      assert.equal(response.statusCode, 400, query)
      assert.equal(response.json<{ error: string }>().error, 'invalid_format', query)
    }
  })

  it('answers 404 file_not_available for a fax without pages', async () => {
    const record = aFaxRecord(user.account.uid, { status: 'failed', pages: 0, documentKey: null })
    await t.services.store.faxes.add(record)
    const response = await getFile(record.id, '?format=pdf')
    assert.equal(response.statusCode, 404)
    assert.deepEqual(response.json(), {
      error: 'file_not_available',
      description: 'This fax has no pages to download',
    })
  })

  it("answers 404 fax_not_found for another user's fax, on both downloads", async () => {
    for (const url of [
      `/v3/accounts/self/files/${strangerFax.id}`,
      `/v3/accounts/self/files/${strangerFax.id}?format=tiff`,
      `/v3/accounts/self/report/${strangerFax.id}`,
      `/v3/accounts/self/files/${newId32()}`,
    ]) {
      const response = await t.request('GET', url, { token: user.token })
      assert.equal(response.statusCode, 404, url)
      assert.equal(response.json<{ error: string }>().error, 'fax_not_found', url)
    }
  })

  it('describes both answers in /v3/openapi.json', async () => {
    const document = (await t.request('GET', '/v3/openapi.json')).json<{
      paths: Record<string, Record<string, { responses: Record<string, { content: object }> }>>
    }>()
    const file = document.paths['/accounts/{user_id}/files/{fax_id}']?.['get']
    const report = document.paths['/accounts/{user_id}/report/{fax_id}']?.['get']
    assert.deepEqual(Object.keys(file?.responses['200']?.content ?? {}), [
      'application/pdf',
      'image/tiff',
    ])
    assert.deepEqual(Object.keys(report?.responses['200']?.content ?? {}), ['application/pdf'])
  })

  describe('the confirmation report', () => {
    const getReport = (id: string, who = user) =>
      t.request('GET', `/v3/accounts/self/report/${id}`, { token: who.token })

    it('is a one-page PDF saying what happened to the fax', async () => {
      const response = await getReport(fax.id)
      assert.equal(response.statusCode, 200, response.body)
      assert.equal(response.headers['content-type'], 'application/pdf')
      assert.equal(
        response.headers['content-disposition'],
        `attachment; filename="report-${fax.id}.pdf"`,
      )
      assertSoundPdf(response.rawPayload, 1)
      const text = pdfText(response.rawPayload)
      assert.match(text, /Fax confirmation report/)
      assert.match(text, new RegExp(`Fax ID\\s+${fax.id}`))
      assert.match(text, /Direction\s+Outgoing \(sent\)/)
      assert.match(text, /Sender\s+\+15550000001/)
      // The account has no name: its email alone, under the sender's number.
      assert.match(text, new RegExp(`\\n\\s+${user.account.email.replace(/\./g, '\\.')}\\n`))
      assert.match(text, /Destination\s+\+4930123456/)
      assert.match(text, /Date and time\s+2026-01-01 00:00:00 UTC/)
      assert.match(text, /Duration\s+1 min 35 s/)
      assert.match(text, /Pages\s+2/)
      assert.match(text, /Status\s+success/)
      assert.match(text, /Description\s+OK/)
    })

    it('shows page 1 as a thumbnail: the page image itself, scaled by the PDF', async () => {
      const response = await getReport(fax.id)
      const images = tool('pdfimages', ['-list'], response.rawPayload, 'poppler-utils')
      const rows = images.split('\n').filter((line) => /^\s*1\s+\d+\s+image/.test(line))
      assert.equal(rows.length, 1, images)
      assert.match(rows[0] ?? '', /image\s+1728\s+2156\s+gray\s+1\s+1\s+ccitt/)
    })

    it('is made for a fax without pages too, with no thumbnail', async () => {
      const record = aFaxRecord(user.account.uid, {
        direction: 'incoming',
        status: 'failed_no_answer',
        description: 'The other side did not answer',
        pages: 0,
        durationSeconds: 3725,
        documentKey: null,
      })
      await t.services.store.faxes.add(record)
      const response = await getReport(record.id)
      assert.equal(response.statusCode, 200, response.body)
      assertSoundPdf(response.rawPayload, 1)
      const text = pdfText(response.rawPayload)
      assert.match(text, /Direction\s+Incoming \(received\)/)
      assert.match(text, /Duration\s+1 h 2 min 5 s/)
      assert.match(text, /Pages\s+0/)
      assert.match(text, /Status\s+failed_no_answer/)
      assert.match(text, /Description\s+The other side did not answer/)
      const images = tool('pdfimages', ['-list'], response.rawPayload, 'poppler-utils')
      assert.doesNotMatch(images, /ccitt/)
    })

    it('prints names as given, escaped, with ? for what WinAnsi cannot show', async () => {
      const owner = await t.user()
      const put = await t.request('PUT', '/v3/accounts/self', {
        token: owner.token,
        body: { name: 'Zoë (née) \\ Ünal', lastname: 'Ωmega ✓' },
      })
      assert.equal(put.statusCode, 200, put.body)
      const own = await faxWithPages(owner.account.uid)
      const response = await getReport(own.id, owner)
      assertSoundPdf(response.rawPayload, 1)
      assert.match(pdfText(response.rawPayload), /Zoë \(née\) \\ Ünal \?mega \? </)
    })
  })
})
