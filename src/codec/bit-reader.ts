/**
 * Reads a coded stream most significant bit first (TIFF FillOrder 1). Looking past the end
 * yields zero bits, so a decoder can always peek a whole code word; it compares `pos` with
 * `bitLength` to tell a complete code from one cut off by the end of the data.
 */

export class BitReader {
  /** The data followed by 4 zero octets, so a peek never reads outside the array. */
  private readonly bytes: Uint8Array
  readonly bitLength: number
  /** The next bit to read, counted from the start of the data. */
  pos = 0

  constructor(data: Uint8Array) {
    this.bytes = new Uint8Array(data.length + 4)
    this.bytes.set(data)
    this.bitLength = data.length * 8
  }

  /** The next `bits` bits (1 to 25) as a number, without consuming them. */
  peek(bits: number): number {
    const b = this.bytes
    const i = this.pos >>> 3
    const word =
      ((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)
    return (word << (this.pos & 7)) >>> (32 - bits)
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
    let count = 0
    let at = this.pos
    const end = this.bitLength
    while (at < end) {
      const i = at >>> 3
      const octet = ((this.bytes[i] ?? 0) << (at & 7)) & 0xff
      if (octet !== 0) {
        return Math.min(count + Math.clz32(octet) - 24, end - this.pos)
      }
      const step = 8 - (at & 7)
      count += step
      at += step
    }
    return end - this.pos
  }
}
