/**
 * The code words of ITU-T T.4 (07/2003): Table 2 (terminating codes), Table 3 (make-up codes),
 * Table 4 (2-D mode codes) and the extended make-up codes of §4.1.1, typed in from the
 * Recommendation as bit strings, and the lookup tables built from them for the coder
 * (run → code word) and the decoder (next 13 bits → run and code length). T.6 (MMR) uses the
 * same code words.
 */

/** T.4 Table 2/T.4, white terminating codes, index = run length 0…63. */
// prettier-ignore
const WHITE_TERMINATING: readonly string[] = [
  '00110101', '000111', '0111', '1000', '1011', '1100', '1110', '1111',
  '10011', '10100', '00111', '01000', '001000', '000011', '110100', '110101',
  '101010', '101011', '0100111', '0001100', '0001000', '0010111', '0000011', '0000100',
  '0101000', '0101011', '0010011', '0100100', '0011000', '00000010', '00000011', '00011010',
  '00011011', '00010010', '00010011', '00010100', '00010101', '00010110', '00010111', '00101000',
  '00101001', '00101010', '00101011', '00101100', '00101101', '00000100', '00000101', '00001010',
  '00001011', '01010010', '01010011', '01010100', '01010101', '00100100', '00100101', '01011000',
  '01011001', '01011010', '01011011', '01001010', '01001011', '00110010', '00110011', '00110100',
]

/** T.4 Table 2/T.4, black terminating codes, index = run length 0…63. */
// prettier-ignore
const BLACK_TERMINATING: readonly string[] = [
  '0000110111', '010', '11', '10', '011', '0011', '0010', '00011',
  '000101', '000100', '0000100', '0000101', '0000111', '00000100', '00000111', '000011000',
  '0000010111', '0000011000', '0000001000', '00001100111', '00001101000', '00001101100',
  '00000110111', '00000101000', '00000010111', '00000011000', '000011001010', '000011001011',
  '000011001100', '000011001101', '000001101000', '000001101001', '000001101010',
  '000001101011', '000011010010', '000011010011', '000011010100', '000011010101',
  '000011010110', '000011010111', '000001101100', '000001101101', '000011011010',
  '000011011011', '000001010100', '000001010101', '000001010110', '000001010111',
  '000001100100', '000001100101', '000001010010', '000001010011', '000000100100',
  '000000110111', '000000111000', '000000100111', '000000101000', '000001011000',
  '000001011001', '000000101011', '000000101100', '000001011010', '000001100110',
  '000001100111',
]

/** T.4 Table 3a/T.4, white make-up codes, index k = run length 64 × (k + 1), 64…1728. */
// prettier-ignore
const WHITE_MAKEUP: readonly string[] = [
  '11011', '10010', '010111', '0110111', '00110110', '00110111', '01100100', '01100101',
  '01101000', '01100111', '011001100', '011001101', '011010010', '011010011', '011010100',
  '011010101', '011010110', '011010111', '011011000', '011011001', '011011010', '011011011',
  '010011000', '010011001', '010011010', '011000', '010011011',
]

/** T.4 Table 3a/T.4, black make-up codes, index k = run length 64 × (k + 1), 64…1728. */
// prettier-ignore
const BLACK_MAKEUP: readonly string[] = [
  '0000001111', '000011001000', '000011001001', '000001011011', '000000110011',
  '000000110100', '000000110101', '0000001101100', '0000001101101', '0000001001010',
  '0000001001011', '0000001001100', '0000001001101', '0000001110010', '0000001110011',
  '0000001110100', '0000001110101', '0000001110110', '0000001110111', '0000001010010',
  '0000001010011', '0000001010100', '0000001010101', '0000001011010', '0000001011011',
  '0000001100100', '0000001100101',
]

/**
 * T.4 Table 3b/T.4, extended make-up codes for both colours, index k = run length
 * 1792 + 64 × k, 1792…2560.
 */
// prettier-ignore
const EXTENDED_MAKEUP: readonly string[] = [
  '00000001000', '00000001100', '00000001101', '000000010010', '000000010011', '000000010100',
  '000000010101', '000000010110', '000000010111', '000000011100', '000000011101',
  '000000011110', '000000011111',
]

/** T.4 §4.1.2: "EOL: 000000000001". */
export const EOL_CODE = 0b000000000001
export const EOL_BITS = 12

/** The largest make-up code; T.4 §4.1.1.1: longer runs repeat it. */
export const MAX_MAKEUP = 2560

export const WHITE = 0
export const BLACK = 1

/** One code word: its bits as a number (first bit most significant) and its length. */
export interface CodeWord {
  readonly code: number
  readonly bits: number
}

function word(text: string): CodeWord {
  return { code: Number.parseInt(text, 2), bits: text.length }
}

/** Every run code word of one colour: run length and bit string, for tests and table building. */
export function runCodeWords(colour: number): { run: number; text: string }[] {
  const terminating = colour === WHITE ? WHITE_TERMINATING : BLACK_TERMINATING
  const makeup = colour === WHITE ? WHITE_MAKEUP : BLACK_MAKEUP
  return [
    ...terminating.map((text, run) => ({ run, text })),
    ...makeup.map((text, k) => ({ run: 64 * (k + 1), text })),
    ...EXTENDED_MAKEUP.map((text, k) => ({ run: 1792 + 64 * k, text })),
  ]
}

/**
 * Coder tables, packed as code << 4 | length: TERMINATING[colour][run] for run 0…63 and
 * MAKEUP[colour][run / 64] for 64…2560.
 */
function packedCoderTable(colour: number, first: number, count: number): Uint32Array {
  const table = new Uint32Array(count)
  for (const { run, text } of runCodeWords(colour)) {
    const index = first === 0 ? run : run / 64
    if (first === 0 ? run < 64 : run >= 64) {
      const { code, bits } = word(text)
      table[index] = (code << 4) | bits
    }
  }
  return table
}

export const TERMINATING: readonly [Uint32Array, Uint32Array] = [
  packedCoderTable(WHITE, 0, 64),
  packedCoderTable(BLACK, 0, 64),
]
export const MAKEUP: readonly [Uint32Array, Uint32Array] = [
  packedCoderTable(WHITE, 64, MAX_MAKEUP / 64 + 1),
  packedCoderTable(BLACK, 64, MAX_MAKEUP / 64 + 1),
]

/** The decoder looks at this many bits at once: the longest run code word (black, 13 bits). */
export const RUN_LOOKUP_BITS = 13

/**
 * Decoder tables indexed by the next 13 bits: run << 4 | code length, or 0 where no code word
 * starts (an EOL, fill, or garbage).
 */
function decoderTable(colour: number): Uint32Array {
  const table = new Uint32Array(1 << RUN_LOOKUP_BITS)
  for (const { run, text } of runCodeWords(colour)) {
    const { code, bits } = word(text)
    const shift = RUN_LOOKUP_BITS - bits
    table.fill((run << 4) | bits, code << shift, (code + 1) << shift)
  }
  return table
}

export const RUN_DECODE: readonly [Uint32Array, Uint32Array] = [
  decoderTable(WHITE),
  decoderTable(BLACK),
]

/** The 2-D modes of T.4 §4.2.1.3.3 as numbers, for the decoder's table. */
export const MODE_PASS = 1
export const MODE_HORIZONTAL = 2
/** Vertical modes: MODE_V0 + (a1 − b1), a1 − b1 in −3…3. */
export const MODE_V0 = 6

/** T.4 Table 4/T.4, 2-D mode code words. */
export const PASS: CodeWord = word('0001')
export const HORIZONTAL: CodeWord = word('001')
/** Vertical mode code words, index = a1b1 + 3: VL3, VL2, VL1, V0, VR1, VR2, VR3. */
export const VERTICAL: readonly CodeWord[] = [
  word('0000010'),
  word('000010'),
  word('010'),
  word('1'),
  word('011'),
  word('000011'),
  word('0000011'),
]

/** The decoder looks at 7 bits for a mode: the longest mode code word. */
export const MODE_LOOKUP_BITS = 7

/** Indexed by the next 7 bits: mode << 4 | code length, or 0 (EOL, extension, garbage). */
export const MODE_DECODE: Uint16Array = (() => {
  const table = new Uint16Array(1 << MODE_LOOKUP_BITS)
  const put = (w: CodeWord, mode: number): void => {
    const shift = MODE_LOOKUP_BITS - w.bits
    table.fill((mode << 4) | w.bits, w.code << shift, (w.code + 1) << shift)
  }
  put(PASS, MODE_PASS)
  put(HORIZONTAL, MODE_HORIZONTAL)
  VERTICAL.forEach((w, i) => put(w, MODE_V0 + i - 3))
  return table
})()
