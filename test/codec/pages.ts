/**
 * Test pages for the codec: a seeded PRNG, random pages of varied density, a procedural
 * "typed page" (text-like strokes, rules, a framed box, slanted lines), the awkward rows (all
 * black, all white, runs longer than 2560), and bitmap helpers for comparing and describing.
 */
import { type Bitmap, blankBitmap, isBlack, sameBitmap } from '../../src/codec/bitmap.js'
import { seededRandom as seededNumbers } from '../support/seeded-random.js'

/** Numbers in [0, 1) from a seed: the tests' seeded generator's `next`. */
export function seededRandom(seed: number): () => number {
  const numbers = seededNumbers(seed)
  return () => numbers.next()
}

/** Paints pixels x0..x1-1 of row y black (x clipped to the page). */
export function paintRun(bitmap: Bitmap, y: number, x0: number, x1: number): void {
  const from = Math.max(0, x0)
  const to = Math.min(bitmap.width, x1)
  const base = y * bitmap.rowBytes
  for (let x = from; x < to; x++) {
    const i = base + (x >> 3)
    bitmap.data[i] = (bitmap.data[i] ?? 0) | (0x80 >> (x & 7))
  }
}

/** Paints a filled rectangle black. */
export function paintRect(bitmap: Bitmap, x: number, y: number, w: number, h: number): void {
  for (let row = Math.max(0, y); row < Math.min(bitmap.height, y + h); row++) {
    paintRun(bitmap, row, x, x + w)
  }
}

export interface RandomPageOptions {
  /** Mean length of a white run. */
  readonly meanWhite: number
  /** Mean length of a black run. */
  readonly meanBlack: number
  /** Chance that a row copies the row above with small shifts (makes 2-D coding matter). */
  readonly similarRows?: number
}

/**
 * A page of random runs (exponentially distributed lengths, so short and very long runs both
 * occur, crossing octet boundaries anywhere). Rows 0 and 1 are all black and all white; with a
 * width over 2560 a row has a white run longer than 2560 and another a black one.
 */
export function randomPage(
  seed: number,
  width: number,
  height: number,
  options: RandomPageOptions,
): Bitmap {
  const rand = seededRandom(seed)
  const page = blankBitmap(width, height)
  const runLength = (mean: number): number => 1 + Math.floor(-Math.log(1 - rand()) * mean)
  for (let y = 0; y < height; y++) {
    if (y === 0) {
      paintRun(page, y, 0, width)
      continue
    }
    if (y === 1) {
      continue
    }
    if (y === 2 && width > 2600) {
      paintRun(page, y, 2600, width) // a white run of 2600, then black
      continue
    }
    if (y === 3 && width > 2600) {
      paintRun(page, y, 3, 3 + 2570) // a black run of 2570
      continue
    }
    if (y > 4 && rand() < (options.similarRows ?? 0)) {
      copyRowShifted(page, y, rand)
      continue
    }
    let x = rand() < 0.2 ? 0 : runLength(options.meanWhite)
    while (x < width) {
      const black = runLength(options.meanBlack)
      paintRun(page, y, x, x + black)
      x += black + runLength(options.meanWhite)
    }
  }
  return page
}

/** Row y becomes row y−1 with each pixel moved by 0…±2 per run edge (a little jitter). */
function copyRowShifted(page: Bitmap, y: number, rand: () => number): void {
  let x = 0
  let colour = false
  let start = 0
  while (x <= page.width) {
    const black = x < page.width && isBlack(page, x, y - 1)
    if (black !== colour || x === page.width) {
      if (colour) {
        const jitter = (): number => Math.floor(rand() * 5) - 2
        paintRun(page, y, start + jitter(), x + jitter())
      }
      colour = black
      start = x
    }
    x++
  }
}

/** Pixels set independently with probability p: the worst case for run-length coding. */
export function noisePage(seed: number, width: number, height: number, p: number): Bitmap {
  const rand = seededRandom(seed)
  const page = blankBitmap(width, height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (rand() < p) {
        paintRun(page, y, x, x + 1)
      }
    }
  }
  return page
}

/**
 * A page that looks like typed text: a letterhead box, lines of "words" made of glyphs drawn
 * from a random 5×7 stroke font at 3× scale, a horizontal rule, slanted lines and a signature
 * scrawl. Fine resolution A4 by default (1728 × 2292).
 */
export function typedPage(seed: number, width = 1728, height = 2292): Bitmap {
  const rand = seededRandom(seed)
  const page = blankBitmap(width, height)
  const font = Array.from({ length: 40 }, () =>
    Array.from({ length: 7 }, () => Math.floor(rand() * 32)),
  )
  // letterhead: a framed box with a filled logo
  paintRect(page, 100, 80, width - 200, 4)
  paintRect(page, 100, 260, width - 200, 4)
  paintRect(page, 100, 80, 4, 184)
  paintRect(page, width - 104, 80, 4, 184)
  paintRect(page, 140, 110, 120, 120)
  const scale = 3
  let y = 320
  while (y + 7 * scale < height - 300) {
    let x = 120
    const lineEnd = width - 120 - Math.floor(rand() * 300)
    while (x < lineEnd) {
      const letters = 2 + Math.floor(rand() * 8)
      for (let l = 0; l < letters && x < lineEnd; l++) {
        const glyph = font[Math.floor(rand() * font.length)] ?? []
        glyph.forEach((bits, row) => {
          for (let col = 0; col < 5; col++) {
            if ((bits >> (4 - col)) & 1) {
              paintRect(page, x + col * scale, y + row * scale, scale, scale)
            }
          }
        })
        x += 6 * scale
      }
      x += 4 * scale
    }
    y += rand() < 0.1 ? 60 : 36
    if (rand() < 0.05) {
      paintRect(page, 120, y, width - 240, 2)
      y += 20
    }
  }
  for (let i = 0; i < 200; i++) {
    paintRun(page, height - 250 + i, 200 + i * 2, 230 + i * 2) // slanted stroke
    paintRun(page, height - 250 + i, 900 - i * 3, 906 - i * 3)
  }
  for (let i = 0; i < 600; i++) {
    const sy = height - 150 + Math.round(30 * Math.sin(i / 20))
    paintRect(page, width - 800 + i, sy, 3, 3) // signature scrawl
  }
  return page
}

export function invertBitmap(bitmap: Bitmap): Bitmap {
  const out = blankBitmap(bitmap.width, bitmap.height)
  for (let i = 0; i < out.data.length; i++) {
    out.data[i] = ~(bitmap.data[i] ?? 0) & 0xff
  }
  const tail = bitmap.width & 7
  if (tail !== 0) {
    const mask = (0xff00 >> tail) & 0xff
    for (let y = 0; y < out.height; y++) {
      const i = y * out.rowBytes + out.rowBytes - 1
      out.data[i] = (out.data[i] ?? 0) & mask
    }
  }
  return out
}

/** "" when equal, else where the first difference is, for assertion messages. */
export function differenceOf(actual: Bitmap, expected: Bitmap): string {
  if (sameBitmap(actual, expected)) {
    return ''
  }
  if (actual.width !== expected.width || actual.height !== expected.height) {
    return `size ${actual.width}×${actual.height}, expected ${expected.width}×${expected.height}`
  }
  for (let y = 0; y < actual.height; y++) {
    for (let x = 0; x < actual.width; x++) {
      if (isBlack(actual, x, y) !== isBlack(expected, x, y)) {
        return `first difference at x=${x}, y=${y}`
      }
    }
  }
  return 'differs in the padding bits'
}

/** The pages every codec test runs on, by name. */
export function samplePages(): { name: string; bitmap: Bitmap }[] {
  // prettier-ignore
  return [
    { name: 'typed A4 fine', bitmap: typedPage(1) },
    { name: 'sparse random', bitmap: randomPage(2, 1728, 300, { meanWhite: 200, meanBlack: 6 }) },
    { name: 'mid random', bitmap: randomPage(3, 1728, 300, { meanWhite: 20, meanBlack: 10, similarRows: 0.5 }) },
    { name: 'dense random', bitmap: randomPage(4, 1728, 200, { meanWhite: 3, meanBlack: 3 }) },
    { name: 'noise 50%', bitmap: noisePage(5, 1728, 60, 0.5) },
    { name: 'width 1731 (not ×8)', bitmap: randomPage(6, 1731, 200, { meanWhite: 30, meanBlack: 8, similarRows: 0.6 }) },
    { name: 'width 13', bitmap: randomPage(7, 13, 100, { meanWhite: 3, meanBlack: 2 }) },
    { name: 'width 1', bitmap: randomPage(8, 1, 40, { meanWhite: 1, meanBlack: 1 }) },
    { name: 'width 6000, runs > 2560', bitmap: randomPage(9, 6000, 120, { meanWhite: 900, meanBlack: 700, similarRows: 0.3 }) },
    { name: 'blank A4', bitmap: blankBitmap(1728, 1143) },
    { name: 'all black', bitmap: invertBitmap(blankBitmap(1728, 50)) },
  ]
}
