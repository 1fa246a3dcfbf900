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
import { Buffer } from 'node:buffer'
import type { Bitmap } from '../codec/bitmap.js'
import { blankBitmap } from '../codec/bitmap.js'
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
 * The grey below which a pixel is ink, where its neighbourhood's mean grey is `mean`: clearly
 * darker than the mean (by CONTRAST_FRACTION of it, at least CONTRAST_FLOOR), or darker than
 * ALWAYS_BLACK; and never from ALWAYS_WHITE up. A whole number: for whole greys, `value < t`
 * and `value < ceil(t)` agree.
 */
function blackLimit(mean: number): number {
  const contrast = mean * CONTRAST_FRACTION
  const relative = mean - (contrast > CONTRAST_FLOOR ? contrast : CONTRAST_FLOOR)
  return Math.ceil(Math.min(ALWAYS_WHITE, Math.max(ALWAYS_BLACK, relative)))
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
  return thresholdText(page, scanPage(page, null), verticalStretch)
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
  const scan = scanPage(page, tones)
  const regions = toneTiles(tones)
  if (regions !== null && mayBeLit && shareOf(regions.map) >= LIT_PAPER_TONE_SHARE) {
    const evened = evenedLitPaper(image)
    if (evened !== null) {
      return binarizeRegions(evened, verticalStretch, false)
    }
  }
  const text = thresholdText(page, scan, verticalStretch)
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
/** A cell of four white pixels, read as one 32-bit word. */
const WHITE_CELL = 0xffffffff
/** Whether the first of a word's four octets in memory is its lowest (x86, Arm as Linux runs it). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1
/** Where each of a cell's four pixels, left to right, sits in its word. */
const [PIXEL_0, PIXEL_1, PIXEL_2, PIXEL_3] = LITTLE_ENDIAN ? [0, 8, 16, 24] : [24, 16, 8, 0]

/**
 * A page as words of four pixels, each row a whole number of words: a fax page's own pixels
 * (1728 or 2432 across), read in place; any other page copied with white pixels after each row.
 */
interface WordPage {
  readonly width: number
  readonly height: number
  /** Words a row: the cells of a row. */
  readonly perRow: number
  readonly words: Uint32Array
}

const PADDED = new Scratch((length) => new Uint8Array(length))

function wordPage({ width, height, data }: GreyImage): WordPage {
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

/** Side of the square blocks the neighbourhood means are taken over: a block is a cell wide. */
const BLOCK_SHIFT = 2
const BLOCK = 1 << BLOCK_SHIFT

/**
 * What one pass over a page finds, a word at a time: its cells that are not paper (92% of the
 * cells of a typical manual's page are: everything after skips them), and the shortfall from white
 * of every block, which gives the mean grey of each block's neighbourhood (BlockMeans).
 */
interface PageScan {
  /** The column of each cell that is not paper, row after row. */
  readonly cells: Uint16Array
  /** For each row, where its cells end in `cells` (and the next row's start). */
  readonly rowEnds: Int32Array
  /**
   * How far each block is below white, summed over its pixels, laid out as BlockMeans' table
   * (a row and a column of zeros first), which BlockMeans then sums in place.
   */
  readonly shortfalls: Float64Array
}

/** A row has at most 65,536 cells (262,144 pixels), far wider than any page drawn. */
const CELLS = new Scratch((length) => new Uint16Array(length))
const ROW_ENDS = new Scratch((length) => new Int32Array(length))
const SUMMED = new Scratch((length) => new Float64Array(length))
const LIMITS = new Scratch((length) => new Int16Array(length))
/** A row of paper, to compare rows with. */
let paperRow = Buffer.alloc(0)

/**
 * Reads the page once: finds its cells that are not paper, sums how far each BLOCK × BLOCK block
 * is below white, and counts the mid-tones of each tile into `tones` where they are wanted. A row
 * of paper, most rows of most pages, is passed over by one native comparison (memcmp), which also
 * spares the first page of a render process a loop of a million words before the JIT has
 * compiled it.
 */
function scanPage(page: WordPage, tones: ToneCounts | null): PageScan {
  const { height, perRow, words } = page
  const cells = CELLS.take(perRow * height, false)
  const rowEnds = ROW_ENDS.take(height, false)
  // Each block's shortfall goes where the summed-area table (BlockMeans) will hold its sum, one
  // row and one column in: the table's first row and column stay zero.
  const stride = perRow + 1
  const blockRows = Math.ceil(height / BLOCK)
  const summed = SUMMED.take(stride * (blockRows + 1), true)
  const rowOctets = perRow * CELL
  if (paperRow.length !== rowOctets) {
    paperRow = Buffer.alloc(rowOctets, 255)
  }
  const octets = Buffer.from(words.buffer, words.byteOffset, rowOctets * height)
  const midTones = tones?.midTones ?? null
  const tileColumns = tones?.columns ?? 0
  let count = 0
  for (let y = 0; y < height; y++) {
    const start = y * perRow
    if (octets.compare(paperRow, 0, rowOctets, start * CELL, (start + perRow) * CELL) !== 0) {
      const blocks = ((y >> BLOCK_SHIFT) + 1) * stride + 1
      const tiles = (y >> TILE_SHIFT) * tileColumns
      for (let column = 0; column < perRow; column++) {
        const word = words[start + column]!
        if (word === WHITE_CELL) {
          continue
        }
        cells[count++] = column
        // A block is a cell wide: the cell's four octets, summed two by two at once. The
        // shortfalls are whole numbers, so the table's sums are exact.
        const pairs = (word & 0x00ff00ff) + ((word >>> 8) & 0x00ff00ff)
        summed[blocks + column]! += 4 * 255 - ((pairs & 0xffff) + (pairs >>> 16))
        if (midTones !== null) {
          // A cell's four pixels are in one tile.
          midTones[tiles + ((column * CELL) >> TILE_SHIFT)]! += midTonesOf(word)
        }
      }
    }
    rowEnds[y] = count
  }
  return { cells, rowEnds, shortfalls: summed }
}

function thresholdText(page: WordPage, scan: PageScan, verticalStretch: number): Bitmap {
  const { width, height, perRow, words } = page
  const { cells, rowEnds } = scan
  const means = new BlockMeans(
    page,
    scan.shortfalls,
    RADIUS_ACROSS,
    Math.max(1, Math.round(RADIUS_ACROSS * verticalStretch)),
  )
  const bitmap = blankBitmap(width, height)
  const out = bitmap.data
  // Each block's limit, worked out when a pixel of it first needs it (-1 until then): the BLOCK
  // cells of a block, one in each of its rows, share its neighbourhood.
  const limits = LIMITS.take(perRow * Math.ceil(height / BLOCK), false)
  limits.fill(-1)
  for (let y = 0, k = 0; y < height; y++) {
    const end = rowEnds[y]!
    const blockRow = y >> BLOCK_SHIFT
    const blocks = blockRow * perRow
    const row = y * perRow
    const target = y * bitmap.rowBytes
    for (; k < end; k++) {
      const column = cells[k]!
      const word = words[row + column]!
      let limit = limits[blocks + column]!
      if (limit < 0) {
        limit = blackLimit(means.at(column, blockRow))
        limits[blocks + column] = limit
      }
      // Pixels from ALWAYS_WHITE up are never black, and no limit is above ALWAYS_WHITE:
      // `value < limit` alone decides.
      // Without a branch: `value - limit` is below zero, its sign bit 1, for a black pixel.
      const bits =
        (((((word >>> PIXEL_0) & 0xff) - limit) >>> 31) << 3) |
        (((((word >>> PIXEL_1) & 0xff) - limit) >>> 31) << 2) |
        (((((word >>> PIXEL_2) & 0xff) - limit) >>> 31) << 1) |
        ((((word >>> PIXEL_3) & 0xff) - limit) >>> 31)
      if (bits !== 0) {
        // Pixels 4 × column on: octet column >> 1 of the row, its high half for an even column.
        out[target + (column >> 1)]! |= (column & 1) === 0 ? bits << 4 : bits
      }
    }
  }
  return bitmap
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
class ToneCounts {
  readonly page: WordPage
  readonly columns: number
  readonly rows: number
  /** Mid-tone pixels of each tile, by rows of tiles. */
  readonly midTones: Uint32Array

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
 * How many of a word's four pixels are mid-tones: 1 for each whose value v has
 * MID_TONE_LOW < v < MID_TONE_HIGH, without a branch (a sign bit is 1 exactly when its
 * difference is below zero).
 */
function midTonesOf(word: number): number {
  return (
    isMidTone(word & 0xff) +
    isMidTone((word >>> 8) & 0xff) +
    isMidTone((word >>> 16) & 0xff) +
    isMidTone(word >>> 24)
  )
}

function isMidTone(value: number): number {
  return ((MID_TONE_LOW - value) >>> 31) & ((value - MID_TONE_HIGH) >>> 31)
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
 * Mean grey of the neighbourhood of each BLOCK×BLOCK block: the blocks within the radius on
 * every side, from a summed-area table of the blocks' shortfalls from white. Summing blocks first
 * keeps the table small (a sixteenth of the page).
 */
class BlockMeans {
  readonly #columns: number
  readonly #rows: number
  readonly #reachX: number
  readonly #reachY: number
  readonly #width: number
  readonly #height: number
  /** Summed-area table over the blocks' shortfalls from white, one extra row and column of zeros. */
  readonly #shortfalls: Float64Array

  /** `shortfalls` as scanPage leaves them, summed here in place. */
  constructor(page: WordPage, shortfalls: Float64Array, radiusX: number, radiusY: number) {
    const { width, height } = page
    // A block is a cell wide.
    const columns = page.perRow
    const rows = Math.ceil(height / BLOCK)
    this.#columns = columns
    this.#rows = rows
    this.#width = width
    this.#height = height
    this.#reachX = Math.max(1, Math.round(radiusX / BLOCK))
    this.#reachY = Math.max(1, Math.round(radiusY / BLOCK))
    const stride = columns + 1
    for (let by = 0; by < rows; by++) {
      let rowSum = 0
      const above = by * stride + 1
      const here = above + stride
      for (let bx = 0; bx < columns; bx++) {
        rowSum += shortfalls[here + bx]!
        shortfalls[here + bx] = shortfalls[above + bx]! + rowSum
      }
    }
    this.#shortfalls = shortfalls
  }

  at(column: number, row: number): number {
    const stride = this.#columns + 1
    const left = Math.max(0, column - this.#reachX)
    const right = Math.min(this.#columns, column + this.#reachX + 1)
    const top = Math.max(0, row - this.#reachY)
    const bottom = Math.min(this.#rows, row + this.#reachY + 1)
    const table = this.#shortfalls
    const shortfall =
      table[bottom * stride + right]! -
      table[top * stride + right]! -
      table[bottom * stride + left]! +
      table[top * stride + left]!
    // Blocks are BLOCK × BLOCK pixels but at the right and bottom edges.
    const area =
      (Math.min(this.#width, right * BLOCK) - left * BLOCK) *
      (Math.min(this.#height, bottom * BLOCK) - top * BLOCK)
    return (255 * area - shortfall) / area
  }
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
