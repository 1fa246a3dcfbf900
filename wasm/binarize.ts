/**
 * The two passes of binarize.ts's local-mean threshold that touch every pixel of a page, in
 * WebAssembly (AssemblyScript, compiled by scripts/build-wasm.mjs into
 * src/rendering/binarize-passes-wasm.ts). V8 compiles this module in well under a millisecond
 * when a render process loads it, and runs it at full speed from the first page, where the same
 * loops in JavaScript ran up to eight times slower on a render's first pages until V8 had
 * optimised them (docs/benchmarks.md, "The binarizer and the MMR coder in WebAssembly"). The
 * host, src/rendering/binarize-passes.ts, lays out the memory and copies the bitmap out;
 * binarize.ts keeps everything else: the tone tiles, photographed paper, dithering. The bits are
 * the same as the JavaScript passes gave.
 *
 * The memory is imported: PDFium's, where a page PDFium drew lies, or one of the host's own.
 * Every pointer below is an offset into it, none below 1024 (wasm/README.md), and nothing here
 * allocates or writes outside the parts the host laid out. A page is read as words of four grey pixels (a cell); see
 * binarize.ts for the meaning of cells, blocks, shortfalls, tiles and limits.
 */

/** A cell of four white pixels. */
const WHITE_CELL: u32 = 0xffffffff
/** 1 when low < value < high, else 0, without a branch. */
function isBetween(value: i32, low: i32, high: i32): u32 {
  return ((low - value) >>> 31) & ((value - high) >>> 31)
}

/**
 * Reads the page once (binarize.ts, scanPage): lists each row's cells that are not white at
 * `cells` (u16 columns, row after row) and where each row's list ends at `rowEnds` (i32); adds
 * each block's shortfall from white into `shortfalls` (f64, laid out as the summed-area table
 * with a row and a column of zeros first: zeroed by the caller; a block is a cell wide and
 * 1 << `blockShift` rows high); and, where `midTones` is not 0,
 * counts each tile's mid-tone pixels there (u32, `tileColumns` a row, zeroed by the caller): a
 * tile is 1 << `tileShift` pixels square, and a mid-tone lies between `midLow` and `midHigh`.
 */
export function scan(
  words: usize,
  perRow: i32,
  height: i32,
  blockShift: i32,
  cells: usize,
  rowEnds: usize,
  shortfalls: usize,
  midTones: usize,
  tileColumns: i32,
  tileShift: i32,
  midLow: i32,
  midHigh: i32,
): void {
  const stride = perRow + 1
  let count: i32 = 0
  for (let y: i32 = 0; y < height; y++) {
    const row = words + <usize>(y * perRow) * 4
    const blocks = shortfalls + <usize>(((y >> blockShift) + 1) * stride + 1) * 8
    const tiles = midTones + <usize>((y >> tileShift) * tileColumns) * 4
    for (let column: i32 = 0; column < perRow; column++) {
      const word = load<u32>(row + <usize>column * 4)
      if (word == WHITE_CELL) {
        continue
      }
      store<u16>(cells + <usize>count * 2, <u16>column)
      count++
      // The cell's four octets summed two by two at once; whole numbers, so the sums are exact.
      const pairs = (word & 0x00ff00ff) + ((word >>> 8) & 0x00ff00ff)
      const block = blocks + <usize>column * 8
      store<f64>(block, load<f64>(block) + <f64>(4 * 255 - ((pairs & 0xffff) + (pairs >>> 16))))
      if (midTones != 0) {
        const tile = tiles + <usize>((column << 2) >> tileShift) * 4
        const w = <i32>word
        const mid =
          isBetween(w & 0xff, midLow, midHigh) +
          isBetween((w >>> 8) & 0xff, midLow, midHigh) +
          isBetween((w >>> 16) & 0xff, midLow, midHigh) +
          isBetween(w >>> 24, midLow, midHigh)
        store<u32>(tile, load<u32>(tile) + mid)
      }
    }
    store<i32>(rowEnds + <usize>y * 4, count)
  }
}

/**
 * The threshold (binarize.ts, thresholdText): sums `shortfalls` into its summed-area table in
 * place, then sets in `out` (a bilevel page, `rowBytes` a row, zeroed here) each pixel of a
 * listed cell that is darker than its block's limit. A block's limit comes from the mean grey of
 * the blocks within `reachX` and `reachY` of it (binarize.ts, blackLimit: darker than the mean by
 * `contrastFraction` of it, at least `contrastFloor`, or than `alwaysBlack`, and never from
 * `alwaysWhite` up), worked out when its first cell needs it and kept at `limits` (i16 a block).
 */
export function threshold(
  words: usize,
  perRow: i32,
  width: i32,
  height: i32,
  blockShift: i32,
  cells: usize,
  rowEnds: usize,
  shortfalls: usize,
  limits: usize,
  out: usize,
  rowBytes: i32,
  reachX: i32,
  reachY: i32,
  alwaysBlack: f64,
  alwaysWhite: f64,
  contrastFraction: f64,
  contrastFloor: f64,
): void {
  const rows = (height + (1 << blockShift) - 1) >> blockShift
  const stride = perRow + 1
  for (let by: i32 = 0; by < rows; by++) {
    let rowSum: f64 = 0
    const above = shortfalls + <usize>(by * stride + 1) * 8
    const here = above + <usize>stride * 8
    for (let bx: i32 = 0; bx < perRow; bx++) {
      rowSum += load<f64>(here + <usize>bx * 8)
      store<f64>(here + <usize>bx * 8, load<f64>(above + <usize>bx * 8) + rowSum)
    }
  }
  // -1: not worked out yet.
  memory.fill(limits, 0xff, <usize>(perRow * rows) * 2)
  memory.fill(out, 0, <usize>(rowBytes * height))
  let k: i32 = 0
  for (let y: i32 = 0; y < height; y++) {
    const end = load<i32>(rowEnds + <usize>y * 4)
    const blockRow = y >> blockShift
    const blockLimits = limits + <usize>(blockRow * perRow) * 2
    const row = words + <usize>(y * perRow) * 4
    const target = out + <usize>(y * rowBytes)
    const top = max(0, blockRow - reachY)
    const bottom = min(rows, blockRow + reachY + 1)
    // Blocks are BLOCK × BLOCK pixels but at the right and bottom edges.
    const tall = min(height, bottom << blockShift) - (top << blockShift)
    for (; k < end; k++) {
      const column = <i32>load<u16>(cells + <usize>k * 2)
      let limit = <i32>load<i16>(blockLimits + <usize>column * 2)
      if (limit < 0) {
        const left = max(0, column - reachX)
        const right = min(perRow, column + reachX + 1)
        const shortfall =
          load<f64>(shortfalls + <usize>(bottom * stride + right) * 8) -
          load<f64>(shortfalls + <usize>(top * stride + right) * 8) -
          load<f64>(shortfalls + <usize>(bottom * stride + left) * 8) +
          load<f64>(shortfalls + <usize>(top * stride + left) * 8)
        const area = <f64>((min(width, right << blockShift) - (left << blockShift)) * tall)
        const mean = (255 * area - shortfall) / area
        const contrast = mean * contrastFraction
        const relative = mean - (contrast > contrastFloor ? contrast : contrastFloor)
        limit = <i32>Math.ceil(Math.min(alwaysWhite, Math.max(alwaysBlack, relative)))
        store<i16>(blockLimits + <usize>column * 2, <i16>limit)
      }
      // A pixel is black when `value - limit` is below zero: its sign bit. The cell's first
      // pixel is its word's lowest octet (WebAssembly is little-endian).
      const w = <i32>load<u32>(row + <usize>column * 4)
      const bits =
        ((((w & 0xff) - limit) >>> 31) << 3) |
        (((((w >>> 8) & 0xff) - limit) >>> 31) << 2) |
        (((((w >>> 16) & 0xff) - limit) >>> 31) << 1) |
        (((w >>> 24) - limit) >>> 31)
      if (bits != 0) {
        // Pixels 4 × column on: octet column >> 1 of the row, its high half for an even column.
        const octet = target + <usize>(column >> 1)
        store<u8>(octet, load<u8>(octet) | (<u8>((column & 1) == 0 ? bits << 4 : bits)))
      }
    }
  }
}
