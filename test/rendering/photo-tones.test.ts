/**
 * enhancement: true on a photograph keeps its tones: the regions of continuous tone are
 * dithered, not thresholded (binarizeByRegion). Measured as the eye sees a fax, from a little
 * way off: the mean grey of each 8×8 block of the 1-bit page against the same block of the grey
 * original, over the photo. Pages of text find no such region and come out bit for bit as the
 * text threshold makes them, so they stay exactly as legible.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Bitmap, isBlack } from '../../src/codec/bitmap.js'
import { binarizeByRegion, binarizeForText } from '../../src/rendering/binarize.js'
import type { GreyImage } from '../../src/rendering/grey-image.js'
import { renderPicturePages } from '../../src/rendering/image-pages.js'
import { openPdf } from '../../src/rendering/pdf-pages.js'
import { MAX_PICTURE_PIXELS } from '../../src/rendering/render-settings.js'
import { readDocument } from '../support/fixtures.js'

const FINE = 196 / 204
const BLOCK = 8
/** Blocks lighter than this in the original are paper around the photo, left out. */
const PAPER = 240
/** Mean absolute error of the blocks' grey, 0–255, that a photo's tones stay within. */
const TONE_ERROR_BOUND = 24

/** Mean |grey of the bitmap's block − grey of the original's block| over the photo's blocks. */
function toneError(original: GreyImage, bitmap: Bitmap): number {
  let total = 0
  let blocks = 0
  for (let by = 0; by + BLOCK <= original.height; by += BLOCK) {
    for (let bx = 0; bx + BLOCK <= original.width; bx += BLOCK) {
      let grey = 0
      let black = 0
      for (let y = by; y < by + BLOCK; y++) {
        for (let x = bx; x < bx + BLOCK; x++) {
          grey += original.data[y * original.width + x]!
          black += isBlack(bitmap, x, y) ? 1 : 0
        }
      }
      const area = BLOCK * BLOCK
      if (grey / area >= PAPER) {
        continue
      }
      total += Math.abs(grey / area - (255 * (area - black)) / area)
      blocks++
    }
  }
  assert.ok(blocks > 1000, `${blocks} blocks of photo`)
  return total / blocks
}

describe('enhancement on a photograph', () => {
  it('keeps its tones, where the text threshold alone does not', async () => {
    const pages = renderPicturePages(readDocument('photo.jpg'), 0, 'fine', {
      maxPixels: MAX_PICTURE_PIXELS,
      pages: { limit: 250, used: 0 },
    })
    const { value: grey } = await pages.next()
    assert.ok(grey)
    assert.equal((await pages.next()).done, true, 'the photo is one fax page')
    const thresholded = toneError(grey, binarizeForText(grey, FINE))
    const byRegion = toneError(grey, binarizeByRegion(grey, FINE))
    assert.ok(byRegion < TONE_ERROR_BOUND, `by region: ${byRegion.toFixed(1)}`)
    assert.ok(thresholded > TONE_ERROR_BOUND, `thresholded: ${thresholded.toFixed(1)}`)
  })

  for (const name of ['text-letter.pdf', 'grey-form.pdf', 'scanned-page.pdf', 'letter.pdf']) {
    it(`leaves a page of text (${name}) exactly as the text threshold makes it`, async () => {
      const pdf = await openPdf(readDocument(name), { limit: 250, used: 0 })
      const [[text, byRegion] = []] = pdf.drawPage(
        1,
        'fine',
        (grey) => [binarizeForText(grey, FINE), binarizeByRegion(grey, FINE)],
        250,
      )
      pdf.close()
      assert.ok(text && byRegion)
      assert.ok(Buffer.from(byRegion.data).equals(Buffer.from(text.data)))
    })
  }
})
