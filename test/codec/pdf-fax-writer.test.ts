/**
 * Fax pages as PDF, checked by other programs (a missing tool fails the test): qpdf finds the
 * file sound (objects, cross-reference offsets, streams), pdfinfo sees one page per fax page at
 * its paper size, and Ghostscript rasterizes each Letter page at the fax's own resolution to
 * exactly the source pels, black where the source is black: that settles the meaning of
 * BlackIs1 (the same file with BlackIs1 true comes out as a negative). Poppler's rasterizer
 * agrees up to the placement of stroke edges (see below).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { type Bitmap, blankBitmap, isBlack } from '../../src/codec/bitmap.js'
import {
  faxImagesOfTiff,
  placeFaxImage,
  tiffToPdf,
  writeFaxPdf,
} from '../../src/codec/pdf-fax-writer.js'
import { pdfLiteralString, pdfNumber } from '../../src/codec/pdf-file.js'
import { encodeMmr } from '../../src/codec/t6.js'
import { listTiffPages } from '../../src/codec/tiff-read.js'
import { type TiffPageInput, writeTiffF } from '../../src/codec/tiff-write.js'
import { temporaryDirectory } from './checks.js'
import { invertBitmap, randomPage, typedPage } from './pages.js'

const tmp = temporaryDirectory()
after(() => tmp.remove())

/** Runs a tool that must exist and succeed; its stdout as octets. */
function tool(name: string, args: readonly string[], hint: string): Buffer {
  const result = spawnSync(name, args, { maxBuffer: 512 * 1024 * 1024 })
  if (result.error !== undefined) {
    assert.fail(`${name} could not run (${result.error.message}); install ${hint}`)
  }
  const stderr = result.stderr.toString('utf8')
  assert.equal(result.status, 0, `${name} ${args.join(' ')}: ${stderr}`)
  return result.stdout
}

function qpdfCheck(path: string): void {
  const result = spawnSync('qpdf', ['--check', path], { encoding: 'utf8' })
  if (result.error !== undefined) {
    assert.fail(`qpdf could not run (${result.error.message}); install qpdf`)
  }
  // Exit 0 with nothing on stderr: no error and no warning (qpdf exits 3 on warnings, such as
  // a cross-reference table it had to reconstruct).
  assert.equal(result.status, 0, `qpdf --check: ${result.stdout}${result.stderr}`)
  assert.equal(result.stderr, '')
  assert.match(result.stdout, /No syntax or stream encoding errors found/)
}

/** Page sizes as pdfinfo prints them, in points. */
function pageSizes(path: string): { count: number; sizes: [number, number][] } {
  const text = tool('pdfinfo', ['-f', '1', '-l', '9999', path], 'poppler-utils').toString('utf8')
  const count = Number(/^Pages:\s+(\d+)/m.exec(text)?.[1])
  const sizes = [...text.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map(
    (m): [number, number] => [Number(m[1]), Number(m[2])],
  )
  return { count, sizes }
}

/** A PBM (P4) file as a Bitmap: the same packing, 1 = black, rows padded to octets. */
function readPbm(path: string): Bitmap {
  const data = readFileSync(path)
  const fields: string[] = []
  let at = 0
  while (fields.length < 3) {
    const end = data.indexOf(0x0a, at)
    const line = data.subarray(at, end).toString('latin1')
    at = end + 1
    if (!line.startsWith('#')) {
      fields.push(...line.split(/\s+/).filter((field) => field !== ''))
    }
  }
  assert.equal(fields[0], 'P4')
  const bitmap = blankBitmap(Number(fields[1]), Number(fields[2]))
  bitmap.data.set(data.subarray(at, at + bitmap.data.length))
  return bitmap
}

/** Ghostscript's rendering of one page at xDpi × yDpi, 1 bit per pel. */
function ghostscriptPage(pdf: string, page: number, xDpi: number, yDpi: number): Bitmap {
  const out = tmp.path(`gs-${page}-${xDpi}x${yDpi}.pbm`)
  tool(
    'gs',
    [
      '-q',
      '-dNOPAUSE',
      '-dBATCH',
      '-dSAFER',
      '-sDEVICE=pbmraw',
      `-r${xDpi}x${yDpi}`,
      `-dFirstPage=${page}`,
      `-dLastPage=${page}`,
      `-sOutputFile=${out}`,
      pdf,
    ],
    'ghostscript',
  )
  return readPbm(out)
}

/** Poppler's rendering of one page in grey, thresholded at the middle grey. */
function popplerPage(pdf: string, page: number, xDpi: number, yDpi: number): Bitmap {
  const grey = tool(
    'pdftoppm',
    [
      '-rx',
      String(xDpi),
      '-ry',
      String(yDpi),
      '-gray',
      '-f',
      String(page),
      '-l',
      String(page),
      pdf,
    ],
    'poppler-utils',
  )
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(grey.subarray(0, 40).toString('latin1'))
  assert.ok(header, 'pdftoppm writes a PGM')
  const width = Number(header[1])
  const height = Number(header[2])
  const pixels = grey.subarray(header[0].length)
  const bitmap = blankBitmap(width, height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((pixels[y * width + x] ?? 255) < 128) {
        const i = y * bitmap.rowBytes + (x >> 3)
        bitmap.data[i] = (bitmap.data[i] ?? 0) | (0x80 >> (x & 7))
      }
    }
  }
  return bitmap
}

function blackCount(bitmap: Bitmap): number {
  let count = 0
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      count += isBlack(bitmap, x, y) ? 1 : 0
    }
  }
  return count
}

/**
 * Compares a rendered page with the source placed `left` pels from the left edge: every pel of
 * the source the same colour in the rendering, and the margins beside it white. Answers how
 * many pels differ.
 */
function differingPels(rendered: Bitmap, source: Bitmap, left: number): number {
  let differ = 0
  for (let y = 0; y < rendered.height; y++) {
    for (let x = 0; x < rendered.width; x++) {
      const sx = x - left
      const expected = sx >= 0 && sx < source.width && y < source.height && isBlack(source, sx, y)
      differ += isBlack(rendered, x, y) === expected ? 0 : 1
    }
  }
  return differ
}

/** The PDF's octets with one DecodeParms entry changed (same length, so offsets stay right). */
function withBlackIs1True(pdf: Uint8Array): Buffer {
  const text = Buffer.from(pdf).toString('latin1')
  assert.ok(text.includes('/BlackIs1 false'))
  return Buffer.from(text.replaceAll('/BlackIs1 false', '/BlackIs1 true '), 'latin1')
}

const LETTER_FINE = typedPage(11, 1728, 2156)
const A4_FINE = typedPage(12, 1728, 2292)
const LETTER_SUPERFINE = typedPage(13, 1728, 4312)
const LETTER_STANDARD = typedPage(14, 1728, 1078)
const SOURCE: readonly TiffPageInput[] = [
  { bitmap: LETTER_FINE, compression: 'mmr', xDpi: 204, yDpi: 196 },
  { bitmap: A4_FINE, compression: 'mmr', xDpi: 204, yDpi: 196 },
  { bitmap: LETTER_SUPERFINE, compression: 'mmr', xDpi: 204, yDpi: 392 },
  // MH, as other fax software writes it: decoded and coded again as MMR.
  { bitmap: LETTER_STANDARD, compression: 'mh', xDpi: 204, yDpi: 98 },
]

describe('fax pages as PDF', () => {
  const tiff = writeTiffF(SOURCE)
  const pdf = tiffToPdf(tiff)
  const pdfPath = tmp.path('fax.pdf')
  writeFileSync(pdfPath, pdf)

  it('is a sound PDF 1.4 file (qpdf --check)', () => {
    assert.equal(Buffer.from(pdf.subarray(0, 9)).toString('latin1'), '%PDF-1.4\n')
    qpdfCheck(pdfPath)
  })

  it('has a cross-reference entry pointing at each object', () => {
    const text = Buffer.from(pdf).toString('latin1')
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1])
    assert.equal(text.slice(startxref, startxref + 5), 'xref\n')
    const table = /^xref\n0 (\d+)\n((?:\d{10} \d{5} [fn] \n)+)trailer/m.exec(text.slice(startxref))
    assert.ok(table, 'a cross-reference table of 20-octet entries')
    const entries = (table[2] ?? '').match(/.{20}/gs) ?? []
    assert.equal(entries.length, Number(table[1]))
    entries.slice(1).forEach((entry, index) => {
      const offset = Number(entry.slice(0, 10))
      assert.equal(text.slice(offset, offset + `${index + 1} 0 obj`.length), `${index + 1} 0 obj`)
    })
  })

  it('has a page per fax page, each on its paper: Letter, A4, Letter (superfine, standard)', () => {
    const { count, sizes } = pageSizes(pdfPath)
    assert.equal(count, 4)
    const rounded = sizes.map(([w, h]) => [Math.round(w * 100) / 100, Math.round(h * 100) / 100])
    assert.deepEqual(rounded, [
      [612, 792],
      [595.28, 841.89],
      [612, 792],
      [612, 792],
    ])
  })

  it('shows each page at its physical size: 1728 pels of 1/204 inch, centred', () => {
    const place = placeFaxImage({ width: 1728, height: 2156, xDpi: 204, yDpi: 196 })
    assert.equal(place.pageWidth, 612)
    assert.equal(place.pageHeight, 792)
    assert.equal(pdfNumber(place.width), '609.8824')
    assert.equal(pdfNumber(place.x), '1.0588')
    // Not a paper's length: the page is the image, however long.
    const long = placeFaxImage({ width: 1728, height: 5000, xDpi: 204, yDpi: 196 })
    assert.deepEqual([long.x, long.y], [0, 0])
    assert.equal(long.pageHeight, (5000 * 72) / 196)
  })

  it('copies our MMR strips as they are, and codes other pages as MMR', () => {
    const images = faxImagesOfTiff(tiff)
    const pages = listTiffPages(tiff)
    const first = pages[0]?.strips[0]
    assert.ok(first)
    assert.deepEqual(images[0]?.mmr, tiff.subarray(first.offset, first.offset + first.byteCount))
    assert.deepEqual(images[3]?.mmr, encodeMmr(LETTER_STANDARD))
    assert.deepEqual(
      images.map((image) => [image.width, image.height, image.xDpi, image.yDpi]),
      [
        [1728, 2156, 204, 196],
        [1728, 2292, 204, 196],
        [1728, 4312, 204, 392],
        [1728, 1078, 204, 98],
      ],
    )
  })

  it('renders in Ghostscript to exactly the source pels, black as black (BlackIs1 false)', () => {
    // On Letter at the fax's own resolution the 612 pt page is 1734 pels: the fax's 1728
    // start 3 pels in, and every pel lands on one device pixel.
    const cases: [number, Bitmap, number][] = [
      [1, LETTER_FINE, 196],
      [3, LETTER_SUPERFINE, 392],
      [4, LETTER_STANDARD, 98],
    ]
    for (const [page, source, yDpi] of cases) {
      const rendered = ghostscriptPage(pdfPath, page, 204, yDpi)
      assert.deepEqual([rendered.width, rendered.height], [1734, source.height], `page ${page}`)
      assert.ok(blackCount(source) > 100_000, 'the page has ink')
      assert.equal(differingPels(rendered, source, 3), 0, `page ${page}`)
    }
  })

  it('renders as a negative with BlackIs1 true, which is why it is false', () => {
    const inverted = tmp.path('inverted.pdf')
    writeFileSync(inverted, withBlackIs1True(pdf))
    const rendered = ghostscriptPage(inverted, 1, 204, 196)
    const negative = invertBitmap(LETTER_FINE)
    // The image area is the negative exactly; the 3-pel margins stay white.
    assert.equal(differingPels(rendered, negative, 3), 0)
  })

  it('renders A4 1:1 in Ghostscript, the 215 mm scan line cropped to the 210 mm sheet', () => {
    const rendered = ghostscriptPage(pdfPath, 2, 204, 196)
    // 595.28 pt at 204 dpi: 1686.6 pels, rounded up by the rasterizer.
    assert.deepEqual([rendered.width, rendered.height], [1687, 2292])
    // The source's pels from 21 to 1707 are the sheet's; its ink there is the rendering's.
    // Which device column the half-pel offset (20.7 pels) rounds to is the rasterizer's choice,
    // so rows are compared as counts of black pels.
    for (const y of [100, 500, 1000, 2100]) {
      let source = 0
      let shown = 0
      for (let x = 21; x < 1707; x++) {
        source += isBlack(A4_FINE, x, y) ? 1 : 0
      }
      for (let x = 0; x < rendered.width; x++) {
        shown += isBlack(rendered, x, y) ? 1 : 0
      }
      assert.ok(Math.abs(source - shown) <= 2, `row ${y}: ${shown} black, source ${source}`)
    }
  })

  it('renders in poppler to the source pels, up to where a stroke edge falls', () => {
    // Poppler's Splash resamples images (even 1:1) with smoothing, which moves some black/white
    // edges by one pixel; thresholded at mid-grey, a pel that differs must have a neighbour
    // of the rendered colour in the source. A negative (BlackIs1 wrong) fails this everywhere.
    const rendered = popplerPage(pdfPath, 1, 204, 196)
    assert.deepEqual([rendered.width, rendered.height], [1734, 2156])
    let unexplained = 0
    for (let y = 0; y < rendered.height; y++) {
      for (let x = 0; x < rendered.width; x++) {
        const black = isBlack(rendered, x, y)
        const at = (dx: number, dy: number) => {
          const sx = x - 3 + dx
          const sy = y + dy
          const inside = sx >= 0 && sx < 1728 && sy >= 0 && sy < LETTER_FINE.height
          return inside && isBlack(LETTER_FINE, sx, sy)
        }
        if (at(0, 0) === black) {
          continue
        }
        const near = [-1, 0, 1].some((dx) => [-1, 0, 1].some((dy) => at(dx, dy) === black))
        unexplained += near ? 0 : 1
      }
    }
    assert.equal(unexplained, 0)
    const ink = blackCount(rendered) / blackCount(LETTER_FINE)
    assert.ok(ink > 0.97 && ink < 1.03, `poppler shows ${ink} times the source's ink`)
  })

  it('writes the same octets for the same pages', () => {
    assert.deepEqual(tiffToPdf(writeTiffF(SOURCE)), pdf)
  })

  it('takes pages of any width and a page with no ink', () => {
    const odd = randomPage(21, 2048, 300, { meanWhite: 40, meanBlack: 8 })
    const blank = blankBitmap(1728, 200)
    const file = tmp.path('odd.pdf')
    writeFileSync(
      file,
      writeFaxPdf([
        { width: 2048, height: 300, xDpi: 204, yDpi: 196, mmr: encodeMmr(odd) },
        { width: 1728, height: 200, xDpi: 204, yDpi: 98, mmr: encodeMmr(blank) },
      ]),
    )
    qpdfCheck(file)
    const rendered = ghostscriptPage(file, 1, 204, 196)
    assert.equal(differingPels(rendered, odd, 0), 0)
    assert.equal(blackCount(ghostscriptPage(file, 2, 204, 98)), 0)
  })
})

describe('PDF strings and numbers', () => {
  it('escapes parentheses and backslashes, and writes other octets as octal', () => {
    const octets = Uint8Array.from([...Buffer.from('a(b)c\\d', 'latin1'), 0x0a, 0xe9, 0x85])
    assert.equal(pdfLiteralString(octets), '(a\\(b\\)c\\\\d\\012\\351\\205)')
  })

  it('writes numbers without exponents and with at most four decimals', () => {
    assert.deepEqual([612, 609.88235294, 1e-7, -0.00001, 0.5, 1e21 / 1e15].map(pdfNumber), [
      '612',
      '609.8824',
      '0',
      '0',
      '0.5',
      '1000000',
    ])
  })
})
