/**
 * The host of the WebAssembly of wasm/binarize.ts (binarize-passes-wasm.ts): the two passes of
 * the text threshold that touch every pixel of a page, run as WebAssembly, which V8 runs at full
 * speed from a render's first page (docs/benchmarks.md, "The binarizer and the MMR coder in
 * WebAssembly"). This lays out the memory the passes work in, and copies the bitmap out;
 * binarize.ts decides everything else.
 *
 * The module imports its memory. A page that lies in a WebAssembly memory with room after it
 * (a page PDFium drew: pdf-pages.ts) is read where it lies, by an instance in that memory, which
 * works in the room: copying the page into a memory of the passes' own took 0.3–1 ms a page, and
 * 4–11 ms for the first, whose copy touched the memory for the first time (docs/benchmarks.md).
 * Any other page is copied into this thread's own memory, which grows to the largest page and is
 * kept for the next. Instances are made when first needed, one per memory, on each thread (a
 * page thread has its own copy of this module).
 */
import type { Bitmap } from '../codec/bitmap.js'
import { blankBitmap } from '../codec/bitmap.js'
import type { InWasmMemory, WasmMemory, WasmModule } from '../shared/wasm-instance.js'
import {
  compileWasm,
  ensureWasmMemory,
  instantiateWasm,
  LOW_MEMORY_RESERVED,
  newWasmMemory,
} from '../shared/wasm-instance.js'
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
  /**
   * The WebAssembly memory `words` lie in, when they lie in one with room after them: read there
   * when the room is at least passesRoom's.
   */
  readonly inWasm?: InWasmMemory
}

/** Where scan put a page's parts, for threshold to read. */
export interface ScannedPage {
  readonly page: WordPage
  /** Which scan this was: threshold reads only the latest (a later one overwrote its parts). */
  readonly scanNumber: number
  /** The passes of the memory the parts lie in. */
  readonly passes: PassesExports
  readonly layout: Layout
}

/** Offsets in a memory, in octets. */
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

let compiled: WasmModule | undefined
/** The passes of each memory they have worked in on this thread. */
const instances = new WeakMap<WasmMemory, PassesExports>()
/** This thread's own memory, for the pages that lie in none with room. */
let ownMemory: WasmMemory | undefined
let scans = 0

function passesIn(memory: WasmMemory): PassesExports {
  let passes = instances.get(memory)
  if (passes === undefined) {
    compiled ??= compileWasm(BINARIZE_PASSES_WASM)
    passes = instantiateWasm<PassesExports>(compiled, 'binarize-passes.wasm', memory)
    instances.set(memory, passes)
  }
  return passes
}

/** A page's size, in pixels and in cells a row. */
interface PageShape {
  readonly width: number
  readonly height: number
  readonly perRow: number
}

/**
 * The octets the passes need after a page's words for their work, for a page of this shape:
 * the room to leave after a page drawn for them (pdf-pages.ts).
 */
export function passesRoom(page: PageShape, blockShift: number, tiles: number): number {
  const layout = layoutFor(page, blockShift, tiles, 0)
  return layout.end - page.perRow * page.height * 4
}

/** The layout of the passes' work on a page whose words are at `words` (a multiple of 8). */
function layoutFor(page: PageShape, blockShift: number, tiles: number, words: number): Layout {
  const { width, height, perRow } = page
  const blockRows = Math.ceil(height / (1 << blockShift))
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
 * Scans the page, where it lies if it can (WordPage.inWasm), else copied into this thread's own
 * memory: its cells that are not white, its blocks' shortfalls from white, and, where `tones` is
 * given, its tiles' mid-tones (into tones.midTones).
 */
export function scanPage(
  page: WordPage,
  rule: ThresholdRule,
  tones: ToneTally | null,
): ScannedPage {
  // Any scan before this one is out of date from here on, even if this one fails.
  const scanNumber = ++scans
  const tiles = tones?.midTones.length ?? 0
  const { words, perRow, height } = page
  const inPlace = readInPlace(page, rule, tiles)
  let passes: PassesExports
  let layout: Layout
  if (inPlace !== null) {
    passes = passesIn(inPlace)
    layout = layoutFor(page, rule.blockShift, tiles, words.byteOffset)
  } else {
    ownMemory ??= newWasmMemory()
    passes = passesIn(ownMemory)
    // Nothing below LOW_MEMORY_RESERVED (wasm-instance.ts).
    layout = layoutFor(page, rule.blockShift, tiles, LOW_MEMORY_RESERVED)
    ensureWasmMemory(ownMemory, layout.end)
    new Uint8Array(ownMemory.buffer).set(
      new Uint8Array(words.buffer, words.byteOffset, perRow * height * 4),
      layout.words,
    )
  }
  const memory = new Uint8Array(passes.memory.buffer)
  // The shortfalls and the mid-tones start at zero.
  memory.fill(0, layout.shortfalls, layout.limits)
  passes.scan(
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
    tones.midTones.set(
      new Uint32Array(passes.memory.buffer, layout.midTones, tones.midTones.length),
    )
  }
  return { page, scanNumber, passes, layout }
}

/**
 * The memory to read `page` in where it lies, or null: when it lies in one, on a multiple of 8
 * (where the layout's parts start), with room for the passes' work after it.
 */
function readInPlace(page: WordPage, rule: ThresholdRule, tiles: number): WasmMemory | null {
  const { inWasm, words } = page
  if (
    inWasm === undefined ||
    words.buffer !== inWasm.memory.buffer ||
    words.byteOffset % 8 !== 0 ||
    inWasm.room < passesRoom(page, rule.blockShift, tiles)
  ) {
    return null
  }
  return inWasm.memory
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
  const { page, passes, layout } = scanned
  const bitmap = blankBitmap(page.width, page.height)
  passes.threshold(
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
  bitmap.data.set(new Uint8Array(passes.memory.buffer, layout.out, bitmap.data.length))
  return bitmap
}
