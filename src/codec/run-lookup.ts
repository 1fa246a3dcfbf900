/**
 * The decoders' lookup tables for run code words (T.4 Tables 2 and 3), built once from the
 * tables of t4-codes.ts: one for a code word at a time and two for a pair of terminating code
 * words, a run of each colour, at once.
 *
 * Decoding a run is a chain: the next code word's length is known only from its table entry,
 * and only then can the one after it be looked up. That chain, not the work per code word, is
 * what a page of text costs, so where two code words fit in the bits looked at they are read
 * with one lookup. In text nearly all of them do: gaps between strokes are white runs of 4–8
 * bit codes and the strokes are black runs of 2–4 bit codes.
 */
import { RUN_DECODE, RUN_LOOKUP_BITS } from './t4-codes.js'

/** Entries from BLACK_RUNS on are black code words, before it white ones. */
export const BLACK_RUNS = 1 << RUN_LOOKUP_BITS

/**
 * RUN_DECODE of both colours in one array, RUNS[colour × BLACK_RUNS + next 13 bits]: run << 4 |
 * code length (the longest run, 2560, fits in 16 bits), or 0 where no code word starts.
 */
export const RUNS: Uint16Array = (() => {
  const runs = new Uint16Array(2 * BLACK_RUNS)
  runs.set(RUN_DECODE[0])
  runs.set(RUN_DECODE[1], BLACK_RUNS)
  return runs
})()

/** The pair tables look at this many bits. */
export const PAIR_LOOKUP_BITS = 12

/**
 * A pair table entry: the first run in bits 0–5 and its code length in 6–9, the second run in
 * 10–15 and its code length in 16–19; 0 where the next 12 bits do not start with two
 * terminating code words, the first of colour `first` (0 white, 1 black) and the second of the
 * other colour.
 */
function pairTable(first: number): Uint32Array {
  const pairs = new Uint32Array(1 << PAIR_LOOKUP_BITS)
  const fill = RUN_LOOKUP_BITS - PAIR_LOOKUP_BITS
  for (let bits = 0; bits < 1 << PAIR_LOOKUP_BITS; bits++) {
    const one = RUNS[first * BLACK_RUNS + (bits << fill)] ?? 0
    const oneLength = one & 15
    if (one === 0 || one >>> 4 >= 64) {
      continue // no code word, or a make-up code
    }
    // what follows the first code word, zeros after the 12 bits: a code word that fits is
    // read right whatever comes after it
    const rest = (bits << oneLength) & ((1 << PAIR_LOOKUP_BITS) - 1)
    const two = RUNS[(first ^ 1) * BLACK_RUNS + (rest << fill)] ?? 0
    const twoLength = two & 15
    if (two === 0 || two >>> 4 >= 64 || oneLength + twoLength > PAIR_LOOKUP_BITS) {
      continue
    }
    pairs[bits] = (one >>> 4) | (oneLength << 6) | ((two >>> 4) << 10) | (twoLength << 16)
  }
  return pairs
}

/** A white run then a black one: the runs of a 1-D line, or horizontal mode from a white a0. */
export const WHITE_BLACK_PAIRS = pairTable(0)
/** A black run then a white one: horizontal mode from a black a0. */
export const BLACK_WHITE_PAIRS = pairTable(1)
