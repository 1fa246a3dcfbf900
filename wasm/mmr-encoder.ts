/**
 * The MMR (T.6) page coder of src/codec/t6.ts, encodeMmr, in WebAssembly (AssemblyScript,
 * compiled by scripts/build-wasm.mjs into src/codec/mmr-encoder-wasm.ts): the same steps as the
 * JavaScript coder it replaced (two-dimensional.ts, encode2dRow; one-dimensional.ts, writeRun;
 * changing-elements.ts, findChanges), so the same bits, without waiting for V8 to optimise them:
 * a render codes each of its pages once, and its first pages ran the JavaScript coder several
 * times slower than its last (docs/benchmarks.md).
 *
 * Memory is laid out by the host (src/codec/mmr-encoder.ts): the code tables, the page, two
 * change lists and the output, at offsets given here, none below 1024 (wasm/README.md); nothing
 * here allocates. The code tables are the host's (t4-codes.ts), copied in, so that they are
 * written once.
 */

// The code tables, at `tables`: a header of u32s, then the packed code words (code << 4 |
// length), as t6.ts writes them.
/** The pass-mode, horizontal-mode and EOL code words. */
const PASS_AT: usize = 0
const HORIZONTAL_AT: usize = 4
const EOL_AT: usize = 8
/** The make-up codes a colour has (run / 64 from 0), and the longest make-up run. */
const MAKEUP_COUNT_AT: usize = 12
const LONGEST_MAKEUP_AT: usize = 16
/** Vertical modes VL3 … VR3 (7), terminating codes [colour × 64 + run] (128), make-up codes
 * [colour × count + run / 64]. */
const VERTICAL_AT: usize = 20
const TERMINATING_AT: usize = VERTICAL_AT + 7 * 4
const MAKEUP_AT: usize = TERMINATING_AT + 128 * 4

let tables: usize = 0

// The bit writer (bit-writer.ts): code words most significant bit first, gathered in a 32-bit
// word stored whole, big-endian, when full.
let output: usize = 0
let outputEnd: usize = 0
/** Where the next whole word goes; past outputEnd when the output did not fit. */
let written: usize = 0
/** Bits not yet stored, right-aligned; fewer than 32 between calls. */
let pending: u32 = 0
let pendingBits: i32 = 0

/** Appends `code`, `bits` bits long (1 to 24). */
function write(code: u32, bits: i32): void {
  const room = 32 - pendingBits
  if (bits < room) {
    pending = (pending << bits) | code
    pendingBits += bits
    return
  }
  // The word fills up: its last `room` bits are the first of the code.
  const rest = bits - room
  if (written + 4 <= outputEnd) {
    store<u32>(written, bswap<u32>((pending << room) | (code >>> rest)))
  }
  written += 4
  pending = code & ((1 << rest) - 1)
  pendingBits = rest
}

/** Appends a packed code word (code << 4 | length). */
function put(packed: u32): void {
  write(packed >>> 4, <i32>(packed & 15))
}

/** T.4 §4.1.1: one run of `colour` (0 white, 1 black), make-up codes first where it is long. */
function writeRun(colour: i32, run: i32): void {
  let left = run
  if (left >= 64) {
    const count = load<u32>(tables + MAKEUP_COUNT_AT)
    const longest = <i32>load<u32>(tables + LONGEST_MAKEUP_AT)
    const makeups = tables + MAKEUP_AT + <usize>(<u32>colour * count) * 4
    while (left >= longest) {
      put(load<u32>(makeups + <usize>(longest >> 6) * 4))
      left -= longest
    }
    if (left >= 64) {
      put(load<u32>(makeups + <usize>(left >> 6) * 4))
      left &= 63
    }
  }
  put(load<u32>(tables + TERMINATING_AT + <usize>((colour << 6) | left) * 4))
}

/**
 * The changing elements of the packed row at `row` (changing-elements.ts, findChanges) into the
 * list at `out` (i32), followed by three copies of `width`; their count.
 */
function findChanges(row: usize, width: i32, out: usize): i32 {
  const fullBits = (width >>> 5) << 5
  let count: i32 = 0
  /** 0 while in white, all ones while in black. */
  let colour: u32 = 0
  let at = row
  for (let base: i32 = 0; base < fullBits; base += 32) {
    const word = bswap<u32>(load<u32>(at))
    at += 4
    let diff = word ^ colour
    while (diff != 0) {
      const bit = <i32>clz<u32>(diff)
      store<i32>(out + <usize>count * 4, base + bit)
      count++
      colour = ~colour
      diff = (word ^ colour) & (0x7fffffff >>> bit)
    }
  }
  const tailBits = width & 31
  if (tailBits != 0) {
    // The last 1 to 31 pixels: their octets (not past the row) in the top of a word.
    let word: u32 = 0
    for (let i: i32 = 0; i < (tailBits + 7) >> 3; i++) {
      word |= (<u32>load<u8>(at + <usize>i)) << (24 - 8 * i)
    }
    const inRow = ~((<u32>0xffffffff) >>> tailBits)
    let diff = (word ^ colour) & inRow
    while (diff != 0) {
      const bit = <i32>clz<u32>(diff)
      store<i32>(out + <usize>count * 4, fullBits + bit)
      count++
      colour = ~colour
      diff = (word ^ colour) & inRow & (0x7fffffff >>> bit)
    }
  }
  store<i32>(out + <usize>count * 4, width)
  store<i32>(out + <usize>(count + 1) * 4, width)
  store<i32>(out + <usize>(count + 2) * 4, width)
  return count
}

/** One row against its reference row (two-dimensional.ts, encode2dRow: T.4 §4.2.1.3). */
function encode2dRow(ref: usize, cur: usize, width: i32): void {
  let a0: i32 = -1
  /** Index in cur of a1: the first change right of a0. Its parity is the colour of a0. */
  let i: i32 = 0
  /** Index in ref of the first change right of a0. */
  let j: i32 = 0
  while (a0 < width) {
    const a1 = load<i32>(cur + <usize>i * 4)
    while (load<i32>(ref + <usize>j * 4) <= a0) {
      j++
    }
    // b1 has the colour opposite to a0's.
    const b = j + ((j ^ i) & 1)
    const b1 = load<i32>(ref + <usize>b * 4)
    const b2 = load<i32>(ref + <usize>(b + 1) * 4)
    if (b2 < a1) {
      // Pass mode: the element below b2 becomes the new a0.
      put(load<u32>(tables + PASS_AT))
      a0 = b2
      continue
    }
    const d = a1 - b1
    if (d >= -3 && d <= 3) {
      // Vertical mode: a1 becomes the new a0.
      put(load<u32>(tables + VERTICAL_AT + <usize>(d + 3) * 4))
      a0 = a1
      i++
      continue
    }
    // Horizontal mode: H + M(a0a1) + M(a1a2), the first run of a line counted from 0.
    const a2 = load<i32>(cur + <usize>(i + 1) * 4)
    put(load<u32>(tables + HORIZONTAL_AT))
    writeRun(i & 1, a1 - (a0 < 0 ? 0 : a0))
    writeRun((i & 1) ^ 1, a2 - a1)
    a0 = a2
    i += 2
  }
}

/**
 * Codes the page at `page` (`height` rows of `rowBytes` octets, `width` pixels, 1 black, first
 * pixel in an octet's top bit) with MMR into `out`, `capacity` octets, ending it with EOFB when
 * `eofb` is 1; `ref` and `cur` have room for width + 3 i32s each. Answers how many octets the
 * page took, which is more than `capacity` when it did not fit (nothing past `capacity` is
 * written; the caller tries again with more room).
 */
export function encodeMmr(
  codeTables: usize,
  page: usize,
  width: i32,
  height: i32,
  rowBytes: i32,
  ref: usize,
  cur: usize,
  out: usize,
  capacity: i32,
  eofb: i32,
): i32 {
  tables = codeTables
  output = out
  outputEnd = out + <usize>capacity
  written = out
  pending = 0
  pendingBits = 0
  // T.6: the reference line of the first row is an imaginary white line.
  store<i32>(ref, width)
  store<i32>(ref + 4, width)
  store<i32>(ref + 8, width)
  let reference = ref
  let coding = cur
  for (let y: i32 = 0; y < height; y++) {
    findChanges(page + <usize>(y * rowBytes), width, coding)
    encode2dRow(reference, coding, width)
    const swap = reference
    reference = coding
    coding = swap
  }
  if (eofb != 0) {
    put(load<u32>(tables + EOL_AT))
    put(load<u32>(tables + EOL_AT))
  }
  // Zero bits to the octet boundary, then the octets still pending.
  const partial = pendingBits & 7
  if (partial > 0) {
    write(0, 8 - partial)
  }
  while (pendingBits > 0) {
    pendingBits -= 8
    if (written < outputEnd) {
      store<u8>(written, <u8>((pending >>> pendingBits) & 0xff))
    }
    written++
  }
  return <i32>(written - output)
}
