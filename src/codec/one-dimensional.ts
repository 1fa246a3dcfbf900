/**
 * The one-dimensional coding scheme of T.4 §4.1 (Modified Huffman) for one row, used by MH, by
 * the 1-D lines of MR, and for the two runs of horizontal mode in MR and MMR. T.4 §4.1.1: "A
 * line of data is composed of a series of variable-length code words. Each code word represents
 * a run length of either all white or all black. White runs and black runs alternate. … all
 * data lines will begin with a white run length code word … If the actual scan line begins
 * with a black run, a white run length of zero will be sent."
 */
import type { BitReader } from './bit-reader.js'
import type { BitWriter } from './bit-writer.js'
import { CodecError } from './codec-error.js'
import { EOL_BITS, EOL_CODE, MAKEUP, MAX_MAKEUP, RUN_DECODE, TERMINATING } from './t4-codes.js'

/**
 * Writes one run. T.4 §4.1.1, on the extended make-up codes: "Run lengths in the range of lengths longer than or equal to
 * 2624 pels are coded first by the make-up code of 2560. If the remaining part of the run
 * (after the first make-up code of 2560) is 2560 pels or greater, additional make-up code(s)
 * of 2560 are issued until the remaining part of the run becomes less than 2560 pels. Then the
 * remaining part of the run is encoded by terminating code or by make-up code plus terminating
 * code according to the range as mentioned above."
 */
export function writeRun(w: BitWriter, colour: number, run: number): void {
  let left = run
  const makeup = MAKEUP[colour === 0 ? 0 : 1]
  while (left >= MAX_MAKEUP) {
    const packed = makeup[MAX_MAKEUP >> 6] ?? 0
    w.write(packed >>> 4, packed & 15)
    left -= MAX_MAKEUP
  }
  if (left >= 64) {
    const packed = makeup[left >> 6] ?? 0
    w.write(packed >>> 4, packed & 15)
    left &= 63
  }
  const packed = TERMINATING[colour === 0 ? 0 : 1][left] ?? 0
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
  const table = RUN_DECODE[colour === 0 ? 0 : 1]
  let total = 0
  for (;;) {
    if (r.remaining <= 0) {
      throw new CodecError('truncated', 'the data ends inside a line')
    }
    const entry = table[r.peek(13)] ?? 0
    if (entry === 0) {
      if (r.remaining < 13) {
        throw new CodecError('truncated', 'the data ends inside a line')
      }
      if (r.peek(EOL_BITS) === EOL_CODE) {
        throw new CodecError('corrupt', 'an EOL comes before the line is complete')
      }
      throw new CodecError('corrupt', `no ${colour === 0 ? 'white' : 'black'} run code here`)
    }
    r.skip(entry & 15)
    if (r.overrun) {
      throw new CodecError('truncated', 'the data ends inside a line')
    }
    const run = entry >>> 4
    total += run
    if (total > limit) {
      throw new CodecError('corrupt', `a run goes past the end of the line`)
    }
    if (run < 64) {
      return total
    }
  }
}

/**
 * Decodes one 1-D row into a change list `out` and returns its change count. The runs must
 * add up to exactly `width`.
 */
export function decode1dRow(r: BitReader, width: number, out: Int32Array): number {
  let x = 0
  let n = 0
  let colour = 0
  do {
    x += readRun(r, colour, width - x)
    if (x < width) {
      if (n > 0 && out[n - 1] === x) {
        n-- // a zero-length run: the two changes cancel
      } else {
        out[n++] = x
      }
    }
    colour ^= 1
  } while (x < width)
  out[n] = width
  out[n + 1] = width
  out[n + 2] = width
  return n
}
