/**
 * faxd's host for PDFium's WebAssembly (pdfium-runtime.ts), where the rest of the rendering tests
 * do not reach it: a C library's error inside PDFium, which Emscripten builds as a longjmp thrown
 * through the host's invoke_* functions, must end that image and not the render.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { openPdf } from '../../src/rendering/pdf-pages.js'

const SCAN = new URL('../fixtures/documents/scanned-page.pdf', import.meta.url)

/** The scan's PDF with its JPEG broken past its headers: libjpeg stops with an error there. */
function scanWithBrokenJpeg(): Uint8Array {
  const data = new Uint8Array(readFileSync(SCAN))
  const octets = Buffer.from(data.buffer, data.byteOffset, data.length)
  const image = octets.indexOf('stream', octets.indexOf('/DCTDecode')) + 'stream\n'.length
  assert.ok(image > 'stream\n'.length, 'the fixture holds a JPEG')
  data.fill(0xff, image + 20, image + 60)
  for (let at = image + 2000; at < image + 2600; at += 2) {
    data[at] = 0xff
    data[at + 1] = 0xd9
  }
  return data
}

describe('the PDFium host', () => {
  it('draws a page whose JPEG libjpeg gives up on (a longjmp), and PDFium goes on after it', async () => {
    const document = await openPdf(scanWithBrokenJpeg(), { limit: 10, used: 0 })
    try {
      const broken = document.drawPage(
        1,
        'fine',
        (page) => ({ width: page.width, height: page.height }),
        10,
      )
      assert.deepEqual(broken, [{ width: 1728, height: 2156 }])
    } finally {
      document.close()
    }
    // The same PDFium draws the intact scan afterwards: its state survived the jump.
    const intact = await openPdf(new Uint8Array(readFileSync(SCAN)), { limit: 10, used: 0 })
    try {
      const [dark = 0] = intact.drawPage(
        1,
        'fine',
        (page) => page.data.filter((v) => v < 128).length,
        10,
      )
      assert.ok(dark > 10_000, `${dark} dark pixels on the intact scan`)
    } finally {
      intact.close()
    }
  })
})
