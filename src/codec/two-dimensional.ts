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
 *
 * As in one-dimensional.ts, hot loops use module-local copies of what they import.
 */
import { type BitReader, bitsAt } from './bit-reader.js'
import type { BitWriter } from './bit-writer.js'
import { appendChange } from './changing-elements.js'
import { CodecError } from './codec-error.js'
import { dataEndsInLine, readRun, runPastLineEnd, writeRun } from './one-dimensional.js'
import { BLACK_WHITE_PAIRS, PAIR_LOOKUP_BITS, WHITE_BLACK_PAIRS } from './run-lookup.js'
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

const PASS_CODE = PASS.code
const PASS_BITS = PASS.bits
const HORIZONTAL_CODE = HORIZONTAL.code
const HORIZONTAL_BITS = HORIZONTAL.bits
/** VERTICAL as code << 4 | length, index a1 − b1 + 3. */
const VERTICAL_CODES = Uint32Array.from(VERTICAL, (v) => (v.code << 4) | v.bits)

const WHITE_BLACK = WHITE_BLACK_PAIRS
const BLACK_WHITE = BLACK_WHITE_PAIRS
const PAIR_SHIFT = 32 - PAIR_LOOKUP_BITS

/** The bit of a STEPS entry set for horizontal mode. */
const STEP_HORIZONTAL = 1 << 4
/** The bit set for pass mode: a0 goes onto b2, the change after b1, and no change is added. */
const STEP_PASS_SHIFT = 5
/** Where d + 3 is, for vertical mode's a1 = b1 + d (d in −3…3); 3 for pass mode. */
const STEP_D_SHIFT = 6

/**
 * The decoder's mode table, STEPS[next 7 bits]: what the mode code at their start does, 0 where
 * none starts. Bits 0–3 hold the code length; the others say what to do. Pass and vertical
 * modes both put a0 on the reference line, so they take one path: pass mode "the element of the
 * coding line below b2" (§4.2.1.3.2 a)), vertical mode a1 = b1 + d (b) 1)), which only the
 * vertical modes add as a change.
 */
const STEPS: Uint16Array = (() => {
  const steps = new Uint16Array(1 << MODE_LOOKUP_BITS)
  MODE_DECODE.forEach((entry, bits) => {
    const mode = entry >>> 4
    const length = entry & 15
    if (entry === 0) {
      return
    }
    if (mode === MODE_HORIZONTAL) {
      steps[bits] = length | STEP_HORIZONTAL
    } else if (mode === MODE_PASS) {
      steps[bits] = length | (1 << STEP_PASS_SHIFT) | (3 << STEP_D_SHIFT)
    } else {
      steps[bits] = length | ((mode - MODE_V0 + 3) << STEP_D_SHIFT)
    }
  })
  return steps
})()
const STEP_SHIFT = 32 - MODE_LOOKUP_BITS

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
      w.write(PASS_CODE, PASS_BITS)
      a0 = b2
      continue
    }
    const d = a1 - b1
    if (d >= -3 && d <= 3) {
      // T.4 §4.2.1.3.2 b) 1), vertical mode: |a1b1| ≤ 3, coded as V(0), VR(1…3) or VL(1…3);
      // a1 becomes the new a0.
      const packed = VERTICAL_CODES[d + 3] ?? 0
      w.write(packed >>> 4, packed & 15)
      a0 = a1
      i++
      continue
    }
    // T.4 §4.2.1.3.2 b) 2), horizontal mode: H + M(a0a1) + M(a1a2); a2 becomes the new a0.
    // §4.2.1.3.4 a): "The first run length on a line a0a1 is replaced by a0a1 − 1" (a0 is
    // the imaginary element at −1, so the run counts from position 0).
    const a2 = cur[i + 1] ?? width
    w.write(HORIZONTAL_CODE, HORIZONTAL_BITS)
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
  const view = r.view
  const end = r.bitLength
  let pos = r.pos
  if (pos > end) {
    throw dataEndsInLine(r, pos) // (bitsAt looks at most 32 bits past the end)
  }
  let a0 = -1
  let n = 0
  /**
   * The index in ref of b1. b1 has the colour opposite to a0's, so b has the parity of n (a
   * change to black, at an even index, right of a white a0). Each mode moves it on from where
   * it was; the sentinels at `width` keep it inside the list while a0 < width.
   */
  let b = 0
  while (a0 < width) {
    const bits = bitsAt(view, pos)
    if (bits < 0) {
      // V(0), by far the commonest code: "1", a1 = b1. It often comes many times in a row (an
      // edge that goes straight down), so the ones here are taken in one go. b1 lies right of
      // a0 and not past the line, so nothing needs checking, and the next b1 is the change
      // after it. A one bit is never past the end of the data.
      const ones = Math.clz32(~bits)
      for (let k = 0; k < ones; k++) {
        const x = ref[b] ?? width
        pos++
        a0 = x
        if (x >= width) {
          break
        }
        out[n++] = x
        b++
      }
      continue
    }
    // Past the end the reader sees zeros, which no mode code starts with: the data ending is
    // caught with the missing code below.
    const step = STEPS[bits >>> STEP_SHIFT] ?? 0
    if (step === 0) {
      r.pos = pos
      throw noModeCode(r)
    }
    pos += step & 15
    if (pos > end) {
      throw dataEndsInLine(r, pos)
    }
    if ((step & STEP_HORIZONTAL) !== 0) {
      // T.4 §4.2.1.3.2 b) 2), horizontal mode: H + M(a0a1) + M(a1a2), M being run code words
      // of the one-dimensional scheme. §4.2.1.3.4 a): "The first run length on a line a0a1 is
      // replaced by a0a1 − 1" (a0 is the imaginary element at −1).
      const colour = n & 1
      let a1 = a0 < 0 ? 0 : a0
      let a2: number
      const pair = (colour === 0 ? WHITE_BLACK : BLACK_WHITE)[bitsAt(view, pos) >>> PAIR_SHIFT] ?? 0
      if (pair !== 0) {
        // both terminating codes with one lookup (see run-lookup.ts), and readRun's checks
        pos += (pair >> 6) & 15
        if (pos > end) {
          throw dataEndsInLine(r, pos)
        }
        a1 += pair & 63
        if (a1 > width) {
          throw runPastLineEnd(r, pos)
        }
        pos += pair >>> 16
        if (pos > end) {
          throw dataEndsInLine(r, pos)
        }
        a2 = a1 + ((pair >> 10) & 63)
        if (a2 > width) {
          throw runPastLineEnd(r, pos)
        }
      } else {
        r.pos = pos
        a1 += readRun(r, colour, width - a1)
        a2 = a1 + readRun(r, colour ^ 1, width - a1)
        pos = r.pos
      }
      // a change at the end of the line is none
      if (a1 < width) {
        n = appendChange(out, n, a1)
      }
      if (a2 < width) {
        n = appendChange(out, n, a2)
      }
      a0 = a2
      // a0 keeps its colour: b1 is the next change of the same parity right of a2
      while (a0 < width && (ref[b] ?? width) <= a0) {
        b += 2
      }
      continue
    }
    const pass = (step >> STEP_PASS_SHIFT) & 1
    const d = (step >> STEP_D_SHIFT) - 3
    const x = (ref[b + pass] ?? width) + d
    if (x < 0 || x < a0 || x > width) {
      r.pos = pos
      throw new CodecError(
        'corrupt',
        `a vertical mode code puts a1 at ${x}, outside ${a0}…${width}`,
      )
    }
    a0 = x
    if (x < width) {
      // vertical mode makes a1 a change; pass mode makes none
      if (pass === 0) {
        n = appendChange(out, n, x)
      }
      // The next b1. After a pass, a0 (on b2) keeps its colour and b1 is the change after b2.
      // After a vertical mode a0 takes the other colour, and b1 is the first change of the
      // other parity right of a1: the one after b1 for V(0), perhaps further on when a1 moved
      // right of b1, perhaps the one before b1 when it moved left.
      b += 1 + pass
      if (d > 0) {
        while ((ref[b] ?? width) <= x) {
          b += 2
        }
      } else if (d < 0 && b >= 2 && (ref[b - 2] ?? width) > x) {
        b -= 2
      }
    }
  }
  r.pos = pos
  out[n] = width
  out[n + 1] = width
  out[n + 2] = width
  return n
}

/** The error for the reader's position, where no 2-D mode code word starts. */
function noModeCode(r: BitReader): CodecError {
  if (r.remaining < EOL_BITS) {
    return new CodecError('truncated', 'the data ends inside a line')
  }
  if (r.peek(EOL_BITS) === EOL_CODE) {
    return new CodecError('corrupt', 'an EOL comes before the line is complete')
  }
  if (r.peek(MODE_LOOKUP_BITS) === 1) {
    // T.4 §4.2.1.3.3 / Table 4: 0000001xxx is an extension code (uncompressed mode).
    return new CodecError('unsupported', 'extension (uncompressed mode) codes are not decoded')
  }
  return new CodecError('corrupt', 'no 2-D mode code here')
}
