/**
 * The one-dimensional coding scheme of T.4 §4.1 (Modified Huffman) for one row, used by MH, by
 * the 1-D lines of MR, and for the two runs of horizontal mode in MR and MMR. T.4 §4.1.1: "A
 * line of data is composed of a series of variable-length code words. Each code word represents
 * a run length of either all white or all black. White runs and black runs alternate. … all
 * data lines will begin with a white run length code word … If the actual scan line begins
 * with a black run, a white run length of zero will be sent."
 *
 * Hot loops use module-local copies of the tables and constants they import: V8 builds a
 * module's own constants into the code that uses them, while each use of an imported binding is
 * a load and a check.
 */
import { type BitReader, bitsAt } from './bit-reader.js'
import type { BitWriter } from './bit-writer.js'
import { appendChange } from './changing-elements.js'
import { CodecError } from './codec-error.js'
import {
  BLACK_RUNS as BLACK_RUNS_IMPORTED,
  PAIR_LOOKUP_BITS,
  RUNS as RUNS_IMPORTED,
  WHITE_BLACK_PAIRS,
} from './run-lookup.js'
import { EOL_BITS, EOL_CODE, MAKEUP, MAX_MAKEUP, RUN_LOOKUP_BITS, TERMINATING } from './t4-codes.js'

const RUNS = RUNS_IMPORTED
const BLACK_RUNS = BLACK_RUNS_IMPORTED
const RUN_SHIFT = 32 - RUN_LOOKUP_BITS
const PAIRS = WHITE_BLACK_PAIRS
const PAIR_SHIFT = 32 - PAIR_LOOKUP_BITS

/** The terminating codes of both colours, [colour × 64 + run]: code << 4 | length. */
const TERMINATING_CODES = new Uint32Array(128)
TERMINATING_CODES.set(TERMINATING[0])
TERMINATING_CODES.set(TERMINATING[1], 64)

/** The make-up codes of both colours, [colour × MAKEUP_COUNT + run / 64]: code << 4 | length. */
const MAKEUP_COUNT = MAKEUP[0].length
const MAKEUP_CODES = new Uint32Array(2 * MAKEUP_COUNT)
MAKEUP_CODES.set(MAKEUP[0])
MAKEUP_CODES.set(MAKEUP[1], MAKEUP_COUNT)
const LONGEST_MAKEUP = MAX_MAKEUP

/**
 * Writes one run. T.4 §4.1.1, on the extended make-up codes: "Run lengths in the range of
 * lengths longer than or equal to 2624 pels are coded first by the make-up code of 2560. If the
 * remaining part of the run (after the first make-up code of 2560) is 2560 pels or greater,
 * additional make-up code(s) of 2560 are issued until the remaining part of the run becomes
 * less than 2560 pels. Then the remaining part of the run is encoded by terminating code or by
 * make-up code plus terminating code according to the range as mentioned above."
 */
export function writeRun(w: BitWriter, colour: number, run: number): void {
  const black = colour === 0 ? 0 : 1
  let left = run
  if (left >= 64) {
    const makeups = black * MAKEUP_COUNT
    while (left >= LONGEST_MAKEUP) {
      const packed = MAKEUP_CODES[makeups + (LONGEST_MAKEUP >> 6)] ?? 0
      w.write(packed >>> 4, packed & 15)
      left -= LONGEST_MAKEUP
    }
    if (left >= 64) {
      const packed = MAKEUP_CODES[makeups + (left >> 6)] ?? 0
      w.write(packed >>> 4, packed & 15)
      left &= 63
    }
  }
  const packed = TERMINATING_CODES[(black << 6) | left] ?? 0
  w.write(packed >>> 4, packed & 15)
}

/** Codes a row given as a change list (see changing-elements.ts) with `count` changes. */
export function encode1dRow(w: BitWriter, changes: Int32Array, count: number, width: number): void {
  let previous = 0
  for (let k = 0; k < count; k++) {
    const x = changes[k] ?? width
    writeRun(w, k & 1, x - previous)
    previous = x
  }
  writeRun(w, count & 1, width - previous)
}

/**
 * Reads one run: make-up codes, if any, then the terminating code. Throws CodecError
 * ('corrupt' for a code the tables do not have or a run past `limit`, 'truncated' when the
 * data ends inside it); the reader is left at the bad code.
 */
export function readRun(r: BitReader, colour: number, limit: number): number {
  const table = colour === 0 ? 0 : BLACK_RUNS
  const view = r.view
  const end = r.bitLength
  let pos = r.pos
  if (pos > end) {
    throw dataEndsInLine(r, pos) // (bitsAt looks at most 32 bits past the end)
  }
  let total = 0
  for (;;) {
    // Past the end the reader sees zeros, which no run code starts with: the data ending is
    // caught with the missing code below.
    const entry = RUNS[table + (bitsAt(view, pos) >>> RUN_SHIFT)] ?? 0
    if (entry === 0) {
      r.pos = pos
      throw noRunCode(r, colour)
    }
    pos += entry & 15
    if (pos > end) {
      throw dataEndsInLine(r, pos)
    }
    const run = entry >>> 4
    total += run
    if (total > limit) {
      throw runPastLineEnd(r, pos)
    }
    if (run < 64) {
      r.pos = pos
      return total
    }
  }
}

/**
 * Decodes one 1-D row into a change list `out` and returns its change count. The runs must
 * add up to exactly `width`. Throws CodecError as readRun does.
 */
export function decode1dRow(r: BitReader, width: number, out: Int32Array): number {
  const view = r.view
  const end = r.bitLength
  let pos = r.pos
  if (pos > end) {
    throw dataEndsInLine(r, pos)
  }
  let x = 0
  let n = 0
  let colour = 0
  for (;;) {
    const bits = bitsAt(view, pos)
    const pair = colour === 0 ? (PAIRS[bits >>> PAIR_SHIFT] ?? 0) : 0
    if (pair !== 0) {
      // A white and a black terminating code in the next 12 bits: the same steps as for two
      // single code words below, with one lookup.
      pos += (pair >> 6) & 15
      if (pos > end) {
        throw dataEndsInLine(r, pos)
      }
      x += pair & 63
      if (x > width) {
        throw runPastLineEnd(r, pos)
      }
      if (x >= width) {
        break // the black code word belongs to what follows the line
      }
      n = appendChange(out, n, x)
      pos += pair >>> 16
      if (pos > end) {
        throw dataEndsInLine(r, pos)
      }
      x += (pair >> 10) & 63
      if (x > width) {
        throw runPastLineEnd(r, pos)
      }
      if (x >= width) {
        break
      }
      n = appendChange(out, n, x)
      continue
    }
    // Past the end the reader sees zeros, which no run code starts with: the data ending is
    // caught with the missing code below.
    const entry = RUNS[colour * BLACK_RUNS + (bits >>> RUN_SHIFT)] ?? 0
    if (entry === 0) {
      r.pos = pos
      throw noRunCode(r, colour)
    }
    pos += entry & 15
    if (pos > end) {
      throw dataEndsInLine(r, pos)
    }
    const run = entry >>> 4
    x += run
    if (x > width) {
      throw runPastLineEnd(r, pos)
    }
    if (run < 64) {
      // a terminating code: the run is complete
      if (x >= width) {
        break
      }
      n = appendChange(out, n, x)
      colour ^= 1
    }
  }
  r.pos = pos
  out[n] = width
  out[n + 1] = width
  out[n + 2] = width
  return n
}

/** The error for the reader's position, where no run code word of `colour` starts. */
function noRunCode(r: BitReader, colour: number): CodecError {
  if (r.remaining < RUN_LOOKUP_BITS) {
    return new CodecError('truncated', 'the data ends inside a line')
  }
  if (r.peek(EOL_BITS) === EOL_CODE) {
    return new CodecError('corrupt', 'an EOL comes before the line is complete')
  }
  return new CodecError('corrupt', `no ${colour === 0 ? 'white' : 'black'} run code here`)
}

/** The error for a code word that ends at `pos`, past the end of the data; the reader goes there. */
export function dataEndsInLine(r: BitReader, pos: number): CodecError {
  r.pos = pos
  return new CodecError('truncated', 'the data ends inside a line')
}

/** The error for a run that ends past the end of the line, its code word ending at `pos`. */
export function runPastLineEnd(r: BitReader, pos: number): CodecError {
  r.pos = pos
  return new CodecError('corrupt', `a run goes past the end of the line`)
}
