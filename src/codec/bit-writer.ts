/**
 * Writes code words most significant bit first, the first-coded bit in the top bit of each
 * octet (TIFF FillOrder 1, and the order in which they are sent on the line). Bits gather in a
 * 32-bit word that is stored whole (one big-endian store) when full, rather than octet by
 * octet. The buffer grows by doubling; `finish` pads the last octet with zero bits.
 */

export class BitWriter {
  private bytes: Uint8Array
  private view: DataView
  /** Octets stored. */
  private length = 0
  /** Bits not yet stored, right-aligned; fewer than 32 between calls. */
  private pending = 0
  private pendingBits = 0

  constructor(initialCapacity = 4096) {
    this.bytes = new Uint8Array(Math.max(16, initialCapacity))
    this.view = new DataView(this.bytes.buffer)
  }

  /** Bits written so far. */
  get bitLength(): number {
    return this.length * 8 + this.pendingBits
  }

  /** Appends `code`, `bits` bits long (1 to 24; `code` has no bits above them). */
  write(code: number, bits: number): void {
    const room = 32 - this.pendingBits
    if (bits < room) {
      this.pending = (this.pending << bits) | code
      this.pendingBits += bits
      return
    }
    // The word fills up: its last `room` bits are the first of the code.
    const rest = bits - room
    if (this.length + 4 > this.bytes.length) {
      this.grow()
    }
    this.view.setUint32(this.length, (this.pending << room) | (code >>> rest))
    this.length += 4
    this.pending = code & ((1 << rest) - 1)
    this.pendingBits = rest
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
    const partial = this.pendingBits & 7
    if (partial > 0) {
      this.write(0, 8 - partial)
    }
  }

  /** The bytes written, the last octet padded with zero bits. */
  finish(): Uint8Array {
    this.padToOctet()
    // store the whole octets still pending (at most three)
    if (this.length + 4 > this.bytes.length) {
      this.grow()
    }
    while (this.pendingBits > 0) {
      this.pendingBits -= 8
      this.bytes[this.length++] = (this.pending >>> this.pendingBits) & 0xff
    }
    this.pending = 0
    return this.bytes.slice(0, this.length)
  }

  private grow(): void {
    const bigger = new Uint8Array(this.bytes.length * 2)
    bigger.set(this.bytes.subarray(0, this.length))
    this.bytes = bigger
    this.view = new DataView(bigger.buffer)
  }
}
