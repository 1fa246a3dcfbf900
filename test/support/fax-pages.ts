/**
 * Fax pages for transmission tests: a short business letter drawn procedurally (a framed
 * letterhead with a logo, an address block, paragraphs of word-shaped strokes, a rule, a
 * circle, a diamond, a slanted signature and a footer), on A4 or Letter paper at fine or
 * superfine resolution, and written as TIFF-F files that spandsp (or faxd) can send.
 *
 * The layout is given in inches, so the fine and superfine variants of a page show the same
 * letter; its size follows src/rendering/fax-geometry.ts (1728 pels across; A4 fine 2292 rows,
 * Letter fine 2156, twice that at superfine). The letter is sparse on purpose: about a dozen
 * KB in MMR, so a one-page call at 14,400 bit/s stays near the 23 s that the transmission brief
 * measured for its sparse letter.
 */
import { writeFileSync } from 'node:fs'
import { type Bitmap, blankBitmap } from '../../src/codec/bitmap.js'
import { type TiffCompression } from '../../src/codec/tiff-tags.js'
import { writeTiffF } from '../../src/codec/tiff-write.js'
import { type Resolution } from '../../src/domain/outbox-entry.js'
import {
  A4,
  FAX_PAGE_WIDTH,
  HORIZONTAL_DPI,
  LETTER,
  type Paper,
  paperRows,
  verticalDpi,
} from '../../src/rendering/fax-geometry.js'
import { seededRandom } from './seeded-random.js'

export type TestPaper = 'a4' | 'letter'

export interface FaxTestPageSpec {
  readonly paper: TestPaper
  readonly resolution: Resolution
  /** Varies the words; the same seed draws the same letter. Default 1. */
  readonly seed?: number
}

/** A page and how it is to be stored. */
export interface FaxTestPage {
  readonly bitmap: Bitmap
  readonly xDpi: number
  readonly yDpi: number
}

const PAPERS: Readonly<Record<TestPaper, Paper>> = { a4: A4, letter: LETTER }

/** Draws in inches from the page's top-left corner onto a bitmap of one resolution. */
class Canvas {
  readonly bitmap: Bitmap
  readonly yDpi: number

  constructor(rows: number, yDpi: number) {
    this.bitmap = blankBitmap(FAX_PAGE_WIDTH, rows)
    this.yDpi = yDpi
  }

  private px(inches: number): number {
    return Math.round(inches * HORIZONTAL_DPI)
  }

  private row(inches: number): number {
    return Math.round(inches * this.yDpi)
  }

  /** Pixels x0..x1-1 of row y, clipped to the page. */
  private run(y: number, x0: number, x1: number): void {
    const { bitmap } = this
    if (y < 0 || y >= bitmap.height) {
      return
    }
    const base = y * bitmap.rowBytes
    for (let x = Math.max(0, x0); x < Math.min(bitmap.width, x1); x++) {
      const i = base + (x >> 3)
      bitmap.data[i] = (bitmap.data[i] ?? 0) | (0x80 >> (x & 7))
    }
  }

  /** A filled rectangle; every stroke is at least one pixel wide and one row high. */
  rect(x: number, y: number, width: number, height: number): void {
    const x0 = this.px(x)
    const x1 = Math.max(x0 + 1, this.px(x + width))
    const y0 = this.row(y)
    const y1 = Math.max(y0 + 1, this.row(y + height))
    for (let r = y0; r < y1; r++) {
      this.run(r, x0, x1)
    }
  }

  /** The outline of a rectangle, `stroke` inches thick. */
  frame(x: number, y: number, width: number, height: number, stroke: number): void {
    this.rect(x, y, width, stroke)
    this.rect(x, y + height - stroke, width, stroke)
    this.rect(x, y, stroke, height)
    this.rect(x + width - stroke, y, stroke, height)
  }

  /** A line from (x0, y0) to (x1, y1), `stroke` inches wide across. */
  line(x0: number, y0: number, x1: number, y1: number, stroke: number): void {
    const r0 = this.row(Math.min(y0, y1))
    const r1 = this.row(Math.max(y0, y1))
    for (let r = r0; r <= r1; r++) {
      const t = r1 === r0 ? 0 : (r / this.yDpi - y0) / (y1 - y0)
      const x = x0 + (x1 - x0) * Math.min(1, Math.max(0, t))
      this.run(
        r,
        this.px(x - stroke / 2),
        Math.max(this.px(x - stroke / 2) + 1, this.px(x + stroke / 2)),
      )
    }
  }

  /** A ring centred at (cx, cy): outer radius `radius`, `stroke` thick (a disc when ≥ radius). */
  ring(cx: number, cy: number, radius: number, stroke: number): void {
    const inner = Math.max(0, radius - stroke)
    for (let r = this.row(cy - radius); r <= this.row(cy + radius); r++) {
      const dy = r / this.yDpi - cy
      if (Math.abs(dy) > radius) {
        continue
      }
      const outerHalf = Math.sqrt(radius * radius - dy * dy)
      if (Math.abs(dy) >= inner) {
        this.run(r, this.px(cx - outerHalf), this.px(cx + outerHalf))
        continue
      }
      const innerHalf = Math.sqrt(inner * inner - dy * dy)
      this.run(r, this.px(cx - outerHalf), this.px(cx - innerHalf))
      this.run(r, this.px(cx + innerHalf), this.px(cx + outerHalf))
    }
  }

  /** A filled diamond centred at (cx, cy), `half` inches from the centre to each corner. */
  diamond(cx: number, cy: number, half: number): void {
    for (let r = this.row(cy - half); r <= this.row(cy + half); r++) {
      const across = half - Math.abs(r / this.yDpi - cy)
      if (across >= 0) {
        this.run(r, this.px(cx - across), Math.max(this.px(cx - across) + 1, this.px(cx + across)))
      }
    }
  }
}

/**
 * Word-shaped strokes along one line of text from `left` to at most `right`: letters 0.04–0.07
 * in wide with gaps between them, some with ascenders or descenders. Returns where it ended.
 */
function textLine(
  canvas: Canvas,
  random: ReturnType<typeof seededRandom>,
  left: number,
  right: number,
  baseline: number,
  size: number,
): number {
  let x = left
  while (x < right - 0.3) {
    const letters = random.int(2, 9)
    for (let l = 0; l < letters && x < right; l++) {
      const width = size * random.between(0.35, 0.6)
      const tall = random.chance(0.25)
      const deep = !tall && random.chance(0.1)
      const top = baseline - size * (tall ? 0.75 : 0.5)
      const bottom = baseline + (deep ? size * 0.2 : 0)
      // a letter: two stems and a bar, or a bowl-like box
      const stroke = size * 0.09
      if (random.chance(0.5)) {
        canvas.rect(x, top, stroke, bottom - top)
        canvas.rect(x + width - stroke, top, stroke, bottom - top)
        canvas.rect(x, baseline - size * 0.3, width, stroke)
      } else {
        canvas.frame(x, baseline - size * 0.5, width, size * 0.5, stroke)
        if (tall || deep) {
          canvas.rect(x + width - stroke, top, stroke, bottom - top)
        }
      }
      x += width + size * 0.12
    }
    x += size * 0.45
  }
  return x
}

/** The test letter on one paper at one resolution. */
export function faxTestPage(spec: FaxTestPageSpec): FaxTestPage {
  const paper = PAPERS[spec.paper]
  const yDpi = verticalDpi(spec.resolution)
  const canvas = new Canvas(paperRows(paper, spec.resolution), yDpi)
  const random = seededRandom(spec.seed ?? 1)
  const pageWidth = FAX_PAGE_WIDTH / HORIZONTAL_DPI
  const margin = 0.9
  const right = pageWidth - margin

  // 1. Letterhead: a frame; a logo (a ring round a disc, in a square); the sender's name.
  canvas.frame(margin, 0.6, right - margin, 1.0, 0.03)
  canvas.frame(margin + 0.15, 0.75, 0.7, 0.7, 0.05)
  canvas.ring(margin + 0.5, 1.1, 0.28, 0.06)
  canvas.ring(margin + 0.5, 1.1, 0.12, 0.12)
  textLine(canvas, random, margin + 1.1, right - 1.5, 1.0, 0.22)
  textLine(canvas, random, margin + 1.1, right - 2.5, 1.35, 0.12)

  // 2. Address block and date.
  let y = 2.2
  for (let i = 0; i < 4; i++) {
    textLine(canvas, random, margin, margin + random.between(1.5, 2.6), y, 0.12)
    y += 0.2
  }
  textLine(canvas, random, right - 1.6, right, 2.2, 0.12)

  // 3. Body: paragraphs of justified-looking lines, the last line of each short.
  y += 0.45
  for (let paragraph = 0; paragraph < 3; paragraph++) {
    const lines = random.int(3, 5)
    for (let line = 0; line < lines; line++) {
      const end = line === lines - 1 ? margin + random.between(1.5, 4) : right
      textLine(canvas, random, margin, end, y, 0.12)
      y += 0.2
    }
    y += 0.2
  }

  // 4. A rule, then shapes: a ring, a diamond, a slanted stroke.
  canvas.rect(margin, y, right - margin, 0.02)
  y += 0.5
  canvas.ring(margin + 0.6, y + 0.4, 0.4, 0.04)
  canvas.diamond(margin + 2.0, y + 0.4, 0.35)
  canvas.line(margin + 3.0, y + 0.8, margin + 4.2, y, 0.05)
  y += 1.3

  // 5. Closing and a signature scrawl.
  textLine(canvas, random, margin, margin + 1.2, y, 0.12)
  for (let i = 0; i < 8; i++) {
    const x0 = margin + 0.1 + i * 0.25
    canvas.line(x0, y + 0.55, x0 + 0.2, y + 0.25 + (i % 3) * 0.08, 0.02)
  }

  // 6. Footer: a thin rule and a line of small print near the bottom edge of this paper.
  const bottom = canvas.bitmap.height / yDpi
  canvas.rect(margin, bottom - 0.75, right - margin, 0.01)
  textLine(canvas, random, margin, right - 1, bottom - 0.55, 0.08)
  return { bitmap: canvas.bitmap, xDpi: HORIZONTAL_DPI, yDpi }
}

/** Writes the pages as one TIFF-F file (MMR unless told), as faxd and spandsp send them. */
export function writeFaxTestTiff(
  path: string,
  pages: readonly FaxTestPage[],
  compression: TiffCompression = 'mmr',
): string {
  const tiff = writeTiffF(
    pages.map((page) => ({ ...page, compression })),
    { software: 'faxd interop test', dateTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) },
  )
  writeFileSync(path, tiff)
  return path
}
