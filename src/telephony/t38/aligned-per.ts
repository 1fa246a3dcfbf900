/**
 * The few pieces of ASN.1 aligned PER (ITU-T X.691) that T.38 packets are made of: bit fields
 * written most significant bit first, padding to the next octet, length determinants and
 * octet strings. ifp.ts builds IFP packets from them and udptl.ts UDPTL packets.
 *
 * The reader checks every access against the end of the data and reports a short packet
 * through the `fail` function its user passes in, so each layer throws its own error class.
 */

/** Why a PerReader gave up: the data ends early, or it uses a form we do not accept. */
export type PerProblem = 'truncated' | 'fragmented'

/** Raises the caller's error; it must not return. */
export type PerFail = (problem: PerProblem, message: string) => never

/**
 * X.691's length determinant: below 128 is one octet, below 16384 two octets with the
 * top bits `10`; anything longer is sent in fragments of 16K units, which T.38 peers do not
 * send (Asterisk's decoder refuses them too) and which we refuse to write or read.
 */
export const MAX_UNFRAGMENTED_LENGTH = 0x3fff

export class PerWriter {
  private readonly octets: number[] = []
  /** Bits already used in the last octet of `octets` (0 when it is complete). */
  private usedBits = 0

  /** Writes the low `count` bits of `value` (count ≤ 24), most significant first. */
  bits(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      if (this.usedBits === 0) {
        this.octets.push(0)
      }
      const bit = (value >>> i) & 1
      const last = this.octets.length - 1
      this.octets[last] = (this.octets[last] ?? 0) | (bit << (7 - this.usedBits))
      this.usedBits = (this.usedBits + 1) & 7
    }
  }

  /** Pads with zero bits to the next octet boundary (what X.691 calls "octet-aligned"). */
  align(): void {
    this.usedBits = 0
  }

  /** Writes a length determinant; the caller keeps `length` ≤ MAX_UNFRAGMENTED_LENGTH. */
  lengthDeterminant(length: number): void {
    this.align()
    if (length < 0x80) {
      this.octets.push(length)
    } else {
      this.octets.push(0x80 | (length >>> 8), length & 0xff)
    }
  }

  /** Writes whole octets, starting at an octet boundary. */
  bytes(data: Uint8Array): void {
    this.align()
    for (const octet of data) {
      this.octets.push(octet)
    }
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.octets)
  }
}

export class PerReader {
  private readonly data: Uint8Array
  private readonly fail: PerFail
  /** The next bit to read, counted from the start of the data. */
  private bitPos = 0

  constructor(data: Uint8Array, fail: PerFail) {
    this.data = data
    this.fail = fail
  }

  /** Reads `count` bits (count ≤ 24) as an unsigned number. */
  bits(count: number): number {
    if (this.bitPos + count > this.data.length * 8) {
      this.fail('truncated', `needs ${count} more bits at bit ${this.bitPos}, has ${this.bitsLeft}`)
    }
    let value = 0
    for (let i = 0; i < count; i++) {
      const octet = this.data[this.bitPos >>> 3] ?? 0
      value = (value << 1) | ((octet >>> (7 - (this.bitPos & 7))) & 1)
      this.bitPos++
    }
    return value
  }

  /** Skips to the next octet boundary. */
  align(): void {
    this.bitPos = (this.bitPos + 7) & ~7
  }

  /** Reads a length determinant; refuses the fragmented form (lengths of 16K and more). */
  lengthDeterminant(): number {
    this.align()
    const first = this.bits(8)
    if ((first & 0x80) === 0) {
      return first
    }
    if ((first & 0x40) === 0) {
      return ((first & 0x3f) << 8) | this.bits(8)
    }
    return this.fail('fragmented', `fragmented length determinant 0x${first.toString(16)}`)
  }

  /** Reads `length` whole octets (a copy), starting at an octet boundary. */
  bytes(length: number): Uint8Array {
    this.align()
    const start = this.bitPos >>> 3
    if (start + length > this.data.length) {
      this.fail(
        'truncated',
        `needs ${length} octets at octet ${start}, has ${this.data.length - start}`,
      )
    }
    this.bitPos += length * 8
    return this.data.slice(start, start + length)
  }

  get bitsLeft(): number {
    return this.data.length * 8 - this.bitPos
  }

  /** Octets consumed so far, counting a partly read octet as whole (as a packet pads it). */
  get octetsUsed(): number {
    return (this.bitPos + 7) >>> 3
  }
}
