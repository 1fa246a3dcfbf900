/**
 * Turns arriving UDPTL datagrams back into the far end's IFP stream: in order, each IFP once,
 * with gaps filled from the error recovery data where it can be and counted where it cannot.
 *
 * A datagram ahead of the one expected means the ones between are missing, so they are rebuilt
 * from its secondaries (oldest first) or its FEC blocks. What cannot be rebuilt is reported lost
 * at once, as Asterisk's `udptl_rx_packet` and spandsp's `t38_core_rx_ifp_packet` do, or, with
 * `reorderHoldMs`, after the datagram has been held that long for the missing ones to arrive
 * late: a burst of packets that the network reordered by more than the redundancy covers then
 * still arrives whole. A datagram behind the one expected (a repeat copy, a duplicate, a late
 * arrival past its hold) is dropped. Sequence numbers wrap at 65536; "ahead" means less than
 * half the number space ahead.
 *
 * FEC rebuilds an IFP padded with zeros to the longest of its group, so the receiver must
 * know the T.38 version to find where the IFP ends (ifp.ts `ifpLength`).
 */
import { ifpLength, IfpError, type T38Version } from './ifp.js'
import { parseUdptl, UdptlError, type UdptlPacket } from './udptl.js'
import { fecDistances, xorPadded } from './udptl-fec.js'

export interface UdptlReceiverOptions {
  readonly version: T38Version
  /**
   * How long a datagram that leaves a gap its recovery data cannot fill is held, waiting for
   * the missing ones to come late (reordered by the network), before the gap is counted lost
   * (ms; the caller's time, given to `receive` and `due`). 0, the default, never waits.
   */
  readonly reorderHoldMs?: number
}

export interface UdptlDelivery {
  /** IFPs to hand to the terminal, oldest first. */
  readonly ifps: Uint8Array[]
  /** Packets found missing now that could not be rebuilt (for T38Terminal.lost). */
  readonly lost: number
}

export interface UdptlReceiverStats {
  readonly datagrams: number
  /** Datagrams that did not parse; ignored. */
  readonly malformed: number
  /** Copies of a packet already delivered (T.38 sends indicators 3 times). */
  readonly duplicates: number
  /** Packets that came after their place in the stream was passed; dropped. */
  readonly late: number
  /** Missing packets rebuilt from secondaries or FEC. */
  readonly recovered: number
  readonly lost: number
}

/** Packets remembered for FEC (far more than any span × entries in use). */
const HISTORY = 1024
const NOTHING: UdptlDelivery = { ifps: [], lost: 0 }
/**
 * A packet more than this far from the one expected (about 1 s of paced data) is taken as the
 * stream's new place only when the packet after it follows on: one stray datagram with a wild
 * sequence number must not make every real packet after it look late.
 */
const JUMP_WINDOW = 32

export class UdptlReceiver {
  private readonly version: T38Version
  /** The next packet expected, counted without wrapping; undefined before the first. */
  private expected: number | undefined
  /** Recent packets' IFPs by unwrapped number; null for one that was lost. */
  private readonly history = new Map<number, Uint8Array | null>()
  private pendingJump: { readonly number: number; readonly packet: UdptlPacket } | undefined
  private readonly reorderHoldMs: number
  /** Datagrams ahead of a gap, by unwrapped number, while the gap may still fill. */
  private readonly held = new Map<number, UdptlPacket>()
  /** When the oldest gap is given up on; undefined while nothing is held. */
  private holdUntil: number | undefined
  private counts = { datagrams: 0, malformed: 0, duplicates: 0, late: 0, recovered: 0, lost: 0 }

  constructor(options: UdptlReceiverOptions) {
    this.version = options.version
    this.reorderHoldMs = options.reorderHoldMs ?? 0
  }

  get stats(): UdptlReceiverStats {
    return { ...this.counts }
  }

  /** A datagram arrives at time `nowMs` (only its holds use the time). */
  receive(datagram: Uint8Array, nowMs = 0): UdptlDelivery {
    this.counts.datagrams++
    let packet: UdptlPacket
    try {
      packet = parseUdptl(datagram)
    } catch (error) {
      if (error instanceof UdptlError) {
        this.counts.malformed++
        return NOTHING
      }
      throw error
    }
    if (this.expected === undefined) {
      return this.first(packet)
    }
    const ahead = (((packet.seq - this.expected + 32768) & 0xffff) - 32768) | 0
    const number = this.expected + ahead
    if (ahead > JUMP_WINDOW || ahead < -JUMP_WINDOW) {
      return this.farAway(packet, number)
    }
    this.pendingJump = undefined
    if (ahead < 0) {
      if (this.history.get(number) instanceof Uint8Array) {
        this.counts.duplicates++
      } else {
        this.counts.late++
      }
      return NOTHING
    }
    if (this.held.has(number)) {
      this.counts.duplicates++
      return NOTHING
    }
    this.held.set(number, packet)
    this.holdUntil ??= nowMs + this.reorderHoldMs
    return this.release(false)
  }

  /** What a hold that has run out by `nowMs` gives up: the gap counted lost, the rest in order. */
  due(nowMs: number): UdptlDelivery {
    if (this.holdUntil === undefined || nowMs < this.holdUntil) {
      return NOTHING
    }
    return this.release(true)
  }

  /**
   * Hands on the held datagrams that follow on: each whose gap is empty or can be rebuilt, and
   * with `giveUp` every one, the gaps before them counted lost.
   */
  private release(giveUp: boolean): UdptlDelivery {
    const force = giveUp || this.reorderHoldMs === 0
    const ifps: Uint8Array[] = []
    let lost = 0
    while (this.held.size > 0) {
      const number = Math.min(...this.held.keys())
      const packet = this.held.get(number)!
      const gap = number - this.expected!
      if (gap > 0 && !force && !this.canRebuild(packet, number, gap)) {
        break
      }
      this.held.delete(number)
      if (gap < 0) {
        continue
      }
      lost += this.fillGap(packet, number, gap, ifps)
      this.accept(number, packet.primary, ifps)
    }
    if (this.held.size === 0) {
      this.holdUntil = undefined
    }
    return { ifps, lost }
  }

  private canRebuild(packet: UdptlPacket, number: number, gap: number): boolean {
    if (gap > HISTORY) {
      return false
    }
    const rebuilt = this.rebuild(packet, number, number - gap)
    for (let n = number - gap; n < number; n++) {
      if (!rebuilt.has(n)) {
        return false
      }
    }
    return true
  }

  /**
   * A packet far from where the stream is: a long outage, a far end that started counting
   * again, or a stray datagram. It becomes the stream's new place only when the packet after
   * it follows on from it; until then the stream goes on where it was.
   */
  private farAway(packet: UdptlPacket, number: number): UdptlDelivery {
    const pending = this.pendingJump
    if (
      pending === undefined ||
      number <= pending.number ||
      number - pending.number > JUMP_WINDOW
    ) {
      this.pendingJump = { number, packet }
      this.counts.late++
      return NOTHING
    }
    this.pendingJump = undefined
    // The stream has moved: what was held for the old place is dropped with it.
    this.held.clear()
    this.holdUntil = undefined
    const ifps: Uint8Array[] = []
    let lost = 0
    if (pending.number >= this.expected!) {
      lost += this.fillGap(pending.packet, pending.number, pending.number - this.expected!, ifps)
    } else {
      // Counting started again behind us: forget the old stream's numbers from there on.
      for (const n of this.history.keys()) {
        if (n >= pending.number) {
          this.history.delete(n)
        }
      }
    }
    this.accept(pending.number, pending.packet.primary, ifps)
    lost += this.fillGap(packet, number, number - pending.number - 1, ifps)
    this.accept(number, packet.primary, ifps)
    return { ifps, lost }
  }

  /**
   * The first datagram starts the stream wherever its number is (spandsp: "We can't assume
   * they will start from zero, even though they should"). Its secondaries are delivered too,
   * back to sequence number 0, in case the very first packets were lost.
   */
  private first(packet: UdptlPacket): UdptlDelivery {
    const ifps: Uint8Array[] = []
    if (packet.recovery.kind === 'redundancy') {
      const reach = Math.min(packet.recovery.secondaries.length, packet.seq)
      for (let back = reach; back >= 1; back--) {
        const ifp = packet.recovery.secondaries[back - 1]
        if (ifp !== undefined && ifp.length > 0) {
          this.counts.recovered++
          this.accept(packet.seq - back, ifp, ifps)
        }
      }
    }
    this.accept(packet.seq, packet.primary, ifps)
    return { ifps, lost: 0 }
  }

  /** Rebuilds what it can of the `gap` packets before `number`; answers how many are lost. */
  private fillGap(packet: UdptlPacket, number: number, gap: number, ifps: Uint8Array[]): number {
    const tracked = Math.min(gap, HISTORY)
    const from = number - tracked
    const rebuilt = this.rebuild(packet, number, from)
    let lost = gap - tracked
    for (let n = from; n < number; n++) {
      const ifp = rebuilt.get(n)
      if (ifp === undefined) {
        this.history.set(n, null)
        lost++
      } else {
        this.counts.recovered++
        this.accept(n, ifp, ifps)
      }
    }
    this.counts.lost += lost
    return lost
  }

  /** The IFPs of packets `from` … number − 1 that `packet`'s recovery data gives back. */
  private rebuild(packet: UdptlPacket, number: number, from: number): Map<number, Uint8Array> {
    return packet.recovery.kind === 'redundancy'
      ? fromSecondaries(packet.recovery.secondaries, number, from)
      : this.fromFec(packet.recovery.span, packet.recovery.entries, number, from)
  }

  /**
   * Each FEC block covers one group; if exactly one of its packets is unknown and that one is
   * in the gap, the XOR of the block and the group's other packets is that packet.
   */
  private fromFec(
    span: number,
    entries: readonly Uint8Array[],
    number: number,
    from: number,
  ): Map<number, Uint8Array> {
    const rebuilt = new Map<number, Uint8Array>()
    if (span < 1 || span * entries.length > HISTORY) {
      return rebuilt
    }
    const known = (n: number): Uint8Array | undefined =>
      n >= from ? undefined : (this.history.get(n) ?? undefined)
    entries.forEach((block, m) => {
      const group = fecDistances(span, entries.length, m).map((back) => number - back)
      const missing = group.filter((n) => known(n) === undefined)
      const target = missing[0]
      if (missing.length !== 1 || target === undefined || target < from) {
        return
      }
      const others = group.flatMap((n) => (n === target ? [] : [known(n) ?? new Uint8Array(0)]))
      const padded = xorPadded([block, ...others])
      try {
        rebuilt.set(target, padded.slice(0, ifpLength(padded, this.version)))
      } catch (error) {
        if (!(error instanceof IfpError)) {
          throw error
        }
      }
    })
    return rebuilt
  }

  private accept(number: number, ifp: Uint8Array, ifps: Uint8Array[]): void {
    this.history.set(number, ifp)
    if (ifp.length > 0) {
      ifps.push(ifp)
    }
    this.expected = number + 1
    if (this.history.size > 2 * HISTORY) {
      for (const n of this.history.keys()) {
        if (n < number - HISTORY) {
          this.history.delete(n)
        }
      }
    }
  }
}

/** Secondary k − 1 of packet `number` is the IFP of packet number − k. */
function fromSecondaries(
  secondaries: readonly Uint8Array[],
  number: number,
  from: number,
): Map<number, Uint8Array> {
  const rebuilt = new Map<number, Uint8Array>()
  for (let n = from; n < number; n++) {
    const ifp = secondaries[number - n - 1]
    if (ifp !== undefined && ifp.length > 0) {
      rebuilt.set(n, ifp)
    }
  }
  return rebuilt
}
