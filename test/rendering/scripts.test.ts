/**
 * Every script comes out as real glyphs, not empty boxes: a UTF-8 text file and a DOCX with a
 * page each of Japanese, Chinese, Arabic, Russian, Greek and Hindi (test/fixtures/scripts,
 * invented sentences) are rendered at fine as faxd renders them (the DOCX through LibreOffice),
 * and tesseract, with Debian's data for that language, must read back at least 90 % of each
 * page's characters (letters, counted as a multiset; an OCR that reads boxes reads none). Text
 * pages draw CJK with WenQuanYi Zen Hei and Devanagari with Lohit Devanagari, which the canvas
 * falls back to from DejaVu (canvas-runtime.ts); LibreOffice finds the same fonts through
 * fontconfig. A PDF in Japanese and Chinese that names Adobe's standard CJK fonts without
 * embedding them (test/support/cjk-font-pdf.ts) must read back as well: PDFium finds a stand-in
 * in the system's font folders. The fonts and the language data must be installed
 * (scripts/test.sh does it).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it, type TestContext } from 'node:test'
import type { Bitmap } from '../../src/codec/bitmap.js'
import { writeTiffF } from '../../src/codec/tiff-write.js'
import { LETTER } from '../../src/rendering/fax-geometry.js'
import { renderFax } from '../../src/rendering/render-fax.js'
import { MAX_PICTURE_PIXELS } from '../../src/rendering/render-settings.js'
import { cjkFontPdf } from '../support/cjk-font-pdf.js'
import { mapWithPool, recoveredWords, runTool } from './ocr.js'

const FIXTURES = new URL('../fixtures/scripts/', import.meta.url)
const LANGUAGES = JSON.parse(readFileSync(new URL('languages.json', FIXTURES), 'utf8')) as {
  readonly tesseract: string
  readonly text: string
}[]
/** The least share of a page's letters tesseract must read back. */
const FLOOR = 0.9

const SETTINGS = {
  paper: LETTER,
  maxPages: 250,
  maxPicturePixels: MAX_PICTURE_PIXELS,
  office: { program: 'soffice', timeoutMs: 120_000, maxMemoryBytes: 2048 * 1024 * 1024 },
}

/** The letters and digits of a text, one by one: the characters an OCR must find. */
function charactersOf(text: string): string[] {
  return [...text.normalize('NFC').replace(/[^\p{L}\p{M}\p{N}]/gu, '')]
}

async function renderPages(file: string, data: Uint8Array, dir: string): Promise<string[]> {
  const bitmaps = await renderFax<Bitmap>(
    { documents: [data], resolution: 'fine', enhancement: true },
    SETTINGS,
    (bitmap) => bitmap,
  )
  return Promise.all(
    bitmaps.map(async (bitmap, index) => {
      const path = join(dir, `${file}-${index + 1}.tif`)
      await writeFile(path, writeTiffF([{ bitmap, compression: 'mmr', xDpi: 204, yDpi: 196 }]))
      return path
    }),
  )
}

/** Each page read by tesseract in its language must give back FLOOR of its text's letters. */
async function assertReadBack(
  t: TestContext,
  file: string,
  pages: readonly string[],
  languages: readonly { readonly tesseract: string; readonly text: string }[],
): Promise<void> {
  assert.equal(pages.length, languages.length, `${file}: a page per language`)
  const texts = await mapWithPool(pages, 2, async (page) => {
    const language = languages[pages.indexOf(page)]!.tesseract
    return runTool('tesseract', [page, 'stdout', '-l', language, '--psm', '6'], {
      OMP_THREAD_LIMIT: '1',
    })
  })
  for (const [index, { tesseract, text }] of languages.entries()) {
    const reference = charactersOf(text)
    const found = recoveredWords(reference, charactersOf(texts[index] ?? ''))
    t.diagnostic(
      `${file} ${tesseract}: ${found} of ${reference.length} letters ` +
        `(${((100 * found) / reference.length).toFixed(1)} %)`,
    )
    assert.ok(
      found >= FLOOR * reference.length,
      `${file} ${tesseract}: tesseract read ${found} of ${reference.length} letters: ` +
        JSON.stringify(texts[index]),
    )
  }
}

describe('text in every script', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faxd-scripts-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  for (const file of ['scripts.txt', 'scripts.docx']) {
    // The timeout only catches a hung tool; the test asserts nothing about time.
    it(
      `${file}: tesseract reads ≥ ${FLOOR * 100} % of each language's letters`,
      { timeout: 240_000 },
      async (t) => {
        const data = new Uint8Array(readFileSync(new URL(file, FIXTURES)))
        await assertReadBack(t, file, await renderPages(file, data, dir), LANGUAGES)
      },
    )
  }

  // PDFium finds the fonts a PDF names in the system's font folders (pdfium-font-files.ts):
  // without them these pages came out blank.
  it(
    "a PDF naming Adobe's CJK fonts without embedding them: tesseract reads ≥ 90 % of each page's letters",
    { timeout: 240_000 },
    async (t) => {
      const languages = (['japanese', 'chinese'] as const).map((font) => {
        const tesseract = font === 'japanese' ? 'jpn' : 'chi_sim'
        const language = LANGUAGES.find((entry) => entry.tesseract === tesseract)
        assert.ok(language !== undefined, `languages.json has ${tesseract}`)
        return { font, ...language }
      })
      const data = cjkFontPdf(languages)
      await assertReadBack(
        t,
        'cjk-fonts.pdf',
        await renderPages('cjk-fonts.pdf', data, dir),
        languages,
      )
    },
  )
})
