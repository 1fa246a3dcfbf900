/**
 * Upload decides what a file is from its content, never from its name or claimed MIME type, and
 * refuses what this server cannot render with 415 unsupported_file_type, keeping nothing.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DOCUMENT_KINDS } from '../../src/domain/document-kind.js'
import { multipartBody } from '../support/multipart.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1')

/** Heads of real formats, each under a misleading name and MIME type. */
const ACCEPTED: readonly { what: string; name: string; content: Buffer }[] = [
  { what: 'PDF', name: 'photo.jpg', content: ascii('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n') },
  {
    what: 'PDF after junk (ISO 32000 lets the header sit in the first 1024 octets)',
    name: 'x.bin',
    content: Buffer.concat([Buffer.alloc(300, 0x20), ascii('%PDF-1.4\n')]),
  },
  {
    what: 'PNG',
    name: 'letter.pdf',
    content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  },
  { what: 'JPEG', name: 'scan.png', content: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]) },
  { what: 'TIFF, little-endian', name: 'fax', content: ascii('II*\0\x08\0\0\0') },
  { what: 'TIFF, big-endian', name: 'fax.txt', content: ascii('MM\0*\0\0\0\x08') },
  { what: 'UTF-8 text', name: 'notes.exe', content: Buffer.from('Grüße, Ελλάδα\r\n\tend\f') },
  { what: 'Windows-1252 text', name: 'notes', content: ascii('caf\xe9 \x80 10\n') },
  {
    what: 'DOCX (Office Open XML)',
    name: 'report.pdf',
    content: Buffer.concat([
      Buffer.from([0x50, 0x4b, 3, 4]),
      ascii('\0'.repeat(26)),
      ascii('[Content_Types].xml'),
    ]),
  },
  {
    what: 'ODT (OpenDocument)',
    name: 'a.zip',
    content: Buffer.concat([
      Buffer.from([0x50, 0x4b, 3, 4]),
      ascii('\0'.repeat(26)),
      ascii('mimetypeapplication/vnd.oasis.opendocument.text'),
    ]),
  },
  {
    what: 'Word 97 (OLE2)',
    name: 'old.txt',
    content: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]),
  },
  { what: 'RTF', name: 'memo.txt', content: ascii('{\\rtf1\\ansi hello}') },
  {
    what: 'an HTML page (laid out by LibreOffice, as Office documents are)',
    name: 'order.txt',
    content: Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]), // UTF-8's byte order mark
      ascii('<!-- saved -->\n<!DOCTYPE html><html><body><p>Order</p></body></html>'),
    ]),
  },
]

const REFUSED: readonly { what: string; content: Buffer }[] = [
  { what: 'an empty file', content: Buffer.alloc(0) },
  { what: 'binary with NUL octets', content: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]) },
  {
    what: 'a ZIP that is no Office document',
    content: Buffer.concat([
      Buffer.from([0x50, 0x4b, 3, 4]),
      ascii('\0'.repeat(26)),
      ascii('photos/a.jpg'),
    ]),
  },
  { what: 'a GIF', content: ascii('GIF89a\x01\0\x01\0\x80\0\0') },
  { what: 'text with a DEL control octet', content: ascii('abc\x7fdef') },
]

describe('upload sniffs the kind of document from its content', () => {
  let t: TestApp
  let user: TestUser

  before(async () => {
    t = await openTestApp()
    user = await t.user()
  })
  after(async () => t.close())

  const upload = (name: string, content: Buffer) => {
    const { payload, headers } = multipartBody('fax_file', name, 'application/pdf', content)
    return t.app.inject({
      method: 'POST',
      url: '/v3/accounts/self/files',
      headers: { ...headers, authorization: `Bearer ${user.token}` },
      payload,
    })
  }

  for (const { what, name, content } of ACCEPTED) {
    it(`accepts ${what} named ${JSON.stringify(name)}`, async () => {
      const response = await upload(name, content)
      assert.equal(response.statusCode, 200, response.body)
      assert.match(response.json<{ path: string }>().path, /^\/transient-/)
    })
  }

  for (const { what, content } of REFUSED) {
    it(`refuses ${what} named letter.pdf with 415 unsupported_file_type, keeping nothing`, async () => {
      const before = await t.snapshot()
      const response = await upload('letter.pdf', content)
      assert.equal(response.statusCode, 415)
      const body = response.json<{ error: string; description: string }>()
      assert.deepEqual(Object.keys(body).sort(), ['description', 'error'])
      assert.equal(body.error, 'unsupported_file_type')
      assert.match(body.description, /PDF, TIFF|PDF/)
      assert.equal(await t.snapshot(), before)
    })
  }

  it('sniffs a head that arrives in many small chunks (the stream is tapped, not buffered)', async () => {
    const content = Buffer.concat([ascii('%PDF-1.4\n'), Buffer.alloc(200_000, 0x25)])
    const response = await upload('big.pdf', content)
    assert.equal(response.statusCode, 200)
    const stored = await t.services.store.uploads.get(response.json<{ path: string }>().path)
    assert.equal(stored?.sizeBytes, content.length)
  })
})

describe('upload on a server without LibreOffice', () => {
  let t: TestApp
  let user: TestUser

  before(async () => {
    t = await openTestApp('sqlite', {
      documentKinds: new Set(DOCUMENT_KINDS.filter((kind) => kind !== 'office')),
    })
    user = await t.user()
  })
  after(async () => t.close())

  it('refuses an Office document with 415 naming what it can send, keeping nothing', async () => {
    const before = await t.snapshot()
    const { payload, headers } = multipartBody(
      'fax_file',
      'memo.rtf',
      'application/rtf',
      ascii('{\\rtf1 hi}'),
    )
    const response = await t.app.inject({
      method: 'POST',
      url: '/v3/accounts/self/files',
      headers: { ...headers, authorization: `Bearer ${user.token}` },
      payload,
    })
    assert.equal(response.statusCode, 415)
    const body = response.json<{ error: string; description: string }>()
    assert.equal(body.error, 'unsupported_file_type')
    assert.match(body.description, /DOC, DOCX, RTF.*cannot be sent from this server/)
    assert.doesNotMatch(body.description, /send one of: .*DOCX/)
    assert.equal(await t.snapshot(), before)
  })
})
