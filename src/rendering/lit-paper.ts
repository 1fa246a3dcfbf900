/**
 * A document photographed rather than scanned (a phone held over a letter): its paper is not
 * white but grey, darker towards one side, and every 2-mm tile of it is mid-tones. The binarizer
 * took that for a photograph and dithered the whole page into dots, the text among them (and a
 * page of dots is several times the size of a page of text to send). Here such a page is told
 * from a photograph, and its light evened out, so that its paper is white and it is read as the
 * text it is.
 *
 * A photographed document's tiles are mostly paper, one grey level give or take the noise, many
 * with ink on them, strokes far darker than their paper; its paper is nowhere white, and its
 * light changes slowly across the page. A photograph has smooth tiles too, but few with ink on
 * a flat ground, and its tones (a sign in it too) change from tile to tile; a scan, a drawn page
 * and the text below a photo on a brochure's page have white paper. The light is evened out by
 * dividing each pixel by its paper's level, taken tile by tile (the brightest fifth's lower edge)
 * and spread smoothly over the page.
 */
import type { GreyImage } from './grey-image.js'

/** Side of the square tiles, in pixels: about 2 mm at 204 dpi. */
const TILE = 16
/** A tile's paper level: the grey that this share of its pixels are at or below. */
const PAPER_QUANTILE = 0.8
/** A tile is paper when this share of it is within PAPER_SPREAD of its level, almost none above. */
const PAPER_SHARE = 0.6
const PAPER_SPREAD = 16
const ABOVE_PAPER_SHARE = 0.02
/** Ink: darker than the tile's paper by INK_DEPTH; a tile has ink on it from INK_SHARE. */
const INK_DEPTH = 50
const INK_SHARE = 0.03
/**
 * A photographed document: this share of its tiles at least is paper with ink on it… (of the
 * tiles that are not blank, as all of a page is where a picture does not cover it)
 */
const INKED_PAPER_TILES = 0.06
/** …and this share of its pixels at most is white (from ALWAYS_WHITE of the binarizer). */
const WHITE = 216
const MAX_WHITE_SHARE = 0.3
/** The paper's level is the brightest within this many tiles (over a heading's dense ink). */
const PAPER_REACH = 2
/** The darkest paper level divided by: darker is no paper at all… */
const DARKEST_PAPER = 32
/** …nor below this share of the median tile's level: at most twice the median paper's gain. */
const MOST_GAIN = 0.5
/** Lit paper: this share of the tiles at least have their own level within SMOOTH_LIGHT of it. */
const ON_PAPER_TILES = 0.65
const SMOOTH_LIGHT = 4
/** A tile all this light is blank: the page around a picture smaller than it, not the picture. */
const BLANK = 250

/**
 * The page with its light evened out (paper white, ink dark), when it is a photographed
 * document; null for anything else, which stays as it is.
 */
export function evenedLitPaper(image: GreyImage): GreyImage | null {
  const { width, height, data } = image
  const columns = Math.ceil(width / TILE)
  const rows = Math.ceil(height / TILE)
  const levels = new Float64Array(columns * rows)
  const histogram = new Uint32Array(256)
  let inkedPaper = 0
  let white = 0
  // Tiles and pixels that are not blank.
  let tiles = 0
  let pixels = 0
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      histogram.fill(0)
      const x0 = column * TILE
      const x1 = Math.min(width, x0 + TILE)
      const y1 = Math.min(height, (row + 1) * TILE)
      for (let y = row * TILE; y < y1; y++) {
        for (let x = y * width + x0, end = y * width + x1; x < end; x++) {
          histogram[data[x]!]!++
        }
      }
      const area = (x1 - x0) * (y1 - row * TILE)
      // Pure white is left out of the level: where a picture ends inside a tile, the page
      // around it is, and the picture's paper is what is wanted (photographed paper is grey).
      const pureWhite = histogram[255]!
      const level =
        pureWhite === area ? 255 : quantile(histogram, PAPER_QUANTILE * (area - pureWhite), 254)
      if (quantile(histogram, 1) >= BLANK) {
        // No paper level of the picture's: its neighbours' are taken (paperLevels).
        levels[row * columns + column] = -1
        continue
      }
      levels[row * columns + column] = level
      tiles++
      pixels += area
      let near = 0
      let above = 0
      let ink = 0
      for (let value = 0; value < 256; value++) {
        const count = histogram[value]!
        if (value >= WHITE) {
          white += count
        }
        if (Math.abs(value - level) <= PAPER_SPREAD) {
          near += count
        } else if (value > level) {
          above += count
        } else if (value < level - INK_DEPTH) {
          ink += count
        }
      }
      if (
        // Paper that is not white: white paper with type on it is a scan's or a drawn page's.
        level < WHITE &&
        near >= PAPER_SHARE * area &&
        above <= ABOVE_PAPER_SHARE * area &&
        ink >= INK_SHARE * area
      ) {
        inkedPaper++
      }
    }
  }
  if (tiles === 0 || inkedPaper < INKED_PAPER_TILES * tiles || white > MAX_WHITE_SHARE * pixels) {
    return null
  }
  const paper = paperLevels(levels, columns, rows)
  // Light changes slowly across a page: most tiles' own level is their paper's, give or take.
  // A photograph's tones, a sign in it included, change from one tile to the next.
  const own: number[] = []
  let onPaper = 0
  for (let tile = 0; tile < levels.length; tile++) {
    const level = levels[tile]!
    if (level >= 0) {
      own.push(level)
      onPaper += Math.abs(level - paper[tile]!) <= SMOOTH_LIGHT ? 1 : 0
    }
  }
  if (onPaper < ON_PAPER_TILES * tiles) {
    return null
  }
  // What is not paper (a desk around the page, a photo on it) is brightened as much as the
  // darkest paper and no more.
  own.sort((a, b) => a - b)
  const darkest = Math.max(DARKEST_PAPER, own[own.length >> 1]! * MOST_GAIN)
  return { width, height, data: divided(image, paper, columns, rows, darkest) }
}

/**
 * Each pel of `image` divided by its paper's level, bilinear between the tiles' centres (never
 * below `darkest`), and scaled so that paper is 255.
 */
function divided(
  { width, height, data }: GreyImage,
  paper: Float64Array,
  columns: number,
  rows: number,
  darkest: number,
): Uint8Array {
  // Where each pel column lies between the tile columns' centres, worked out once.
  const left = new Int32Array(width)
  const right = new Int32Array(width)
  const towardsRight = new Float64Array(width)
  for (let x = 0; x < width; x++) {
    const fx = Math.min(columns - 1, Math.max(0, (x + 0.5) / TILE - 0.5))
    left[x] = Math.floor(fx)
    right[x] = Math.min(columns - 1, left[x]! + 1)
    towardsRight[x] = fx - left[x]!
  }
  const rowLevels = new Float64Array(columns)
  const evened = new Uint8Array(data.length)
  for (let y = 0; y < height; y++) {
    const fy = Math.min(rows - 1, Math.max(0, (y + 0.5) / TILE - 0.5))
    const above = Math.floor(fy)
    const below = Math.min(rows - 1, above + 1)
    const down = fy - above
    for (let column = 0; column < columns; column++) {
      const level =
        paper[above * columns + column]! * (1 - down) + paper[below * columns + column]! * down
      rowLevels[column] = 255 / Math.max(darkest, level)
    }
    for (let x = 0, at = y * width; x < width; x++, at++) {
      const scale =
        rowLevels[left[x]!]! * (1 - towardsRight[x]!) + rowLevels[right[x]!]! * towardsRight[x]!
      const value = data[at]! * scale
      evened[at] = value >= 255 ? 255 : (value + 0.5) | 0
    }
  }
  return evened
}

/** The least value (up to `last`) at or below which `count` of the histogram's pixels are. */
function quantile(histogram: Uint32Array, count: number, last = 255): number {
  let seen = 0
  for (let value = 0; value <= last; value++) {
    seen += histogram[value]!
    if (seen >= count) {
      return value
    }
  }
  return last
}

/**
 * Each tile's paper level: the brightest level within PAPER_REACH tiles (a tile of a heading is
 * mostly ink, its own level too dark; a blank tile, -1, has none), then averaged over its 3 × 3
 * neighbours so that the light changes smoothly; never below DARKEST_PAPER.
 */
function paperLevels(levels: Float64Array, columns: number, rows: number): Float64Array {
  const brightest = new Float64Array(levels.length)
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      // -1 for a blank tile, with no tile of the picture near (it is divided by white: unchanged).
      let level = -1
      for (let dy = -PAPER_REACH; dy <= PAPER_REACH; dy++) {
        for (let dx = -PAPER_REACH; dx <= PAPER_REACH; dx++) {
          const r = row + dy
          const c = column + dx
          if (r >= 0 && r < rows && c >= 0 && c < columns) {
            level = Math.max(level, levels[r * columns + c]!)
          }
        }
      }
      brightest[row * columns + column] = level < 0 ? 255 : level
    }
  }
  const smooth = new Float64Array(levels.length)
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      let sum = 0
      let count = 0
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const r = row + dy
          const c = column + dx
          if (r >= 0 && r < rows && c >= 0 && c < columns) {
            sum += brightest[r * columns + c]!
            count++
          }
        }
      }
      smooth[row * columns + column] = Math.max(DARKEST_PAPER, sum / count)
    }
  }
  return smooth
}
