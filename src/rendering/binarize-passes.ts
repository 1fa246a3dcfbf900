/**
 * The host of the WebAssembly of wasm/binarize.ts (binarize-passes-wasm.ts): the two passes of the text threshold that
 * touch every pixel of a page, run as WebAssembly, which V8 runs at full speed from a render's
 * first page (docs/benchmarks.md, "The binarizer and the MMR coder in WebAssembly"). This lays
 * out the module's memory for a page, copies the page in and the bitmap out; binarize.ts decides
 * everything else. One instance per thread (a page thread has its own copy of this module),
 * made when first used; its memory grows to the largest page drawn and is kept for the next.
 */
import type { Bitmap } from '../codec/bitmap.js'
import { blankBitmap } from '../codec/bitmap.js'
import type { WasmMemory } from '../shared/wasm-instance.js'
import { ensureWasmMemory, instantiateWasm, LOW_MEMORY_RESERVED } from '../shared/wasm-instance.js'
import { BINARIZE_PASSES_WASM } from './binarize-passes-wasm.js'

interface PassesExports {
  readonly memory: WasmMemory
  scan(
    words: number,
    perRow: number,
    height: number,
    blockShift: number,
    cells: number,
    rowEnds: number,
    shortfalls: number,
    midTones: number,
    tileColumns: number,
    tileShift: number,
    midLow: number,
    midHigh: number,
  ): void
  threshold(
    words: number,
    perRow: number,
    width: number,
    height: number,
    blockShift: number,
    cells: number,
    rowEnds: number,
    shortfalls: number,
    limits: number,
    out: number,
    rowBytes: number,
    reachX: number,
    reachY: number,
    alwaysBlack: number,
    alwaysWhite: number,
    contrastFraction: number,
    contrastFloor: number,
  ): void
}

/** A page as words of four grey pixels, each row a whole number of words (binarize.ts). */
export interface WordPage {
  readonly width: number
  readonly height: number
  /** Words a row: the cells of a row. */
  readonly perRow: number
  readonly words: Uint32Array
}

/** Where scan put a page's parts in the module's memory, for threshold to read. */
export interface ScannedPage {
  readonly page: WordPage
  /** Which scan this was: threshold reads only the latest (a later one overwrote the memory). */
  readonly scanNumber: number
  readonly layout: Layout
}

/** Offsets in the module's memory, in octets. */
interface Layout {
  readonly words: number
  readonly cells: number
  readonly rowEnds: number
  readonly shortfalls: number
  readonly midTones: number
  readonly limits: number
  readonly out: number
  readonly end: number
}

/** How the threshold's limits are set: binarize.ts's constants, which it documents. */
export interface ThresholdRule {
  /** Rows of a block (a block is a cell wide): 1 << blockShift. */
  readonly blockShift: number
  readonly alwaysBlack: number
  readonly alwaysWhite: number
  readonly contrastFraction: number
  readonly contrastFloor: number
}

/** Mid-tones counted per tile as the page is scanned, where they are wanted. */
export interface ToneTally {
  /** Mid-tone pixels of each tile, by rows of tiles, zeroed; filled in by scan. */
  readonly midTones: Uint32Array
  readonly columns: number
  /** A tile is 1 << tileShift pixels square. */
  readonly tileShift: number
  /** A mid-tone lies strictly between these. */
  readonly low: number
  readonly high: number
}

/** Every part of the layout starts on a multiple of 8 octets (the shortfalls are f64s). */
const align = (offset: number): number => (offset + 7) & ~7

let exports: PassesExports | undefined
let scans = 0

function passes(): PassesExports {
  exports ??= instantiateWasm<PassesExports>(BINARIZE_PASSES_WASM, 'binarize-passes.wasm')
  return exports
}

function layoutFor(page: WordPage, blockShift: number, tiles: number): Layout {
  const { width, height, perRow } = page
  const blockRows = Math.ceil(height / (1 << blockShift))
  // Nothing below LOW_MEMORY_RESERVED (wasm-instance.ts).
  const words = LOW_MEMORY_RESERVED
  const cells = align(words + perRow * height * 4)
  const rowEnds = align(cells + perRow * height * 2)
  const shortfalls = align(rowEnds + height * 4)
  const midTones = align(shortfalls + (perRow + 1) * (blockRows + 1) * 8)
  const limits = align(midTones + tiles * 4)
  const out = align(limits + perRow * blockRows * 2)
  return {
    words,
    cells,
    rowEnds,
    shortfalls,
    midTones,
    limits,
    out,
    end: out + Math.ceil(width / 8) * height,
  }
}

/**
 * Reads the page into the module and scans it: its cells that are not white, its blocks'
 * shortfalls from white, and, where `tones` is given, its tiles' mid-tones (into
 * tones.midTones).
 */
export function scanPage(
  page: WordPage,
  rule: ThresholdRule,
  tones: ToneTally | null,
): ScannedPage {
  const wasm = passes()
  // Any scan before this one is out of date from here on, even if this one fails.
  const scanNumber = ++scans
  const layout = layoutFor(page, rule.blockShift, tones?.midTones.length ?? 0)
  ensureWasmMemory(wasm.memory, layout.end)
  const memory = new Uint8Array(wasm.memory.buffer)
  const { words, perRow, height } = page
  memory.set(new Uint8Array(words.buffer, words.byteOffset, perRow * height * 4), layout.words)
  // The shortfalls and the mid-tones start at zero.
  memory.fill(0, layout.shortfalls, layout.limits)
  wasm.scan(
    layout.words,
    perRow,
    height,
    rule.blockShift,
    layout.cells,
    layout.rowEnds,
    layout.shortfalls,
    tones === null ? 0 : layout.midTones,
    tones?.columns ?? 0,
    tones?.tileShift ?? 0,
    tones?.low ?? 0,
    tones?.high ?? 0,
  )
  if (tones !== null) {
    tones.midTones.set(new Uint32Array(wasm.memory.buffer, layout.midTones, tones.midTones.length))
  }
  return { page, scanNumber, layout }
}

/**
 * The bilevel page of a scanned page by the local threshold, with neighbourhoods `reachX` blocks
 * across and `reachY` down on every side.
 */
export function thresholdPage(
  scanned: ScannedPage,
  rule: ThresholdRule,
  reachX: number,
  reachY: number,
): Bitmap {
  if (scanned.scanNumber !== scans) {
    throw new Error('a page was scanned since this one: threshold it first')
  }
  const wasm = passes()
  const { page, layout } = scanned
  const bitmap = blankBitmap(page.width, page.height)
  wasm.threshold(
    layout.words,
    page.perRow,
    page.width,
    page.height,
    rule.blockShift,
    layout.cells,
    layout.rowEnds,
    layout.shortfalls,
    layout.limits,
    layout.out,
    bitmap.rowBytes,
    reachX,
    reachY,
    rule.alwaysBlack,
    rule.alwaysWhite,
    rule.contrastFraction,
    rule.contrastFloor,
  )
  bitmap.data.set(new Uint8Array(wasm.memory.buffer, layout.out, bitmap.data.length))
  return bitmap
}
