/**
 * The two-dimensional coding scheme of T.4 §4.2 (Modified READ), shared by the 2-D lines of MR
 * and by MMR (T.6 §2.2 uses the same coding procedure). Rows are change lists (see
 * changing-elements.ts); the colour of a0 is the parity of the changes passed so far.
 *
 * T.4 §4.2.1.3.1: "a0: The reference or starting changing element on the coding line. At the
 * start of the coding line a0 is set on an imaginary white changing element situated just
 * before the first element on the line. … a1: The next changing element to the right of a0 on
 * the coding line. a2: The next changing element to the right of a1 on the coding line.
 * b1: The first changing element on the reference line to the right of a0 and of opposite
 * colour to the colour of a0. b2: The next changing element to the right of b1 on the
 * reference line."
 */
import type { BitReader } from './bit-reader.js'
import type { BitWriter } from './bit-writer.js'
import { CodecError } from './codec-error.js'
import { readRun, writeRun } from './one-dimensional.js'
import {
  EOL_BITS,
  EOL_CODE,
  HORIZONTAL,
  MODE_DECODE,
  MODE_HORIZONTAL,
  MODE_LOOKUP_BITS,
  MODE_PASS,
  MODE_V0,
  PASS,
  VERTICAL,
} from './t4-codes.js'

/**
 * Codes the row `cur` against the reference row `ref` (both change lists with sentinels),
 * following the coding procedure of T.4 §4.2.1.3. §4.2.1.3.4 b): "if b1 and/or b2 are not
 * detected at any time during the coding of the line, they are positioned on the imaginary
 * changing element situated just after the last actual picture element on the reference
 * line" — the sentinels at `width`.
 */
export function encode2dRow(w: BitWriter, ref: Int32Array, cur: Int32Array, width: number): void {
  let a0 = -1
  /** Index in cur of a1: the first change right of a0. Its parity is the colour of a0. */
  let i = 0
  /** Index in ref of the first change right of a0. */
  let j = 0
  while (a0 < width) {
    const a1 = cur[i] ?? width
    while ((ref[j] ?? width) <= a0) {
      j++
    }
    // b1 has the colour opposite to a0's: a change to black (even index) right of a white a0.
    const b = j + ((j ^ i) & 1)
    const b1 = ref[b] ?? width
    const b2 = ref[b + 1] ?? width
    if (b2 < a1) {
      // T.4 §4.2.1.3.2 a), pass mode: b2 lies to the left of a1. The element of the coding
      // line below b2 becomes the new a0.
      w.write(PASS.code, PASS.bits)
      a0 = b2
      continue
    }
    const d = a1 - b1
    if (d >= -3 && d <= 3) {
      // T.4 §4.2.1.3.2 b) 1), vertical mode: |a1b1| ≤ 3, coded as V(0), VR(1…3) or VL(1…3);
      // a1 becomes the new a0.
      const v = VERTICAL[d + 3] ?? PASS
      w.write(v.code, v.bits)
      a0 = a1
      i++
      continue
    }
    // T.4 §4.2.1.3.2 b) 2), horizontal mode: H + M(a0a1) + M(a1a2); a2 becomes the new a0.
    // §4.2.1.3.4 a): "The first run length on a line a0a1 is replaced by a0a1 − 1" (a0 is
    // the imaginary element at −1, so the run counts from position 0).
    const a2 = cur[i + 1] ?? width
    w.write(HORIZONTAL.code, HORIZONTAL.bits)
    writeRun(w, i & 1, a1 - (a0 < 0 ? 0 : a0))
    writeRun(w, (i & 1) ^ 1, a2 - a1)
    a0 = a2
    i += 2
  }
}

/**
 * Decodes one 2-D row against `ref` into the change list `out` and returns its change count.
 * Throws CodecError ('corrupt', 'truncated', or 'unsupported' for an extension code), leaving
 * the reader at the bad code word.
 */
export function decode2dRow(r: BitReader, ref: Int32Array, width: number, out: Int32Array): number {
  let a0 = -1
  let n = 0
  let j = 0
  while (a0 < width) {
    while ((ref[j] ?? width) <= a0) {
      j++
    }
    const b = j + ((j ^ n) & 1)
    const b1 = ref[b] ?? width
    const b2 = ref[b + 1] ?? width
    if (r.remaining <= 0) {
      throw new CodecError('truncated', 'the data ends inside a line')
    }
    const entry = MODE_DECODE[r.peek(MODE_LOOKUP_BITS)] ?? 0
    if (entry === 0) {
      if (r.remaining < EOL_BITS) {
        throw new CodecError('truncated', 'the data ends inside a line')
      }
      if (r.peek(EOL_BITS) === EOL_CODE) {
        throw new CodecError('corrupt', 'an EOL comes before the line is complete')
      }
      if (r.peek(MODE_LOOKUP_BITS) === 1) {
        // T.4 §4.2.1.3.3 / Table 4: 0000001xxx is an extension code (uncompressed mode).
        throw new CodecError('unsupported', 'extension (uncompressed mode) codes are not decoded')
      }
      throw new CodecError('corrupt', 'no 2-D mode code here')
    }
    r.skip(entry & 15)
    if (r.overrun) {
      throw new CodecError('truncated', 'the data ends inside a line')
    }
    const mode = entry >>> 4
    if (mode === MODE_PASS) {
      a0 = b2
    } else if (mode === MODE_HORIZONTAL) {
      const colour = n & 1
      const start = a0 < 0 ? 0 : a0
      const a1 = start + readRun(r, colour, width - start)
      const a2 = a1 + readRun(r, colour ^ 1, width - a1)
      n = addChange(out, n, a1, width)
      n = addChange(out, n, a2, width)
      a0 = a2
    } else {
      const a1 = b1 + mode - MODE_V0
      if (a1 < 0 || a1 < a0 || a1 > width) {
        throw new CodecError(
          'corrupt',
          `a vertical mode code puts a1 at ${a1}, outside ${a0}…${width}`,
        )
      }
      n = addChange(out, n, a1, width)
      a0 = a1
    }
  }
  out[n] = width
  out[n + 1] = width
  out[n + 2] = width
  return n
}

/**
 * Appends a change at x (x ≥ the last change). A change at the row end is not a change; one
 * at the same place as the last cancels it (a zero-length run), which keeps the parity equal
 * to the colour.
 */
function addChange(out: Int32Array, n: number, x: number, width: number): number {
  if (x >= width) {
    return n
  }
  if (n > 0 && out[n - 1] === x) {
    return n - 1
  }
  out[n] = x
  return n + 1
}
