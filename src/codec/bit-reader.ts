/**
 * Reads a coded stream most significant bit first (TIFF FillOrder 1). Looking past the end
 * yields zero bits, so a decoder can always peek a whole code word; it compares `pos` with
 * `bitLength` to tell a complete code from one cut off by the end of the data.
 *
 * The bits are read 32 at a time (one big-endian word load) rather than octet by octet. The
 * decoders' inner loops keep the position in a local variable and look with `bitsAt`; the
 * methods serve everything else.
 */

/** Zero octets after the data: a 32-bit load from any bit up to 32 past the end stays inside. */
const PADDING = 8

export class BitReader {
  /** The data followed by PADDING zero octets, for 32-bit loads. */
  readonly view: DataView
  readonly bitLength: number
  /** The next bit to read, counted from the start of the data. */
  pos = 0

  constructor(data: Uint8Array) {
    const bytes = new Uint8Array(data.length + PADDING)
    bytes.set(data)
    this.view = new DataView(bytes.buffer)
    this.bitLength = data.length * 8
  }

  /** The next `bits` bits (1 to 25) as a number, without consuming them. */
  peek(bits: number): number {
    if (this.pos > this.bitLength + 32) {
      return 0
    }
    return bitsAt(this.view, this.pos) >>> (32 - bits)
  }

  skip(bits: number): void {
    this.pos += bits
  }

  /** True when the data ends before the position (a code word ran off the end). */
  get overrun(): boolean {
    return this.pos > this.bitLength
  }

  /** Bits left to read. */
  get remaining(): number {
    return this.bitLength - this.pos
  }

  /**
   * The number of zero bits from the current position, counting at most up to the end of the
   * data (so a zero tail counts as `remaining`).
   */
  countZeros(): number {
    const end = this.bitLength
    let at = this.pos
    while (at < end) {
      const word = bitsAt(this.view, at)
      if (word !== 0) {
        return Math.min(at + Math.clz32(word), end) - this.pos
      }
      at += 25 // all of the (at least 25) bits bitsAt gives are zeros
    }
    return end - this.pos
  }
}

/**
 * The bits of the reader's `view` from bit `pos` on, left-aligned in a 32-bit number (the
 * first one in the sign bit): at least 25 of them are bits of the data or, past its end, zeros.
 * `bitsAt(view, pos) >>> (32 - n)` is the next n bits. `pos` must be at most 32 bits past the
 * end of the data, as it is while a decoder stops at the first code that overruns the end.
 */
export function bitsAt(view: DataView, pos: number): number {
  return view.getUint32(pos >>> 3) << (pos & 7)
}
