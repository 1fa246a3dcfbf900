/**
 * Legibility is checked, not assumed: tesseract reads our fine pages (renderFax with
 * enhancement, each page written as an MMR TIFF-F at 204 × 196 dpi by our own codec) and
 * Ghostscript's `tiffg4` rendering of the same PDF at the same resolution, with the same
 * settings (ocr.ts), and must recover at least as many of the document's words from ours, and
 * at least a floor of them, and at least as many as pdf.js's pages gave before faxd drew with
 * PDFium (`before`: issue 15 asked that no document be less legible after its change). Measured,
 * drawing with PDFium: text-letter 611 of 611, grey-form 277 of 277, scanned-page 536 of 537,
 * vector-drawing 50 of 55; with pdf.js, 611, 276, 536 and 50; Ghostscript's halftone left 611,
 * 21, 30 and 48. The reference words are pdftotext's for the born-digital
 * PDFs and, for the scan (an image PDF without a text layer), the text of the memo it was made
 * from (sources/scan-memo.fodt). Words are compared lower-cased, letters only, two or more long,
 * counted as a multiset. tesseract, Ghostscript and poppler-utils must be installed; a missing
 * tool fails the test.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Bitmap } from '../../src/codec/bitmap.js'
import { writeTiffF } from '../../src/codec/tiff-write.js'
import { LETTER } from '../../src/rendering/fax-geometry.js'
import { renderFax } from '../../src/rendering/render-fax.js'
import { MAX_PICTURE_PIXELS } from '../../src/rendering/render-settings.js'
import {
  filesStartingWith,
  flatOdtText,
  ocrFiles,
  recoveredWords,
  runTool,
  wordsOf,
} from './ocr.js'
import { ghostscriptFaxPages } from '../support/fax-tiff.js'

const FIXTURES = new URL('../fixtures/', import.meta.url)
const documentPath = (file: string): string => fileURLToPath(new URL(`documents/${file}`, FIXTURES))

interface Case {
  readonly file: string
  /** Where the reference words come from. */
  readonly reference: { readonly pdftotext: true } | { readonly fodt: string }
  /** The least share of the reference's words OCR must recover from our pages. */
  readonly floor: number
  /** The words OCR recovered from the pages pdf.js drew, before PDFium: the least from ours. */
  readonly before: number
}

const CASES: readonly Case[] = [
  // Liberation Serif 10.5 pt body: a plain letter, both renderings should read perfectly.
  { file: 'text-letter.pdf', reference: { pdftotext: true }, floor: 0.97, before: 611 },
  // 6.5–7.5 pt type at 45–60 % grey on tints: where a halftone loses the words.
  { file: 'grey-form.pdf', reference: { pdftotext: true }, floor: 0.95, before: 276 },
  // A grey JPEG "scan", skewed, tinted, blurred and noisy.
  { file: 'scanned-page.pdf', reference: { fodt: 'scan-memo.fodt' }, floor: 0.9, before: 536 },
  // A floor plan with 6–8 pt Helvetica labels between lines and hatching.
  { file: 'vector-drawing.pdf', reference: { pdftotext: true }, floor: 0.85, before: 50 },
]

const SETTINGS = {
  paper: LETTER,
  maxPages: 250,
  maxPicturePixels: MAX_PICTURE_PIXELS,
  office: { program: 'soffice', timeoutMs: 120_000, maxMemoryBytes: 2048 * 1024 * 1024 },
}

async function referenceWords(entry: Case): Promise<string[]> {
  if ('fodt' in entry.reference) {
    const xml = await readFile(new URL(`sources/${entry.reference.fodt}`, FIXTURES), 'utf8')
    return wordsOf(flatOdtText(xml))
  }
  return wordsOf(await runTool('pdftotext', ['-layout', documentPath(entry.file), '-']))
}

/** Our fine pages of the document, each written as a one-page MMR TIFF-F; their paths. */
async function writeOurPages(file: string, dir: string): Promise<string[]> {
  const data = new Uint8Array(await readFile(documentPath(file)))
  const bitmaps = await renderFax<Bitmap>(
    { documents: [data], resolution: 'fine', enhancement: true },
    SETTINGS,
    (bitmap) => bitmap,
  )
  const paths = bitmaps.map((_, index) =>
    join(dir, `ours-${String(index + 1).padStart(3, '0')}.tif`),
  )
  await Promise.all(
    bitmaps.map(async (bitmap, index) =>
      writeFile(
        paths[index] as string,
        writeTiffF([{ bitmap, compression: 'mmr', xDpi: 204, yDpi: 196 }]),
      ),
    ),
  )
  return paths
}

/** Ghostscript's fax rendering of the document at fine resolution, one file a page; their paths. */
async function writeGhostscriptPages(file: string, dir: string): Promise<string[]> {
  await ghostscriptFaxPages(documentPath(file), join(dir, 'gs-%03d.tif'))
  return filesStartingWith(dir, 'gs-')
}

const percent = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)} %`

describe('OCR legibility of fine pages, ours against Ghostscript tiffg4', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faxd-legibility-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  for (const entry of CASES) {
    // The timeout only catches a hung tool; the test asserts nothing about time.
    it(
      `${entry.file}: tesseract recovers at least as many words from ours, and ≥ ${entry.floor * 100} %`,
      { timeout: 240_000 },
      async (t) => {
        const reference = await referenceWords(entry)
        assert.ok(reference.length >= 50, `${entry.file}: ${reference.length} reference words`)
        const pageDir = await mkdtemp(join(dir, 'pages-'))
        const ours = await writeOurPages(entry.file, pageDir)
        const theirs = await writeGhostscriptPages(entry.file, pageDir)
        assert.equal(theirs.length, ours.length, `${entry.file}: the same number of pages`)

        const texts = await ocrFiles([...ours, ...theirs])
        const ourWords = recoveredWords(reference, wordsOf(texts.slice(0, ours.length).join('\n')))
        const theirWords = recoveredWords(reference, wordsOf(texts.slice(ours.length).join('\n')))
        t.diagnostic(
          `${entry.file}: ${reference.length} reference words; recovered by OCR: ours ` +
            `${ourWords} (${percent(ourWords, reference.length)}), Ghostscript tiffg4 ` +
            `${theirWords} (${percent(theirWords, reference.length)})`,
        )
        assert.ok(
          ourWords >= theirWords,
          `${entry.file}: OCR recovers ${ourWords} words from ours, ${theirWords} from Ghostscript's`,
        )
        assert.ok(
          ourWords >= entry.before,
          `${entry.file}: OCR recovers ${ourWords} words from ours, ${entry.before} from pdf.js's`,
        )
        assert.ok(
          ourWords >= entry.floor * reference.length,
          `${entry.file}: OCR recovers ${ourWords} of ${reference.length} words from ours, ` +
            `below ${entry.floor * 100} %`,
        )
      },
    )
  }
})
