/**
 * Writes code words most significant bit first, the first-coded bit in the top bit of each
 * octet (TIFF FillOrder 1, and the order in which they are sent on the line). The buffer grows by
 * doubling; `finish` pads the last octet with zero bits.
 */

export class BitWriter {
  private bytes: Uint8Array
  private length = 0
  /** Bits not yet stored, right-aligned; fewer than 8 between calls. */
  private pending = 0
  private pendingBits = 0

  constructor(initialCapacity = 4096) {
    this.bytes = new Uint8Array(Math.max(16, initialCapacity))
  }

  /** Bits written so far. */
  get bitLength(): number {
    return this.length * 8 + this.pendingBits
  }

  /** Appends the low `bits` bits of `code` (at most 24 bits per call). */
  write(code: number, bits: number): void {
    if (this.length + 4 > this.bytes.length) {
      this.grow()
    }
    const pending = (this.pending << bits) | code
    let pendingBits = this.pendingBits + bits
    while (pendingBits >= 8) {
      pendingBits -= 8
      this.bytes[this.length++] = (pending >>> pendingBits) & 0xff
    }
    this.pending = pending & ((1 << pendingBits) - 1)
    this.pendingBits = pendingBits
  }

  /** Appends `count` zero bits (fill). */
  writeZeros(count: number): void {
    let left = count
    while (left > 0) {
      const n = left > 24 ? 24 : left
      this.write(0, n)
      left -= n
    }
  }

  /** Appends zero bits up to the next octet boundary. */
  padToOctet(): void {
    if (this.pendingBits > 0) {
      this.write(0, 8 - this.pendingBits)
    }
  }

  /** The bytes written, the last octet padded with zero bits. */
  finish(): Uint8Array {
    this.padToOctet()
    return this.bytes.slice(0, this.length)
  }

  private grow(): void {
    const bigger = new Uint8Array(this.bytes.length * 2)
    bigger.set(this.bytes.subarray(0, this.length))
    this.bytes = bigger
  }
}
