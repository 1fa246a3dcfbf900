/**
 * Documents that link to content outside themselves draw nothing of it and fetch nothing: an ODT,
 * a DOCX or an HTML page whose picture is an http:// URL on this host (a listener here serves a picture and
 * counts requests), an ODT whose picture is a file:// path outside its render folder, or a path
 * of /usr that the sandbox does show, and a PDF whose image data is an external file. Each is
 * rendered the way the service renders (renderIsolated, in the bubblewrap sandbox), and its
 * pages must equal those of the same document without the link.
 *
 * Two layers are checked apart: the sandbox (no network, no view of the host's files), and the
 * LibreOffice profile that tells it not to load linked content, converted here without any
 * sandbox.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import { decodeTiffPage, listTiffPages } from '../../src/codec/tiff-read.js'
import { renderIsolated } from '../../src/rendering/isolated-renderer.js'
import { convertOfficeToPdf } from '../../src/rendering/office-conversion.js'
import {
  docxLinkingImage,
  htmlLinkingImage,
  odtEmbeddingImage,
  odtLinkingImage,
  pdfLinkingImage,
} from '../support/linked-documents.js'
import { TEST_RENDER_SETTINGS, TEST_SANDBOX } from '../support/test-app.js'

const ISOLATION = { timeoutMs: 120_000, maxMemoryBytes: 2048 * 1024 * 1024, sandbox: TEST_SANDBOX }
const OFFICE = { program: 'soffice', timeoutMs: 60_000, maxMemoryBytes: 2048 * 1024 * 1024 }

/** A picture a fetch would draw: a black square, unmistakable on a page. */
async function blackSquarePng(): Promise<Buffer> {
  return sharp({
    create: { width: 256, height: 256, channels: 3, background: { r: 0, g: 0, b: 0 } },
  })
    .png()
    .toBuffer()
}

/** This host's first address that is not loopback, where it has one. */
function ownAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address
}

/** Each test's limit: several times the under 20 s each takes on an idle machine, and past ISOLATION's 120-s render limit. */
const PER_TEST = { timeout: 180_000 }

describe('linked content in documents', () => {
  let work: string
  let server: Server
  let port: number
  const requests: string[] = []
  let secretPicture: string
  let picture: Buffer

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'faxd-linked-'))
    picture = await blackSquarePng()
    // Outside any render folder, as another account's file would be.
    secretPicture = join(work, 'secret.png')
    writeFileSync(secretPicture, picture)
    server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`)
      response.writeHead(200, { 'content-type': 'image/png' }).end(picture)
    })
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve))
    port = (server.address() as AddressInfo).port
  })
  after(async () => {
    await new Promise((resolve) => server.close(resolve))
    rmSync(work, { recursive: true, force: true })
  })

  /** The fax pages of `document`, rendered as the service renders them. */
  async function pagesOf(document: Buffer, name: string): Promise<Uint8Array[]> {
    const input = join(work, name)
    writeFileSync(input, document)
    const output = join(work, `${name}.tif`)
    await renderIsolated(
      {
        documentPaths: [input],
        resolution: 'fine',
        enhancement: true,
        settings: {
          paper: 'letter',
          maxPages: 250,
          maxPicturePixels: TEST_RENDER_SETTINGS.maxPicturePixels,
          office: OFFICE,
        },
        outputPath: output,
      },
      ISOLATION,
    )
    const tiff = new Uint8Array(readFileSync(output))
    return listTiffPages(tiff).map((page) => decodeTiffPage(tiff, page).data)
  }

  /** The pages of each document without its link, rendered once for the whole file. */
  const plainRenders = new Map<string, Promise<Uint8Array[]>>()
  function plainPagesOf(kind: 'odt' | 'docx' | 'pdf'): Promise<Uint8Array[]> {
    let pages = plainRenders.get(kind)
    if (pages === undefined) {
      const document =
        kind === 'odt'
          ? odtLinkingImage(null)
          : kind === 'docx'
            ? docxLinkingImage(null)
            : pdfLinkingImage(null)
      pages = pagesOf(document, `plain.${kind}`)
      plainRenders.set(kind, pages)
    }
    return pages
  }

  /** Octets that differ between two renders' pages (every octet when the counts differ). */
  function differingOctets(linked: Uint8Array[], plain: Uint8Array[]): number {
    if (linked.length !== plain.length) {
      return Infinity
    }
    let differing = 0
    for (const [index, page] of linked.entries()) {
      const other = plain[index] ?? new Uint8Array()
      for (let i = 0; i < Math.max(page.length, other.length); i++) {
        if (page[i] !== other[i]) {
          differing++
        }
      }
    }
    return differing
  }

  function assertSamePages(linked: Uint8Array[], plain: Uint8Array[]): void {
    assert.equal(differingOctets(linked, plain), 0, 'octets of the pages that differ')
  }

  it(
    'a picture that is drawn changes the page (the comparison below can fail)',
    PER_TEST,
    async () => {
      const plain = await plainPagesOf('odt')
      const embedded = await pagesOf(odtEmbeddingImage(picture), 'embedded.odt')
      assert.ok(differingOctets(embedded, plain) > 10_000, 'the embedded square shows')
    },
  )

  const targets = (): { label: string; url: (path: string) => string }[] => {
    const own = ownAddress()
    return [
      { label: 'loopback', url: (path) => `http://127.0.0.1:${port}${path}` },
      ...(own === undefined
        ? []
        : [{ label: `this host's ${own}`, url: (path: string) => `http://${own}:${port}${path}` }]),
    ]
  }

  it('an ODT whose picture is a URL on this host: no request, no picture', PER_TEST, async () => {
    const plain = await plainPagesOf('odt')
    for (const target of targets()) {
      requests.length = 0
      const linked = await pagesOf(odtLinkingImage(target.url('/odt')), 'http.odt')
      assert.deepEqual(requests, [], `requests to ${target.label}`)
      assertSamePages(linked, plain)
    }
  })

  it(
    'a DOCX whose picture is an external relationship: no request, no picture',
    PER_TEST,
    async () => {
      const plain = await plainPagesOf('docx')
      for (const target of targets()) {
        requests.length = 0
        const linked = await pagesOf(docxLinkingImage(target.url('/docx')), 'http.docx')
        assert.deepEqual(requests, [], `requests to ${target.label}`)
        assertSamePages(linked, plain)
      }
    },
  )

  it(
    'an HTML page whose picture is a URL on this host or a file outside its folder: no request, not drawn',
    PER_TEST,
    async () => {
      // What is drawn for a picture that cannot be loaded at all, and for one that can.
      const unloadable = await pagesOf(htmlLinkingImage('missing.png'), 'missing.html')
      const embedded = await pagesOf(
        htmlLinkingImage(`data:image/png;base64,${picture.toString('base64')}`),
        'embedded.html',
      )
      assert.ok(differingOctets(embedded, unloadable) > 10_000, 'an embedded picture shows')
      for (const target of targets()) {
        requests.length = 0
        const linked = await pagesOf(htmlLinkingImage(target.url('/html')), 'http.html')
        assert.deepEqual(requests, [], `requests to ${target.label}`)
        assertSamePages(linked, unloadable)
      }
      const file = await pagesOf(htmlLinkingImage(`file://${secretPicture}`), 'file.html')
      assertSamePages(file, unloadable)
    },
  )

  it('an ODT whose picture is a file outside its render folder: not drawn', PER_TEST, async () => {
    const plain = await plainPagesOf('odt')
    const linked = await pagesOf(odtLinkingImage(`file://${secretPicture}`), 'file.odt')
    assertSamePages(linked, plain)
  })

  it(
    'an ODT whose picture is a file the sandbox shows (/usr): not drawn either',
    PER_TEST,
    async () => {
      const plain = await plainPagesOf('odt')
      const linked = await pagesOf(
        odtLinkingImage('file:///usr/share/pixmaps/debian-logo.png'),
        'usr.odt',
      )
      assertSamePages(linked, plain)
    },
  )

  it(
    'a PDF whose image data is an external file: no request, nothing drawn',
    PER_TEST,
    async () => {
      const plain = await plainPagesOf('pdf')
      for (const target of targets()) {
        requests.length = 0
        const linked = await pagesOf(pdfLinkingImage(target.url('/pdf')), 'http.pdf')
        assert.deepEqual(requests, [], `requests to ${target.label}`)
        assertSamePages(linked, plain)
      }
      const local = await pagesOf(pdfLinkingImage(`file://${secretPicture}`), 'file.pdf')
      assertSamePages(local, plain)
    },
  )

  describe('LibreOffice alone, without the sandbox, is told not to load links', () => {
    /** Images in a PDF, as poppler's pdfimages lists them. */
    function imagesIn(pdf: Uint8Array, name: string): number {
      const file = join(work, name)
      writeFileSync(file, pdf)
      const listing = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' })
      return listing.trim().split('\n').length - 2 // two heading lines
    }

    it('fetches nothing for an ODT or a DOCX linking a URL', PER_TEST, async () => {
      requests.length = 0
      const odt = await convertOfficeToPdf(odtLinkingImage(`http://127.0.0.1:${port}/odt`), OFFICE)
      const docx = await convertOfficeToPdf(
        docxLinkingImage(`http://127.0.0.1:${port}/docx`),
        OFFICE,
      )
      assert.deepEqual(requests, [])
      assert.equal(imagesIn(odt, 'odt.pdf'), 0)
      assert.equal(imagesIn(docx, 'docx.pdf'), 0)
    })

    it('draws no linked file, where the same picture embedded is drawn', PER_TEST, async () => {
      const embedded = await convertOfficeToPdf(odtEmbeddingImage(picture), OFFICE)
      assert.equal(imagesIn(embedded, 'embedded.pdf'), 1)
      const linked = await convertOfficeToPdf(odtLinkingImage(`file://${secretPicture}`), OFFICE)
      assert.equal(imagesIn(linked, 'file.pdf'), 0)
      const logo = await convertOfficeToPdf(
        odtLinkingImage('file:///usr/share/pixmaps/debian-logo.png'),
        OFFICE,
      )
      assert.equal(imagesIn(logo, 'logo.pdf'), 0)
    })
  })
})
