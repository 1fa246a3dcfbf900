/**
 * A filled-in PDF form is faxed with what was filled in: the values of its text fields and its
 * ticked boxes, whether the form carries their appearances (as Acrobat writes them) or asks the
 * viewer to make them (/NeedAppearances, as many programs that fill forms write them), and as
 * printed: a field without the print flag (a Submit button) is left out, one printed but not
 * viewed is drawn. PDFium draws form fields only through its form-fill environment (pdfium.ts);
 * without it every field of every form was left blank. tesseract reads the values back from the
 * fine pages; the ticked box must leave ink inside its square. tesseract must be installed.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Bitmap } from '../../src/codec/bitmap.js'
import { writeTiffF } from '../../src/codec/tiff-write.js'
import { LETTER, placeOnFaxPages } from '../../src/rendering/fax-geometry.js'
import { renderFax } from '../../src/rendering/render-fax.js'
import { MAX_PICTURE_PIXELS } from '../../src/rendering/render-settings.js'
import { streamObject, tinyPdf } from '../support/tiny-pdf.js'
import { ocrFiles, wordsOf } from './ocr.js'

const SETTINGS = {
  paper: LETTER,
  maxPages: 250,
  maxPicturePixels: MAX_PICTURE_PIXELS,
  office: undefined,
}

/** The tick box, in PDF points from the page's bottom left. */
const BOX = { left: 200, bottom: 636, size: 14 }

/**
 * A Letter page with three fields filled in (a name, an address and a ticked box), a note field
 * to be printed and not viewed, and a Submit button not to be printed. `appearances`: each with
 * its appearance stream; else none, and /NeedAppearances true.
 */
function filledForm(appearances: boolean): Uint8Array {
  const labels =
    'BT /F1 14 Tf 72 720 Td (Patient name:) Tj 0 -40 Td (Address:) Tj 0 -40 Td (Insured:) Tj ET'
  const nameAppearance = 'q BT /F1 14 Tf 0 g 2 5 Td (Jane Example) Tj ET Q'
  const addressAppearance = 'q BT /F1 14 Tf 0 g 2 5 Td (Springfield Avenue) Tj ET Q'
  // A cross over the whole square, as a tick box's "on" appearance may be drawn.
  const tickAppearance = 'q 0 g 1.5 w 2 2 m 12 12 l S 2 12 m 12 2 l S Q'
  const noteAppearance = 'q BT /F1 14 Tf 0 g 2 5 Td (Printed copy) Tj ET Q'
  const buttonAppearance = 'q 0 g 1 w 1 1 148 18 re S BT /F1 14 Tf 20 5 Td (Submit online) Tj ET Q'
  const appearance = (object: number): string => (appearances ? `/AP << /N ${object} 0 R >>` : '')
  return tinyPdf([
    `<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R 6 0 R 7 0 R 12 0 R 13 0 R] ` +
      `${appearances ? '' : '/NeedAppearances true '}/DA (/Helv 0 Tf 0 g) ` +
      '/DR << /Font << /Helv 8 0 R >> >> >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 8 0 R >> >> ' +
      '/Contents 4 0 R /Annots [5 0 R 6 0 R 7 0 R 12 0 R 13 0 R] >>',
    streamObject(labels),
    '<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (Jane Example) ' +
      `/DA (/Helv 14 Tf 0 g) /Rect [200 712 500 732] /F 4 /P 3 0 R ${appearance(9)} >>`,
    '<< /Type /Annot /Subtype /Widget /FT /Tx /T (address) /V (Springfield Avenue) ' +
      `/DA (/Helv 14 Tf 0 g) /Rect [200 672 500 692] /F 4 /P 3 0 R ${appearance(10)} >>`,
    '<< /Type /Annot /Subtype /Widget /FT /Btn /T (insured) /V /Yes /AS /Yes ' +
      `/Rect [${BOX.left} ${BOX.bottom} ${BOX.left + BOX.size} ${BOX.bottom + BOX.size}] ` +
      '/F 4 /P 3 0 R /MK << /CA (8) >> /DA (/ZaDb 12 Tf 0 g) ' +
      `${appearances ? '/AP << /N << /Yes 11 0 R >> >>' : ''} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    streamObject(
      nameAppearance,
      '/Type /XObject /Subtype /Form /BBox [0 0 300 20] /Resources << /Font << /F1 8 0 R >> >>',
    ),
    streamObject(
      addressAppearance,
      '/Type /XObject /Subtype /Form /BBox [0 0 300 20] /Resources << /Font << /F1 8 0 R >> >>',
    ),
    streamObject(tickAppearance, '/Type /XObject /Subtype /Form /BBox [0 0 14 14]'),
    // Print and NoView (4 + 32).
    '<< /Type /Annot /Subtype /Widget /FT /Tx /T (note) /V (Printed copy) ' +
      `/DA (/Helv 14 Tf 0 g) /Rect [200 592 500 612] /F 36 /P 3 0 R ${appearance(14)} >>`,
    // No flag at all: not printed.
    '<< /Type /Annot /Subtype /Widget /FT /Btn /Ff 65536 /T (submit) ' +
      '/MK << /CA (Submit online) >> /DA (/Helv 14 Tf 0 g) /Rect [200 540 350 560] /F 0 ' +
      `/P 3 0 R ${appearance(15)} >>`,
    streamObject(
      noteAppearance,
      '/Type /XObject /Subtype /Form /BBox [0 0 300 20] /Resources << /Font << /F1 8 0 R >> >>',
    ),
    streamObject(
      buttonAppearance,
      '/Type /XObject /Subtype /Form /BBox [0 0 150 20] /Resources << /Font << /F1 8 0 R >> >>',
    ),
  ])
}

/** Black pixels of `bitmap` inside the tick box (its inner part, away from any border). */
function inkInBox(bitmap: Bitmap): number {
  const [place] = placeOnFaxPages(8.5, 11, 'fine')
  assert.ok(place !== undefined)
  const x = (points: number): number => Math.round(place.left + (points / 612) * place.contentWidth)
  const y = (points: number): number =>
    Math.round(place.top + ((792 - points) / 792) * place.contentRows)
  let ink = 0
  for (let row = y(BOX.bottom + BOX.size - 3); row < y(BOX.bottom + 3); row++) {
    for (let column = x(BOX.left + 3); column < x(BOX.left + BOX.size - 3); column++) {
      ink += ((bitmap.data[row * bitmap.rowBytes + (column >> 3)] ?? 0) >> (7 - (column & 7))) & 1
    }
  }
  return ink
}

describe('filled-in PDF forms', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faxd-forms-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  for (const appearances of [true, false]) {
    const kind = appearances ? 'with their appearances' : 'without (/NeedAppearances)'
    it(`fields ${kind}: the values and the tick are drawn`, { timeout: 120_000 }, async () => {
      const [bitmap, ...rest] = await renderFax<Bitmap>(
        { documents: [filledForm(appearances)], resolution: 'fine', enhancement: true },
        SETTINGS,
        (page) => page,
      )
      assert.ok(bitmap !== undefined)
      assert.equal(rest.length, 0)
      const file = join(dir, `form-${appearances}.tif`)
      await writeFile(file, writeTiffF([{ bitmap, compression: 'mmr', xDpi: 204, yDpi: 196 }]))
      const [text = ''] = await ocrFiles([file])
      const words = wordsOf(text)
      for (const value of ['patient', 'jane', 'example', 'springfield', 'avenue', 'printed']) {
        assert.ok(words.includes(value), `"${value}" in ${JSON.stringify(text)}`)
      }
      assert.ok(!words.includes('submit'), `no Submit button in ${JSON.stringify(text)}`)
      // The box is 14 pt, about 40 × 38 pixels; its inner 8 pt hold the tick's strokes.
      assert.ok(inkInBox(bitmap) >= 40, `ink in the ticked box: ${inkInBox(bitmap)} pixels`)
    })
  }
})
