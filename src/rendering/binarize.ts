/**
 * Grey pages become bilevel pages, the two ways `options.enhancement` asks for.
 *
 * - enhancement on, for text: a local-mean threshold. A pixel is black when it is clearly darker
 *   than its neighbourhood, or dark in absolute terms. Grey text on a tinted form stays text and
 *   the tint disappears, where a global threshold loses one or the other and a halftone turns
 *   small grey type into noise (reference/measurements.md: OCR recovers 0% of such words from
 *   Ghostscript's halftoned fax output, 99.8% after a local threshold). On a document's pages
 *   (binarizeByRegion), the regions of continuous tone, photographs and grey fills, are dithered
 *   instead: a threshold keeps their edges and loses their tones (a photo becomes a blotch). A
 *   photographed document, all of whose paper is grey, has its light evened out first
 *   (lit-paper.ts), so that it is not taken for a photograph.
 * - enhancement off, to keep the look: Floyd–Steinberg error diffusion, serpentine, so that
 *   greys and photos keep their tones as dot density.
 */
import type { Bitmap } from '../codec/bitmap.js'
import { blankBitmap } from '../codec/bitmap.js'
import type { ScannedPage, ThresholdRule, ToneTally, WordPage } from './binarize-passes.js'
import { passesRoom, scanPage, thresholdPage } from './binarize-passes.js'
import type { GreyImage } from './grey-image.js'
import { evenedLitPaper } from './lit-paper.js'

/**
 * Darker than this, more than half ink, is black whatever surrounds it (solid areas, bold
 * strokes). Half way and no further: in a dark neighbourhood the relative limit below falls
 * under it, so it alone decides there, and a lower one turned a pel half to two thirds ink white.
 * White type on a black bar grew by those edge pels, and small type closed up: tesseract read
 * "Form RR-12, revision 3" on grey-form.pdf's title bar as "cee nintaeateind" with 96, and
 * reads it with 128 (test/rendering/legibility.test.ts). Where the neighbourhood is paper or a
 * light tint (mean grey above 145), the relative limit is the higher one and this changes nothing.
 */
const ALWAYS_BLACK = 128
/** Lighter than this is background whatever surrounds it (paper, scanner noise, tints). */
const ALWAYS_WHITE = 216
/** How much darker than the local mean a pixel must be to be ink: a fraction and a floor. */
const CONTRAST_FRACTION = 0.12
const CONTRAST_FLOOR = 12
/** Half the side of the neighbourhood, in pixels across; about 1.5 mm at 204 dpi. It is
 * measured in whole blocks of BLOCK pixels. */
const RADIUS_ACROSS = 12

/**
 * The text threshold's rule, which binarize-passes.ts (wasm/binarize.ts) applies to each block
 * of a page: the grey below which a pixel is ink, where its neighbourhood's mean grey is `mean`,
 * is ceil(min(ALWAYS_WHITE, max(ALWAYS_BLACK, mean − max(CONTRAST_FRACTION × mean,
 * CONTRAST_FLOOR)))): clearly darker than the mean, or darker than ALWAYS_BLACK, and never from
 * ALWAYS_WHITE up.
 */
const THRESHOLD_RULE: ThresholdRule = {
  blockShift: 2,
  alwaysBlack: ALWAYS_BLACK,
  alwaysWhite: ALWAYS_WHITE,
  contrastFraction: CONTRAST_FRACTION,
  contrastFloor: CONTRAST_FLOOR,
}

/**
 * Working memory kept from one page to the next. A page's arrays here are megabytes; made anew
 * for every page, they were most of a render's memory (garbage until the collector ran) and
 * their page faults cost as much as the work on them. Binarization is synchronous, so one set
 * per thread serves (a worker thread has its own copy of this module); what `take` answers is
 * valid until the same scratch is taken again.
 */
class Scratch<
  Array extends Uint8Array | Uint16Array | Int16Array | Int32Array | Uint32Array | Float64Array,
> {
  #array: Array
  readonly #make: (length: number) => Array

  constructor(make: (length: number) => Array) {
    this.#make = make
    this.#array = make(0)
  }

  take(length: number, zeroed: boolean): Array {
    if (this.#array.length < length) {
      this.#array = this.#make(length)
      return this.#array
    }
    const view = this.#array.subarray(0, length) as Array
    if (zeroed) {
      view.fill(0)
    }
    return view
  }
}

/** A page of text or line art (a text file's, a cover page's) by the local threshold alone. */
export function binarizeForText(image: GreyImage, verticalStretch = 1): Bitmap {
  const page = wordPage(image)
  return thresholdText(scanPage(page, THRESHOLD_RULE, null), verticalStretch)
}

/**
 * A document's page with enhancement: text and line art by the local threshold
 * (binarizeForText), the regions of continuous tone dithered (ditherPreservingTones). A page
 * without such a region is exactly binarizeForText's.
 */
export function binarizeByRegion(image: GreyImage, verticalStretch = 1): Bitmap {
  return binarizeRegions(image, verticalStretch, true)
}

/**
 * binarizeByRegion; `mayBeLit`: a page that is continuous tone for the most part may be a
 * photographed document (lit-paper.ts), whose light is then evened out first.
 */
function binarizeRegions(image: GreyImage, verticalStretch: number, mayBeLit: boolean): Bitmap {
  const page = wordPage(image)
  const tones = new ToneCounts(page)
  const scan = scanPage(page, THRESHOLD_RULE, tones)
  const regions = toneTiles(tones)
  if (regions !== null && mayBeLit && shareOf(regions.map) >= LIT_PAPER_TONE_SHARE) {
    const evened = evenedLitPaper(image)
    if (evened !== null) {
      return binarizeRegions(evened, verticalStretch, false)
    }
  }
  const text = thresholdText(scan, verticalStretch)
  if (regions === null) {
    return text
  }
  const dithered = diffuseErrors(image)
  const { columns, map } = regions
  for (let y = 0; y < image.height; y++) {
    const tileRow = ((y / TILE) | 0) * columns
    const row = y * text.rowBytes
    for (let x = 0; x < image.width; x += 8) {
      // Tiles are whole octets wide (TILE is a multiple of 8).
      if (map[tileRow + ((x / TILE) | 0)] === 1) {
        text.data[row + (x >> 3)] = dithered.data[row + (x >> 3)] ?? 0
      }
    }
  }
  return text
}

/**
 * A page of which at least this share is continuous tone may be a photographed document (which
 * may not fill the page). Below it, the page is not looked at again: most pages are not.
 */
const LIT_PAPER_TONE_SHARE = 0.2

/** The share of a tile map's tiles that are set. */
function shareOf(map: Uint8Array): number {
  let set = 0
  for (const tile of map) {
    set += tile
  }
  return set / map.length
}

/**
 * A document's page as `options.enhancement` asks: by region (text thresholded, continuous tone
 * dithered) when on, dithered throughout when off.
 */
export function binarizeDocumentPage(
  image: GreyImage,
  enhancement: boolean,
  verticalStretch: number,
): Bitmap {
  return enhancement ? binarizeByRegion(image, verticalStretch) : ditherPreservingTones(image)
}

/** Pixels across in a cell: a row's pixels are read in cells of four from its start. */
const CELL = 4
const PADDED = new Scratch((length) => new Uint8Array(length))

/**
 * A page as words of four pixels, each row a whole number of words: a fax page's own pixels
 * (1728 or 2432 across), read in place; any other page copied with white pixels after each row.
 */
function wordPage({ width, height, data, inWasm }: GreyImage): WordPage {
  const perRow = Math.ceil(width / CELL)
  if (perRow > 0x10000) {
    throw new RangeError(`a page ${width} pixels across is wider than binarization reads`)
  }
  if (width % CELL === 0 && data.byteOffset % 4 === 0) {
    return {
      width,
      height,
      perRow,
      words: new Uint32Array(data.buffer, data.byteOffset, perRow * height),
      ...(inWasm === undefined ? {} : { inWasm }),
    }
  }
  const rowOctets = perRow * CELL
  const padded = PADDED.take(rowOctets * height, false)
  for (let y = 0; y < height; y++) {
    padded.set(data.subarray(y * width, (y + 1) * width), y * rowOctets)
    padded.fill(255, y * rowOctets + width, (y + 1) * rowOctets)
  }
  return { width, height, perRow, words: new Uint32Array(padded.buffer, 0, perRow * height) }
}

/**
 * The octets to leave free after the pixels of a page `width` × `height` drawn into a
 * WebAssembly memory (GreyImage.inWasm), for this binarizer to work there without copying the
 * page (binarize-passes.ts).
 */
export function binarizingRoom(width: number, height: number): number {
  const perRow = Math.ceil(width / CELL)
  const tiles = Math.ceil(width / TILE) * Math.ceil(height / TILE)
  return passesRoom({ width, height, perRow }, THRESHOLD_RULE.blockShift, tiles)
}

/** Side of the square blocks the neighbourhood means are taken over: a block is a cell wide. */
const BLOCK = 1 << THRESHOLD_RULE.blockShift

/**
 * The bilevel page by the local threshold: each pixel against the mean grey of the blocks within
 * RADIUS_ACROSS pixels across (and as many lines down, times the page's vertical stretch) on
 * every side of its block, by THRESHOLD_RULE.
 */
function thresholdText(scan: ScannedPage, verticalStretch: number): Bitmap {
  const radiusDown = Math.max(1, Math.round(RADIUS_ACROSS * verticalStretch))
  const reach = (radius: number): number => Math.max(1, Math.round(radius / BLOCK))
  return thresholdPage(scan, THRESHOLD_RULE, reach(RADIUS_ACROSS), reach(radiusDown))
}

const HISTOGRAM = new Scratch((length) => new Uint32Array(length))
const MID_TONES = new Scratch((length) => new Uint32Array(length))
const SHARES = new Scratch((length) => new Float64Array(length))
const MODES = new Scratch((length) => new Int32Array(length))
const VARYING = new Scratch((length) => new Uint8Array(length))
const TONE_MAP = new Scratch((length) => new Uint8Array(length))
const SEEN = new Scratch((length) => new Uint8Array(length))

/** Side of the square tiles a page is sorted into text and continuous tone by, about 2 mm. */
const TILE_SHIFT = 4
const TILE = 1 << TILE_SHIFT
/** Mid-tones: neither ink nor paper (nor a light tint, which the text threshold drops). */
const MID_TONE_LOW = 24
const MID_TONE_HIGH = 200
/**
 * The shares of a tile's pixels that are mid-tones for it to be continuous tone, and for a tile
 * beside such a region to join it; and how many of its 8 neighbours must be tone like it. Type,
 * even anti-aliased and bold, keeps most of its pixels at paper or ink: its tiles stay under.
 */
const TONE_SHARE = 0.5
const TONE_NEIGHBOURS = 3
const EDGE_SHARE = 0.2

/** Mid-tones are counted in bins this wide, to find each tile's commonest tone. */
const BIN_SHIFT = 3
const BINS = 256 >> BIN_SHIFT
/** A region of continuous tone smaller than this many tiles (about 1 cm²) is left as text. */
const MIN_REGION_TILES = 24

/**
 * Mid-tones counted tile by tile as a page is scanned: how many each tile has. Which tone is a
 * tile's commonest is asked of the few tiles that are mostly mid-tones, and read from the page
 * then: binned for every tile as the page was scanned, the tones were a third of its work.
 */
class ToneCounts implements ToneTally {
  readonly page: WordPage
  readonly columns: number
  readonly rows: number
  /** Mid-tone pixels of each tile, by rows of tiles. */
  readonly midTones: Uint32Array
  readonly tileShift = TILE_SHIFT
  readonly low = MID_TONE_LOW
  readonly high = MID_TONE_HIGH

  constructor(page: WordPage) {
    this.page = page
    this.columns = Math.ceil(page.width / TILE)
    this.rows = Math.ceil(page.height / TILE)
    this.midTones = MID_TONES.take(this.columns * this.rows, true)
  }

  /** The commonest bin of mid-tones of `tile` (the first of the commonest, counted in BINS). */
  commonestBin(tile: number): number {
    const { height, perRow, words } = this.page
    const histogram = HISTOGRAM.take(BINS, true)
    const column = tile % this.columns
    const row = (tile / this.columns) | 0
    const firstCell = (column * TILE) / CELL
    const endCell = Math.min(perRow, firstCell + TILE / CELL)
    for (let y = row * TILE, end = Math.min(height, y + TILE); y < end; y++) {
      for (let cell = firstCell; cell < endCell; cell++) {
        const word = words[y * perRow + cell]!
        for (let shift = 0; shift < 32; shift += 8) {
          const value = (word >>> shift) & 0xff
          if (value > MID_TONE_LOW && value < MID_TONE_HIGH) {
            histogram[value >> BIN_SHIFT]!++
          }
        }
      }
    }
    let mode = 0
    for (let bin = 1; bin < BINS; bin++) {
      if (histogram[bin]! > histogram[mode]!) {
        mode = bin
      }
    }
    return mode
  }
}

/**
 * Which tiles are continuous tone (1), by columns; null when none is. A tile is when at least
 * TONE_SHARE of it is mid-tones and its commonest tone differs from a neighbour's that is mostly
 * mid-tones too: a photograph's tones change from one 2-mm tile to the next, where a tint or a
 * fill behind type (a form's grey rows, a dark title bar with white letters) is the same tone
 * throughout, and stays with the text threshold, which keeps the type. Such tiles with at least
 * TONE_NEIGHBOURS like them around, in a region of MIN_REGION_TILES or more, are the regions;
 * each grows over the tiles beside it that are partly tone (a photo's flat parts, its border on
 * the paper) and takes in the tiles it surrounds.
 */
function toneTiles(tones: ToneCounts): { map: Uint8Array; columns: number } | null {
  const { columns, rows, midTones } = tones
  const { width, height } = tones.page
  const tiles = columns * rows
  // Each tile's share of mid-tones, and its commonest mid-tone bin (-1: mostly not mid-tones).
  const shares = SHARES.take(tiles, true)
  const modes = MODES.take(tiles, false).fill(-1)
  let mostlyMidTones = 0
  for (let tile = 0; tile < tiles; tile++) {
    const mid = midTones[tile]!
    if (mid === 0) {
      continue
    }
    const column = tile % columns
    const row = (tile / columns) | 0
    const area = Math.min(TILE, width - column * TILE) * Math.min(TILE, height - row * TILE)
    shares[tile] = mid / area
    if (shares[tile]! < TONE_SHARE) {
      continue
    }
    modes[tile] = tones.commonestBin(tile)
    mostlyMidTones++
  }
  // No tile mostly mid-tones, none varying, no region: most pages of text end here, without the
  // passes below (on a render's first pages, before V8 has optimised them, about 0.5 ms a page).
  if (mostlyMidTones === 0) {
    return null
  }
  const at = (column: number, row: number): number =>
    column < 0 || row < 0 || column >= columns || row >= rows ? -1 : row * columns + column
  const around = (tile: number, reach: readonly (readonly [number, number])[]): number[] => {
    const column = tile % columns
    const row = (tile / columns) | 0
    return reach.map(([dx, dy]) => at(column + dx, row + dy)).filter((other) => other >= 0)
  }
  const SIDES = [
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
  ] as const
  const RING = [...SIDES, [1, 1], [1, -1], [-1, 1], [-1, -1]] as const

  const varying = VARYING.take(tiles, true)
  for (let tile = 0; tile < tiles; tile++) {
    const mode = modes[tile]!
    if (
      mode >= 0 &&
      around(tile, SIDES).some((other) => modes[other]! >= 0 && modes[other] !== mode)
    ) {
      varying[tile] = 1
    }
  }
  const map = TONE_MAP.take(tiles, true)
  for (let tile = 0; tile < tiles; tile++) {
    if (varying[tile] === 1) {
      const like = around(tile, RING).filter((other) => varying[other] === 1).length
      map[tile] = like >= TONE_NEIGHBOURS ? 1 : 0
    }
  }
  // Regions too small to be a picture (a cluster of dense grey type) go back to the text.
  const seen = SEEN.take(tiles, true)
  let any = false
  for (let start = 0; start < tiles; start++) {
    if (map[start] !== 1 || seen[start] === 1) {
      continue
    }
    const region = [start]
    seen[start] = 1
    for (let k = 0; k < region.length; k++) {
      for (const other of around(region[k]!, SIDES)) {
        if (map[other] === 1 && seen[other] === 0) {
          seen[other] = 1
          region.push(other)
        }
      }
    }
    if (region.length < MIN_REGION_TILES) {
      for (const tile of region) {
        map[tile] = 0
      }
    } else {
      any = true
    }
  }
  if (!any) {
    return null
  }
  // The regions grow over the tiles beside them that are partly tone (a photo's flat parts,
  // its border on the paper), then take in the tiles they surround.
  const queue: number[] = []
  for (let tile = 0; tile < tiles; tile++) {
    if (map[tile] === 1) {
      queue.push(tile)
    }
  }
  for (let k = 0; k < queue.length; k++) {
    for (const other of around(queue[k]!, RING)) {
      if (map[other] === 0 && shares[other]! >= EDGE_SHARE) {
        map[other] = 1
        queue.push(other)
      }
    }
  }
  for (let tile = 0; tile < tiles; tile++) {
    if (map[tile] === 0 && around(tile, SIDES).every((other) => map[other] === 1)) {
      map[tile] = 1
    }
  }
  return { map, columns }
}

/**
 * Floyd–Steinberg error diffusion. A page that is black and white already (a fax TIFF placed as
 * it came) carries no error to diffuse, so each pixel stays as it is: that is packed directly,
 * about five times faster, with the same bits.
 */
export function ditherPreservingTones(image: GreyImage): Bitmap {
  return isBlackAndWhite(image) ? packBlackAndWhite(image) : diffuseErrors(image)
}

function isBlackAndWhite({ data }: GreyImage): boolean {
  for (let i = 0; i < data.length; i++) {
    const value = data[i]
    if (value !== 0 && value !== 255) {
      return false
    }
  }
  return true
}

function packBlackAndWhite({ width, height, data }: GreyImage): Bitmap {
  const bitmap = blankBitmap(width, height)
  const out = bitmap.data
  for (let y = 0; y < height; y++) {
    const source = y * width
    const target = y * bitmap.rowBytes
    for (let x = 0; x < width; x++) {
      if (data[source + x] === 0) {
        const index = target + (x >> 3)
        out[index] = (out[index] ?? 0) | (0x80 >> (x & 7))
      }
    }
  }
  return bitmap
}

/** Weights 7/16 ahead, 3/16 behind-below, 5/16 below, 1/16 ahead-below; rows serpentine. */
function diffuseErrors(image: GreyImage): Bitmap {
  const { width, height, data } = image
  const bitmap = blankBitmap(width, height)
  const out = bitmap.data
  // Error carried into the current and the next row, in 1/16 units, with a guard cell each side.
  let current = new Int32Array(width + 2)
  let next = new Int32Array(width + 2)
  for (let y = 0; y < height; y++) {
    const leftToRight = y % 2 === 0
    const step = leftToRight ? 1 : -1
    const source = y * width
    const target = y * bitmap.rowBytes
    for (let i = 0; i < width; i++) {
      const x = leftToRight ? i : width - 1 - i
      const cell = x + 1
      const wanted = (data[source + x] ?? 255) + (current[cell] ?? 0) / 16
      const black = wanted < 128
      const error = Math.round(wanted - (black ? 0 : 255))
      if (black) {
        const index = target + (x >> 3)
        out[index] = (out[index] ?? 0) | (0x80 >> (x & 7))
      }
      current[cell + step] = (current[cell + step] ?? 0) + error * 7
      next[cell - step] = (next[cell - step] ?? 0) + error * 3
      next[cell] = (next[cell] ?? 0) + error * 5
      next[cell + step] = (next[cell + step] ?? 0) + error
    }
    ;[current, next] = [next, current]
    next.fill(0)
  }
  return bitmap
}
