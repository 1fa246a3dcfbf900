/**
 * UDPTL, the framing T.38 puts IFP packets in on UDP (T.38 §9.1 and Annex C), and the sender
 * that numbers the datagrams and adds error recovery:
 *
 *     UDPTLPacket ::= SEQUENCE {
 *       seq-number          INTEGER (0..65535),             -- 2 octets, wraps to 0
 *       primary-ifp-packet  TYPE-IDENTIFIER.&Type(IFPPacket),  -- an open type
 *       error-recovery      CHOICE {
 *         secondary-ifp-packets  SEQUENCE OF TYPE-IDENTIFIER.&Type(IFPPacket),
 *         fec-info  SEQUENCE { fec-npackets INTEGER, fec-data SEQUENCE OF OCTET STRING } } }
 *
 * An open type is a length determinant and its octets; the CHOICE index is one bit padded to
 * an octet (`00` secondaries, `80` FEC). Secondaries are the IFPs of the previous packets,
 * newest first ("redundancy", what nearly every peer uses); FEC is udptl-fec.ts. Lengths of
 * 16K and more would be sent in fragments, which T.38 peers never do and we refuse.
 *
 * The IFPs inside stay as octets here: only the receiver of them knows the T.38 version that
 * decodes them.
 */
import { PerReader, PerWriter, MAX_UNFRAGMENTED_LENGTH, type PerProblem } from './aligned-per.js'
import { fecDistances, xorPadded } from './udptl-fec.js'

export type ErrorRecovery =
  /** The IFPs of seq − 1, seq − 2, … (newest first); none at all for "no error correction". */
  | { readonly kind: 'redundancy'; readonly secondaries: readonly Uint8Array[] }
  /** Annex C parity: `span` packets per group, one block per group (udptl-fec.ts). */
  | { readonly kind: 'fec'; readonly span: number; readonly entries: readonly Uint8Array[] }

export interface UdptlPacket {
  readonly seq: number
  readonly primary: Uint8Array
  readonly recovery: ErrorRecovery
}

export type UdptlErrorCode =
  | 'truncated'
  | 'fragmented'
  /** Octets left over after the packet (a UDPTL datagram holds exactly one packet). */
  | 'trailing-octets'
  /** An fec-npackets that is negative or absurdly long. */
  | 'bad-value'
  /** The sender was given options or an IFP it cannot work with. */
  | 'bad-argument'

/** The one error UDPTL parsing and building throw. */
export class UdptlError extends Error {
  override readonly name = 'UdptlError'
  readonly code: UdptlErrorCode

  constructor(code: UdptlErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

export function buildUdptl(packet: UdptlPacket): Uint8Array {
  const out = new PerWriter()
  out.bits(packet.seq & 0xffff, 16)
  writeOpenType(out, packet.primary)
  const recovery = packet.recovery
  if (recovery.kind === 'redundancy') {
    out.bytes(Uint8Array.of(0x00))
    writeCount(out, recovery.secondaries.length)
    for (const ifp of recovery.secondaries) {
      writeOpenType(out, ifp)
    }
  } else {
    out.bytes(Uint8Array.of(0x80))
    writeInteger(out, recovery.span)
    writeCount(out, recovery.entries.length)
    for (const block of recovery.entries) {
      writeOctetString(out, block)
    }
  }
  return out.finish()
}

/** Parses one datagram, or throws a UdptlError. */
export function parseUdptl(datagram: Uint8Array): UdptlPacket {
  const fail = (problem: PerProblem, message: string): never => {
    throw new UdptlError(problem, `UDPTL: ${message}`)
  }
  const input = new PerReader(datagram, fail)
  const seq = input.bits(16)
  const primary = readOpenType(input)
  let recovery: ErrorRecovery
  if (input.bits(1) === 0) {
    input.align()
    const secondaries: Uint8Array[] = []
    const count = input.lengthDeterminant()
    for (let i = 0; i < count; i++) {
      secondaries.push(readOpenType(input))
    }
    recovery = { kind: 'redundancy', secondaries }
  } else {
    input.align()
    const span = readInteger(input)
    const entries: Uint8Array[] = []
    const count = input.lengthDeterminant()
    for (let i = 0; i < count; i++) {
      entries.push(input.bytes(input.lengthDeterminant()))
    }
    recovery = { kind: 'fec', span, entries }
  }
  if (input.octetsUsed !== datagram.length) {
    throw new UdptlError(
      'trailing-octets',
      `UDPTL: ends at ${input.octetsUsed} of ${datagram.length}`,
    )
  }
  return { seq, primary, recovery }
}

function writeCount(out: PerWriter, count: number): void {
  if (count > MAX_UNFRAGMENTED_LENGTH) {
    throw new UdptlError('bad-argument', `UDPTL: ${count} elements would need fragments`)
  }
  out.lengthDeterminant(count)
}

/**
 * An open type: a length determinant and the octets. An IFP is never empty, and X.691 sends
 * an empty open type as one zero octet, which would read back as a no-signal indicator, so we
 * refuse to write one. (Asterisk still meets zero-length secondaries from some peers, so the
 * reader accepts them; the receiver treats one as "not available".)
 */
function writeOpenType(out: PerWriter, octets: Uint8Array): void {
  if (octets.length === 0) {
    throw new UdptlError('bad-argument', 'UDPTL: an empty IFP')
  }
  writeOctetString(out, octets)
}

/** An unconstrained OCTET STRING: a length determinant and the octets (FEC blocks). */
function writeOctetString(out: PerWriter, octets: Uint8Array): void {
  writeCount(out, octets.length)
  out.bytes(octets)
}

function readOpenType(input: PerReader): Uint8Array {
  return input.bytes(input.lengthDeterminant())
}

/** An unconstrained INTEGER in PER: a length determinant, then two's complement octets. */
function writeInteger(out: PerWriter, value: number): void {
  const octets: number[] = []
  let rest = value
  do {
    octets.unshift(rest & 0xff)
    rest = Math.floor(rest / 256)
  } while (rest > 0 || ((octets[0] ?? 0) & 0x80) !== 0)
  out.lengthDeterminant(octets.length)
  out.bytes(Uint8Array.from(octets))
}

function readInteger(input: PerReader): number {
  const length = input.lengthDeterminant()
  if (length < 1 || length > 4) {
    throw new UdptlError('bad-value', `UDPTL: fec-npackets of ${length} octets`)
  }
  const octets = input.bytes(length)
  if (((octets[0] ?? 0) & 0x80) !== 0) {
    throw new UdptlError('bad-value', 'UDPTL: negative fec-npackets')
  }
  return octets.reduce((value, octet) => value * 256 + octet, 0)
}

/** What the sender adds to each datagram so the far end can rebuild lost ones. */
export type ErrorCorrection =
  | { readonly kind: 'none' }
  /** T38FaxUdpEC:t38UDPRedundancy. `depth` previous IFPs ride along (2 or 3 is usual). */
  | { readonly kind: 'redundancy'; readonly depth: number }
  /** T38FaxUdpEC:t38UDPFEC. Asterisk's defaults are span 3, entries 3. */
  | { readonly kind: 'fec'; readonly span: number; readonly entries: number }

export interface UdptlSenderOptions {
  readonly errorCorrection: ErrorCorrection
  /**
   * The far end's T38FaxMaxDatagram. Redundant IFPs that would make a datagram longer are left
   * out, oldest first (as spandsp's test UDPTL does). A primary IFP is always sent, and FEC
   * blocks are not cut: keep IFPs small enough for them. Default: no limit.
   */
  readonly maxDatagram?: number
  /** The first sequence number (default 0, where T.38 peers start). */
  readonly firstSeq?: number
}

/**
 * Numbers IFPs into UDPTL datagrams. A terminal sends indicators and end packets 3 times: send
 * the one datagram `packet()` returned 3 times, so the copies share a sequence number.
 */
export class UdptlSender {
  private readonly errorCorrection: ErrorCorrection
  private readonly maxDatagram: number
  /** The IFPs sent so far, oldest first, as many as error recovery can refer to. */
  private readonly history: Uint8Array[] = []
  private readonly historyLength: number
  private sentCount = 0
  private seq = 0

  constructor(options: UdptlSenderOptions) {
    const ec = options.errorCorrection
    const counts =
      ec.kind === 'none' ? [] : ec.kind === 'redundancy' ? [ec.depth] : [ec.span, ec.entries]
    if (counts.some((n) => !Number.isInteger(n) || n < (ec.kind === 'fec' ? 1 : 0) || n > 255)) {
      throw new UdptlError('bad-argument', `UDPTL: bad error correction ${JSON.stringify(ec)}`)
    }
    this.errorCorrection = ec
    this.maxDatagram = options.maxDatagram ?? Infinity
    this.seq = (options.firstSeq ?? 0) & 0xffff
    this.historyLength =
      ec.kind === 'none' ? 0 : ec.kind === 'redundancy' ? ec.depth : ec.span * ec.entries
  }

  /** The sequence number the next datagram will carry. */
  get nextSeq(): number {
    return this.seq
  }

  /** The datagram carrying `ifp` as the next sequence number. */
  packet(ifp: Uint8Array): Uint8Array {
    const seq = this.seq
    const datagram = this.build(seq, ifp)
    this.history.push(ifp)
    if (this.history.length > this.historyLength) {
      this.history.shift()
    }
    this.sentCount++
    this.seq = (seq + 1) & 0xffff
    return datagram
  }

  private build(seq: number, primary: Uint8Array): Uint8Array {
    const ec = this.errorCorrection
    if (ec.kind !== 'fec') {
      const secondaries = ec.kind === 'none' ? [] : [...this.history].reverse()
      let datagram = buildUdptl({ seq, primary, recovery: { kind: 'redundancy', secondaries } })
      while (datagram.length > this.maxDatagram && secondaries.length > 0) {
        secondaries.pop()
        datagram = buildUdptl({ seq, primary, recovery: { kind: 'redundancy', secondaries } })
      }
      return datagram
    }
    // Wind up at the start of a stream as Asterisk does: fewer groups until span·entries
    // packets exist, so no block refers to a packet before the first.
    const span = this.sentCount < ec.span ? 0 : ec.span
    const entryCount = Math.min(ec.entries, Math.floor(this.sentCount / ec.span))
    const entries: Uint8Array[] = []
    for (let m = 0; m < entryCount; m++) {
      const group = fecDistances(span, entryCount, m).map(
        (back) => this.history[this.history.length - back] ?? new Uint8Array(0),
      )
      entries.push(xorPadded(group))
    }
    return buildUdptl({ seq, primary, recovery: { kind: 'fec', span, entries } })
  }
}
