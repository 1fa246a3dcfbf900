/**
 * An HTML file is faxed as the page it describes, not as its source: told from text by its
 * start (a DOCTYPE or an html element, after a BOM, white space and comments), laid out by
 * LibreOffice as Office documents are, its table's cells read back by tesseract with no tag
 * among them, and its embedded picture (a data: URI) drawn.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Bitmap, isBlack } from '../../src/codec/bitmap.js'
import { looksLikeHtml, sniffDocumentKind } from '../../src/domain/document-kind.js'
import { LETTER } from '../../src/rendering/fax-geometry.js'
import { renderFax } from '../../src/rendering/render-fax.js'
import { MAX_PICTURE_PIXELS, type RenderSettings } from '../../src/rendering/render-settings.js'
import sharp from 'sharp'
import { pbmOf } from '../support/pbm.js'
import { runTool } from './ocr.js'

const SETTINGS: RenderSettings = {
  paper: LETTER,
  maxPages: 250,
  maxPicturePixels: MAX_PICTURE_PIXELS,
  office: { program: 'soffice', timeoutMs: 120_000, maxMemoryBytes: 2048 * 1024 * 1024 },
}

const text = (value: string) => new TextEncoder().encode(value)

/** A 60×60 grey ramp, dark to light, as a PNG. */
async function rampPng(): Promise<Buffer> {
  const size = 60
  const pixels = Buffer.alloc(size * size)
  for (let i = 0; i < pixels.length; i++) {
    pixels[i] = Math.round(((i % size) * 200) / size)
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
    .png()
    .toBuffer()
}

async function orderPage(withPicture: boolean): Promise<Uint8Array> {
  const picture = withPicture
    ? `<p><img src="data:image/png;base64,${(await rampPng()).toString('base64')}" width="240" height="240" alt="swatch"></p>`
    : ''
  return text(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Order</title></head>
<body><h1>Purchase order 4471</h1>
<p>Please deliver the following items to the harbour office.</p>
<table border="1" cellpadding="6"><tr><th>Item</th><th>Quantity</th><th>Price</th></tr>
<tr><td>Copper wire</td><td>12</td><td>48.00</td></tr>
<tr><td>Brass hinges</td><td>30</td><td>21.50</td></tr></table>
${picture}
</body></html>`)
}

function blackPels(bitmap: Bitmap): number {
  let count = 0
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      count += isBlack(bitmap, x, y) ? 1 : 0
    }
  }
  return count
}

describe('HTML', () => {
  it('is told from text by how it starts', () => {
    for (const start of [
      '<!DOCTYPE html><html>',
      '<!doctype HTML>\n<title>x</title>',
      '  \n<html lang="en">',
      '\ufeff<!-- exported -->\n<!-- twice -->\n<html>',
    ]) {
      assert.ok(looksLikeHtml(text(start)), start)
      assert.equal(sniffDocumentKind(text(start)), 'office', start)
    }
    for (const start of [
      'Dear Sir, the page <html> is attached.',
      '<htmlx>',
      '<!-- never closed <html>',
      '<p>A fragment</p>',
    ]) {
      assert.ok(!looksLikeHtml(text(start)), start)
      assert.equal(sniffDocumentKind(text(start)), 'text', start)
    }
  })

  describe('laid out as a page', () => {
    let dir: string
    let withPicture: Bitmap[]
    let without: Bitmap[]
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'faxd-html-'))
      ;[withPicture, without] = await Promise.all([
        renderFax(
          { documents: [await orderPage(true)], resolution: 'fine', enhancement: true },
          SETTINGS,
          (b: Bitmap) => b,
        ),
        renderFax(
          { documents: [await orderPage(false)], resolution: 'fine', enhancement: true },
          SETTINGS,
          (b: Bitmap) => b,
        ),
      ])
    })
    after(async () => rm(dir, { recursive: true, force: true }))

    it('shows its table: the cells read back, and no tag', { timeout: 120_000 }, async () => {
      const page = withPicture[0]!
      const file = join(dir, 'page.pbm')
      await writeFile(file, pbmOf(page))
      const read = await runTool('tesseract', [file, 'stdout', '-l', 'eng'], {
        OMP_THREAD_LIMIT: '1',
      })
      for (const words of [
        'Purchase order 4471',
        'Copper wire',
        'Brass hinges',
        '48.00',
        '21.50',
      ]) {
        assert.ok(read.includes(words), `${words} in: ${read}`)
      }
      assert.doesNotMatch(read, /<|>|DOCTYPE|<td|table|cellpadding/i)
    })

    it('draws its embedded picture', () => {
      const total = (pages: Bitmap[]) => pages.reduce((sum, page) => sum + blackPels(page), 0)
      const added = total(withPicture) - total(without)
      // The 240-px ramp is about 2.3 cm a side: dithered, it darkens thousands of pels.
      assert.ok(added > 5000, `${added} more black pels with the picture`)
    })
  })
})
