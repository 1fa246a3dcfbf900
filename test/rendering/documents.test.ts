/**
 * Every fixture document, made with real tools, renders to the right number of fax pages of
 * the right size: 1728 pels across, as many rows as its paper has at the resolution (Letter
 * 2156, A4 2292, Legal 2744 at fine; twice that at superfine), landscape pages turned upright,
 * and nothing cropped. The pages then survive our codec and libtiff unchanged.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import type { Bitmap } from '../../src/codec/bitmap.js'
import { blankBitmap, isBlack, rowOf, sameBitmap } from '../../src/codec/bitmap.js'
import { readTiff } from '../../src/codec/tiff-read.js'
import { writeTiffF } from '../../src/codec/tiff-write.js'
import { LETTER } from '../../src/rendering/fax-geometry.js'
import { renderFax } from '../../src/rendering/render-fax.js'
import { MAX_PICTURE_PIXELS } from '../../src/rendering/render-settings.js'
import { RenderingError } from '../../src/rendering/rendering-error.js'
import type { RenderSettings } from '../../src/rendering/render-settings.js'
import { assertRoundTrips } from '../codec/checks.js'
import { assertLibtiffAgrees } from '../codec/libtiff-checks.js'
import { DOCUMENTS, documentPath, readDocument } from '../support/fixtures.js'

const SETTINGS: RenderSettings = {
  paper: LETTER,
  maxPages: 250,
  maxPicturePixels: MAX_PICTURE_PIXELS,
  office: { program: 'soffice', timeoutMs: 120_000, maxMemoryBytes: 2048 * 1024 * 1024 },
}

/** Rows of a fine page by the paper's size in points (portrait, either way round). */
function fineRows([width, height]: readonly [number, number]): number {
  const long = Math.round(Math.max(width, height))
  const rows: Record<number, number> = { 792: 2156, 842: 2292, 1008: 2744 }
  const found = rows[long]
  assert.ok(found !== undefined, `no paper is ${width}×${height} pt`)
  return found
}

/**
 * The pages of each fixture, resolution and enhancement, made once: several tests look at the
 * same pages (the fixture checks, the frames, the photo's tones, the codec's round trips), and
 * only read them.
 */
const rendered = new Map<string, Promise<Bitmap[]>>()

async function render(file: string, resolution: 'fine' | 'superfine' = 'fine', enhancement = true) {
  const key = `${file} ${resolution} ${enhancement}`
  let pages = rendered.get(key)
  if (pages === undefined) {
    pages = renderFax(
      { documents: [readDocument(file)], resolution, enhancement },
      SETTINGS,
      (bitmap: Bitmap) => bitmap,
    )
    rendered.set(key, pages)
  }
  return pages
}

/** Where the ink is: the smallest box holding every black pel. */
function inkBox(bitmap: Bitmap) {
  let top = -1
  let bottom = -1
  let left = bitmap.width
  let right = -1
  for (let y = 0; y < bitmap.height; y++) {
    const row = bitmap.data.subarray(y * bitmap.rowBytes, (y + 1) * bitmap.rowBytes)
    if (row.every((octet) => octet === 0)) {
      continue
    }
    top = top < 0 ? y : top
    bottom = y
    for (let x = 0; x < bitmap.width; x++) {
      if (isBlack(bitmap, x, y)) {
        left = Math.min(left, x)
        right = Math.max(right, x)
      }
    }
  }
  return { top, bottom, left, right }
}

function inkShare(bitmap: Bitmap): number {
  let black = 0
  for (const octet of bitmap.data) {
    for (let bits = octet; bits !== 0; bits &= bits - 1) {
      black++
    }
  }
  return black / (bitmap.width * bitmap.height)
}

// Pictures without a printed size are fitted to Letter; text files are typeset on Letter.
const EXPECTED_ROWS: Record<string, number> = {
  'photo.jpg': 2156,
  'photo.png': 2156,
  'long-lines.txt': 2156,
}
// Our own typesetting of the text file (10 pt DejaVu Sans Mono on Letter), not LibreOffice's.
const EXPECTED_PAGES: Record<string, number> = { 'long-lines.txt': 6 }

describe('fixture documents become fax pages of the right number and size', () => {
  for (const fixture of DOCUMENTS) {
    it(`${fixture.file} (${fixture.kind})`, { timeout: 180_000 }, async () => {
      const pages = await render(fixture.file)
      assert.equal(pages.length, EXPECTED_PAGES[fixture.file] ?? fixture.pages)
      const sizes = fixture.pageSizesPt ?? []
      const rows = EXPECTED_ROWS[fixture.file] ?? fineRows(sizes[0] ?? [0, 0])
      for (const [index, page] of pages.entries()) {
        assert.equal(page.width, 1728, `page ${index + 1} width`)
        assert.equal(page.height, rows, `page ${index + 1} rows`)
        const share = inkShare(page)
        assert.ok(share > 0.002 && share < 0.6, `page ${index + 1} has ${share} ink`)
      }
    })
  }

  it(
    'doubles the rows at superfine (Letter 4312, A4 4584, Legal 5488)',
    { timeout: 60_000 },
    async () => {
      assert.deepEqual(
        (await render('letter.pdf', 'superfine')).map((page) => page.height),
        [4312],
      )
      assert.deepEqual(
        (await render('a4.pdf', 'superfine')).map((page) => page.height),
        [4584],
      )
      assert.deepEqual(
        (await render('legal.pdf', 'superfine')).map((page) => page.height),
        [5488],
      )
    },
  )
})

describe('nothing is cropped', () => {
  // letter.pdf, a4.pdf and legal.pdf draw a frame 10 pt inside every edge of the page. On the
  // fax page that frame must be there on all four sides, about 28 pels in from the left and
  // right of the content and 27 rows from its top and bottom.
  const cases = [
    { file: 'letter.pdf', left: 28, top: 27 },
    { file: 'a4.pdf', left: 20 + 28, top: 27 },
    { file: 'legal.pdf', left: 28, top: 27 },
  ]
  for (const { file, left, top } of cases) {
    it(`keeps the frame of ${file} on all four sides`, { timeout: 60_000 }, async () => {
      const [page] = await render(file)
      assert.ok(page)
      const ink = inkBox(page)
      const near = (actual: number, expected: number, what: string): void => {
        assert.ok(
          Math.abs(actual - expected) <= 5,
          `${what}: ink at ${actual}, frame expected near ${expected}`,
        )
      }
      near(ink.left, left, 'left')
      near(page.width - 1 - ink.right, left, 'right')
      near(ink.top, top, 'top')
      near(page.height - 1 - ink.bottom, top, 'bottom')
    })
  }

  it(
    'turns a landscape page upright: its wide table runs down the fax page',
    { timeout: 60_000 },
    async () => {
      const [page] = await render('landscape.pdf')
      assert.ok(page)
      const ink = inkBox(page)
      // The source is 842 × 595 pt; upright on A4 its long side runs down the page.
      assert.equal(page.height, 2292)
      assert.ok(ink.bottom - ink.top > ink.right - ink.left, JSON.stringify(ink))
    },
  )

  it(
    "keeps a photo's tones as dots, with enhancement or without",
    { timeout: 60_000 },
    async () => {
      const [dithered] = await render('photo.jpg', 'fine', false)
      const [enhanced] = await render('photo.jpg', 'fine', true)
      assert.ok(dithered && enhanced)
      // A dithered photo is about as dark as the photo. With enhancement, the photo is found to
      // be continuous tone and dithered too (binarizeByRegion), so it is about as dark again; a
      // threshold alone kept little but its edges and its darkest parts.
      assert.ok(inkShare(dithered) > 0.25, `dithered ink ${inkShare(dithered)}`)
      assert.ok(
        Math.abs(inkShare(enhanced) - inkShare(dithered)) < 0.05 * inkShare(dithered),
        `enhanced ink ${inkShare(enhanced)}, dithered ${inkShare(dithered)}`,
      )
    },
  )
})

describe('a page longer than Legal', () => {
  let directory: string
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'faxd-long-page-'))
  })
  after(() => {
    rmSync(directory, { recursive: true, force: true })
  })

  /**
   * A PDF of one page 8.5 × 30 in (a long receipt, a web page printed whole), made by
   * Ghostscript: black bars 0.25 in tall whose tops are 1, 15 and 29 in from the top of the page.
   */
  function longPagePdf(): Uint8Array {
    const source = join(directory, 'long.ps')
    const output = join(directory, 'long.pdf')
    const bars = [1, 15, 29].map((inches) => `0 ${(30 - inches - 0.25) * 72} 612 18 rectfill`)
    writeFileSync(
      source,
      `%!PS\n<< /PageSize [612 2160] >> setpagedevice\n${bars.join('\n')}\nshowpage\n`,
    )
    execFileSync('gs', [
      '-q',
      '-dNOPAUSE',
      '-dBATCH',
      '-dSAFER',
      '-sDEVICE=pdfwrite',
      '-o',
      output,
      source,
    ])
    return new Uint8Array(readFileSync(output))
  }

  /** The rows of `page` that are black from its left edge to its right. */
  function solidRows(page: Bitmap): number[] {
    const rows: number[] = []
    for (let y = 0; y < page.height; y++) {
      if (rowOf(page, y).every((octet) => octet === 0xff)) {
        rows.push(y)
      }
    }
    return rows
  }

  /**
   * A long page's bars on its fax pages: Legal, Legal, then Letter. At 196 rows an inch, scaled
   * by 1728/1734 to the fax line, a bar is 49 rows tall and starts 195 rows below its inch mark,
   * counted on from page to page (15 in: row 2930, the second page's 186th; 29 in: row 5665,
   * the third page's 177th); nothing is below the source's end, 372 rows into the last page.
   */
  function assertSplitBars(pages: readonly Bitmap[], kind: string): void {
    assert.deepEqual(
      pages.map((page) => [page.width, page.height]),
      [
        [1728, 2744],
        [1728, 2744],
        [1728, 2156],
      ],
      kind,
    )
    const bars = pages.map((page) => {
      const rows = solidRows(page)
      return { first: rows[0], count: rows.length }
    })
    const near = (actual: number | undefined, expected: number, what: string): void => {
      assert.ok(
        actual !== undefined && Math.abs(actual - expected) <= 2,
        `${kind}, ${what}: ${actual}, not ${expected}`,
      )
    }
    near(bars[0]?.first, 195, 'the first bar')
    near(bars[1]?.first, 186, 'the second bar')
    near(bars[2]?.first, 177, 'the third bar')
    for (const [index, bar] of bars.entries()) {
      near(bar.count, 49, `rows of bar ${index + 1}`)
    }
    assert.ok(inkBox(pages[2]!).bottom < 372, JSON.stringify(inkBox(pages[2]!)))
  }

  async function renderLong(data: Uint8Array, maxPages = SETTINGS.maxPages): Promise<Bitmap[]> {
    return renderFax(
      { documents: [data], resolution: 'fine', enhancement: true },
      { ...SETTINGS, maxPages },
      (bitmap: Bitmap) => bitmap,
    )
  }

  /** The long page's three kinds: the PDF, the 200-dpi PNG and the fine TIFF, made here. */
  async function longPages(): Promise<Record<string, Uint8Array>> {
    const width = 1700
    const height = 6000
    const pixels = Buffer.alloc(width * height, 255)
    for (const inches of [1, 15, 29]) {
      pixels.fill(0, inches * 200 * width, (inches * 200 + 50) * width)
    }
    const png = await sharp(pixels, { raw: { width, height, channels: 1 } })
      .withMetadata({ density: 200 })
      .png()
      .toBuffer()
    const page = blankBitmap(1728, 5860)
    for (const first of [195, 2930, 5665]) {
      page.data.fill(0xff, first * page.rowBytes, (first + 49) * page.rowBytes)
    }
    return {
      pdf: longPagePdf(),
      png: new Uint8Array(png),
      tiff: writeTiffF([{ bitmap: page, compression: 'mmr', xDpi: 204, yDpi: 196 }]),
    }
  }

  it('of a PDF, a scan (a PNG of 200 dpi) or a fax TIFF is split over fax pages at its own scale, not shrunk', async () => {
    for (const [kind, data] of Object.entries(await longPages())) {
      const pages = await renderLong(data)
      assertSplitBars(pages, kind)
      if (kind === 'tiff') {
        // Pel for pel: the bars on exactly the rows they had.
        assert.deepEqual(
          pages.map((part) => solidRows(part)[0]),
          [195, 186, 177],
        )
      }
    }
  })

  it('fails with the page limit, before drawing, where its parts are more than a fax may have', async () => {
    for (const [kind, data] of Object.entries(await longPages())) {
      await assert.rejects(
        renderLong(data, 2),
        (error: unknown) =>
          error instanceof RenderingError &&
          error.status === 'failed_separate_file_pages_issue' &&
          /would make 3 fax pages; a fax may have at most 2/.test(error.message),
        kind,
      )
    }
  })
})

describe('rendered pages and the codec', () => {
  it(
    'round-trips real pages through MH, MR and MMR, and libtiff agrees',
    { timeout: 120_000 },
    async () => {
      const pages = [
        ...(await render('text-letter.pdf')),
        ...(await render('scanned-page.pdf')),
        ...(await render('photo.jpg', 'fine', false)),
        ...(await render('grey-form.pdf', 'superfine')),
      ]
      for (const [index, page] of pages.entries()) {
        assertRoundTrips(`rendered page ${index + 1}`, page)
      }
      assertLibtiffAgrees(pages)
    },
  )
})

describe('bilevel fax TIFFs', () => {
  let directory: string
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'faxd-fax-tiff-'))
  })
  after(() => {
    rmSync(directory, { recursive: true, force: true })
  })

  /** Ghostscript's own fax TIFF of a fixture at the given resolution. */
  function ghostscriptFax(
    device: 'tiffg3' | 'tiffg4',
    resolution: string,
    file: string,
  ): Uint8Array {
    const output = join(directory, `${device}-${resolution}.tif`)
    execFileSync('gs', [
      '-q',
      '-dNOPAUSE',
      '-dBATCH',
      '-dSAFER',
      `-sDEVICE=${device}`,
      `-r${resolution}`,
      '-sPAPERSIZE=a4',
      '-o',
      output,
      documentPath(file),
    ])
    return new Uint8Array(readFileSync(output))
  }

  async function renderBytes(data: Uint8Array, resolution: 'fine' | 'superfine') {
    return renderFax(
      { documents: [data], resolution, enhancement: true },
      SETTINGS,
      (b: Bitmap) => b,
    )
  }

  it('passes a fine A4 fax page through pel for pel', { timeout: 60_000 }, async () => {
    const tiff = ghostscriptFax('tiffg4', '204x196', 'a4.pdf')
    const [source] = readTiff(tiff)
    const [page] = await renderBytes(tiff, 'fine')
    assert.ok(source && page)
    assert.equal(source.height, 2292)
    assert.ok(sameBitmap(page, source.bitmap), 'the rendered page differs from the fax page')
  })

  it(
    'doubles each row of a standard-resolution (204×98) fax for a fine page',
    { timeout: 60_000 },
    async () => {
      const tiff = ghostscriptFax('tiffg3', '204x98', 'a4.pdf')
      const [source] = readTiff(tiff)
      const [page] = await renderBytes(tiff, 'fine')
      assert.ok(source && page)
      assert.equal(source.yDpi, 98)
      assert.equal(page.height, 2 * source.height)
      for (let y = 0; y < source.height; y++) {
        const expected = rowOf(source.bitmap, y)
        assert.deepEqual(rowOf(page, 2 * y), expected, `row ${2 * y}`)
        assert.deepEqual(rowOf(page, 2 * y + 1), expected, `row ${2 * y + 1}`)
      }
    },
  )
})
