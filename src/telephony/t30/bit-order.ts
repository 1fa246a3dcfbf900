/**
 * Bit order at the T.38 edge. T.30 and T.4 send each octet least significant bit first, and
 * write their tables in that order ("bit 1" is the first bit on the line); T.38 puts the
 * first-sent bit in the most significant bit of each octet. Frames here are kept in the T.38
 * (wire) form, so a number that T.30 sends LSB first — an ECM frame number, a PPS counter, a
 * digit of a TSI — appears bit-reversed: frame 1 is 0x80, and FCD's FCF 0x06 is 0x60.
 * spandsp keeps the LSB-first form inside and reverses every octet at the T.38 edge
 * (`bit_reverse()` in t38_terminal.c); we do the opposite, reversing only the numbers.
 */

/** REVERSED[n] is n with its 8 bits in the opposite order. */
const REVERSED: Uint8Array = (() => {
  const table = new Uint8Array(256)
  for (let n = 0; n < 256; n++) {
    let r = 0
    for (let bit = 0; bit < 8; bit++) {
      r |= ((n >> bit) & 1) << (7 - bit)
    }
    table[n] = r
  }
  return table
})()

/**
 * The octet with its bits in the opposite order: the wire form of a number sent LSB first, and
 * back again (the function is its own inverse). Only the low 8 bits of `octet` count.
 */
export function reverseBits(octet: number): number {
  return REVERSED[octet & 0xff] ?? 0
}
