/**
 * A document photographed, not scanned, is faxed as the text it is: its grey, unevenly lit paper
 * comes out white, where it was taken for a photograph and dithered into dots (lit-paper.ts).
 * The page is the fixtures' text letter, drawn at fine, under light falling from 78 % to 45 %
 * down the page, with noise (a seeded generator). tesseract must read its words back as from the
 * letter itself, and the page must be mostly white; a photograph and a scan are left alone.
 * tesseract and poppler-utils (pdftotext) must be installed.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { type Bitmap, isBlack } from '../../src/codec/bitmap.js'
import { writeTiffF } from '../../src/codec/tiff-write.js'
import { binarizeByRegion } from '../../src/rendering/binarize.js'
import type { GreyImage } from '../../src/rendering/grey-image.js'
import { renderPicturePages } from '../../src/rendering/image-pages.js'
import { evenedLitPaper } from '../../src/rendering/lit-paper.js'
import { openPdf } from '../../src/rendering/pdf-pages.js'
import { MAX_PICTURE_PIXELS } from '../../src/rendering/render-settings.js'
import { blackShare } from '../support/black-pels.js'
import { documentPath, readDocument } from '../support/fixtures.js'
import { seededRandom } from '../support/seeded-random.js'
import { ocrFiles, recoveredWords, runTool, wordsOf } from './ocr.js'

const FINE = 196 / 204

/** The first page of a fixture PDF, drawn in grey at fine (a copy of PDFium's pixels). */
async function greyPage(file: string): Promise<GreyImage> {
  const pdf = await openPdf(readDocument(file), { limit: 250, used: 0 })
  try {
    const [page] = pdf.drawPage(1, 'fine', (grey) => ({ ...grey, data: grey.data.slice() }), 1)
    assert.ok(page !== undefined)
    return page
  } finally {
    pdf.close()
  }
}

/** `page` as photographed: lit from 78 % at the top to 45 % at the bottom, with noise. */
function photographed(page: GreyImage): GreyImage {
  const random = seededRandom(15)
  const data = new Uint8Array(page.data.length)
  for (let y = 0; y < page.height; y++) {
    const light = 0.78 - (0.33 * y) / page.height
    for (let x = 0; x < page.width; x++) {
      const value = page.data[y * page.width + x]! * light + random.between(-12, 12)
      data[y * page.width + x] = Math.max(0, Math.min(255, Math.round(value)))
    }
  }
  return { width: page.width, height: page.height, data }
}

describe('a photographed document', () => {
  it('comes out as white paper and black text, and reads as the letter does', async (t) => {
    const letter = await greyPage('text-letter.pdf')
    const bitmap = binarizeByRegion(photographed(letter), FINE)
    const clean = binarizeByRegion(letter, FINE)
    // Dithered, the grey paper was about half black dots.
    t.diagnostic(
      `black: ${(100 * blackShare(bitmap)).toFixed(1)} % of the photographed page, ` +
        `${(100 * blackShare(clean)).toFixed(1)} % of the letter`,
    )
    assert.ok(blackShare(bitmap) < 2 * blackShare(clean) + 0.01, 'mostly white')

    const dir = await mkdtemp(join(tmpdir(), 'faxd-lit-paper-'))
    try {
      const files = [join(dir, 'photographed.tif'), join(dir, 'letter.tif')]
      await Promise.all(
        [bitmap, clean].map(async (page, index) =>
          writeFile(
            files[index]!,
            writeTiffF([{ bitmap: page, compression: 'mmr', xDpi: 204, yDpi: 196 }]),
          ),
        ),
      )
      const reference = wordsOf(
        await runTool('pdftotext', ['-layout', documentPath('text-letter.pdf'), '-']),
      )
      const [fromPhoto = '', fromLetter = ''] = await ocrFiles(files)
      const recovered = recoveredWords(reference, wordsOf(fromPhoto))
      const fromClean = recoveredWords(reference, wordsOf(fromLetter))
      t.diagnostic(
        `words read: ${recovered} photographed, ${fromClean} drawn, of ${reference.length}`,
      )
      assert.ok(recovered >= 0.97 * fromClean, `${recovered} words of ${fromClean}`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('smaller than the fax page, white around it: evened to its edges', async (t) => {
    const letter = await greyPage('text-letter.pdf')
    const white = { ...letter, data: new Uint8Array(letter.data.length).fill(255) }
    // The letter's top left 1200 × 1500 pels, photographed or not, in the middle of a white page.
    const framed = (page: GreyImage): Bitmap =>
      binarizeByRegion(patched(white, page, 264, 300, 1464, 1800, 1), FINE)
    // Black pels in a band 32 pels wide just inside its edges, where tiles are partly page.
    const blackInBand = (bitmap: Bitmap): number => {
      let black = 0
      for (let y = 300; y < 1800; y++) {
        for (let x = 264; x < 1464; x++) {
          if (x < 296 || x >= 1432 || y < 332 || y >= 1768) {
            black += isBlack(bitmap, x, y) ? 1 : 0
          }
        }
      }
      return black
    }
    const photographedBand = blackInBand(framed(photographed(letter)))
    const letterBand = blackInBand(framed(letter))
    t.diagnostic(`black pels in the band: ${photographedBand} photographed, ${letterBand} drawn`)
    // Dithered, the band was 40 % black: 68,000 pels.
    assert.ok(photographedBand <= 1.2 * letterBand + 2000, `${photographedBand} pels black`)
  })

  it('is told from photographs and from paper that is white, which are left as they are', async () => {
    const pages = renderPicturePages(readDocument('photo.jpg'), 0, 'fine', {
      maxPixels: MAX_PICTURE_PIXELS,
      pages: { limit: 250, used: 0 },
    })
    const { value: photo } = await pages.next()
    assert.ok(photo)
    const letter = await greyPage('text-letter.pdf')
    assert.equal(evenedLitPaper(photo), null, 'the photograph')
    assert.equal(evenedLitPaper(await greyPage('scanned-page.pdf')), null, 'the scan')
    assert.equal(evenedLitPaper(letter), null, 'the letter itself')
    // A photo above, the letter's text on white paper below: a page of a brochure.
    assert.equal(
      evenedLitPaper(
        patched(photo, letter, 0, Math.round(0.55 * photo.height), photo.width, photo.height, 1),
      ),
      null,
      'a photo with text below it',
    )
    // A sign in the photo: a block of the letter, in the photo's light.
    assert.equal(evenedLitPaper(patched(photo, letter, 300, 600, 1300, 1200, 0.6)), null, 'a sign')
    assert.notEqual(evenedLitPaper(photographed(letter)), null, 'the photographed letter')
  })
})

/**
 * `base` with its rectangle from (`left`, `top`) to (`right`, `bottom`) taken from `patch` (the
 * same pels), lit at `light`.
 */
function patched(
  base: GreyImage,
  patch: GreyImage,
  left: number,
  top: number,
  right: number,
  bottom: number,
  light: number,
): GreyImage {
  const data = base.data.slice()
  for (let y = top; y < Math.min(bottom, base.height, patch.height); y++) {
    for (let x = left; x < Math.min(right, base.width, patch.width); x++) {
      data[y * base.width + x] = Math.round(patch.data[y * patch.width + x]! * light)
    }
  }
  return { width: base.width, height: base.height, data }
}
