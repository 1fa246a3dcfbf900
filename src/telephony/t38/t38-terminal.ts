/**
 * A T.38 terminal: the line under the T.30 engine when the call is T.38. It turns each
 * transmission the engine asks for into IFP packets paced as a modem would send them, and the
 * far end's IFPs into what the engine hears from the line (cf. spandsp `t38_terminal.c` on
 * `t38_core.c`).
 *
 * Sans-I/O: time reaches it only through `advance(ms)`, IFPs leave through `takeIfps()` (each
 * with how many copies to send; UDPTL sends the copies under one sequence number), and arrive
 * through `receiveIfp()`. The caller owns the socket and the clock, so a test can run a whole
 * call in virtual time.
 *
 * What goes out and when is transmit-plan.ts; what comes in is t38-reception.ts.
 */
import type { Transmission } from '../t30/line-signals.js'
import { decodeIfp, encodeIfp, IfpError, type Ifp, type T38Version } from './ifp.js'
import { T38Reception, type ReceptionListener } from './t38-reception.js'
import {
  DEFAULT_CHUNK_MS,
  INDICATOR_COPIES,
  TICKS_PER_MS,
  planTransmission,
  type TransmissionPlan,
} from './transmit-plan.js'

/** The engine's from-line methods (T30Engine in ../t30/t30-engine.ts has them all). */
export interface T30LineListener extends ReceptionListener {
  /** The transmission asked for last has fully left the line. */
  transmitted(): void
}

export interface T38TerminalOptions {
  /** The negotiated T38FaxVersion. */
  readonly version: T38Version
  readonly line: T30LineListener
  /** Time per data IFP (spandsp: 30 ms, 54 octets at 14,400 bit/s). */
  readonly chunkMs?: number
}

export interface OutgoingIfp {
  readonly ifp: Uint8Array
  /** Send this many copies, all as one UDPTL datagram (one sequence number). */
  readonly copies: number
}

interface InProgress {
  readonly plan: TransmissionPlan
  readonly startTicks: number
  /** The index of the next IFP of the plan to emit. */
  next: number
}

export class T38Terminal {
  private readonly version: T38Version
  private readonly line: T30LineListener
  private readonly chunkMs: number
  private readonly reception: T38Reception
  /** Virtual time in ticks of 1/144,000 s (transmit-plan.ts). */
  private nowTicks = 0
  private current: InProgress | undefined
  private outbox: OutgoingIfp[] = []

  constructor(options: T38TerminalOptions) {
    const chunkMs = options.chunkMs ?? DEFAULT_CHUNK_MS
    if (!(chunkMs > 0) || !Number.isFinite(chunkMs)) {
      throw new RangeError(`T38Terminal: chunkMs must be positive, not ${chunkMs}`)
    }
    this.version = options.version
    this.line = options.line
    this.chunkMs = chunkMs
    this.reception = new T38Reception(options.line)
  }

  /** Milliseconds of virtual time since the terminal was made. */
  get timeMs(): number {
    return this.nowTicks / TICKS_PER_MS
  }

  /** True from `transmit()` until the line has heard `transmitted()`. */
  get busy(): boolean {
    return this.current !== undefined
  }

  /** The last tone indicator the far end sent ('cng' from a caller, 'ced' from an answerer). */
  get lastToneHeard(): 'cng' | 'ced' | undefined {
    return this.reception.lastToneHeard
  }

  /**
   * Starts sending a transmission now. The line is half duplex and the engine waits for
   * `transmitted()` before the next one, so asking while one is on the line is a bug.
   */
  transmit(transmission: Transmission): void {
    if (this.current !== undefined) {
      throw new Error(`T38Terminal: asked to transmit ${transmission.kind} during a transmission`)
    }
    const plan = planTransmission(transmission, this.chunkMs)
    this.current = { plan, startTicks: this.nowTicks, next: 0 }
    this.run(this.nowTicks)
  }

  /**
   * Lets `ms` of time pass: every IFP due by then is queued, and `transmitted()` is called if
   * the transmission ends by then. While it runs, the time is that of the step being taken, so
   * a transmission the listener starts from `transmitted()` begins exactly at the end of the
   * last one.
   */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw new RangeError(`T38Terminal: cannot advance by ${ms} ms`)
    }
    const target = this.nowTicks + ms * TICKS_PER_MS
    this.run(target)
    this.nowTicks = target
  }

  /** The IFPs queued since the last call, oldest first. */
  takeIfps(): OutgoingIfp[] {
    const taken = this.outbox
    this.outbox = []
    return taken
  }

  /** One IFP from the far end, in sequence order (UdptlReceiver gives them so). */
  receiveIfp(octets: Uint8Array): void {
    let ifp: Ifp
    try {
      ifp = decodeIfp(octets, this.version)
    } catch (error) {
      if (error instanceof IfpError) {
        this.line.lineError()
        return
      }
      throw error
    }
    this.reception.receive(ifp)
  }

  /**
   * Cuts the transmission on the line short (the call is being stopped): what was still to go
   * is dropped, the signal ends (no-signal, as after any transmission) and the listener hears
   * `transmitted()` now, so that what it sends next (DCN) goes at once.
   */
  interrupt(): void {
    if (this.current === undefined) {
      return
    }
    this.current = undefined
    this.outbox.push({
      ifp: encodeIfp({ kind: 'indicator', indicator: 'no-signal' }, this.version),
      copies: INDICATOR_COPIES,
    })
    this.line.transmitted()
  }

  /** `count` IFPs were lost for good (UdptlReceiver's `lost`): a line error. */
  lost(count: number): void {
    this.reception.lost(count)
  }

  private run(targetTicks: number): void {
    for (;;) {
      const current = this.current
      if (current === undefined) {
        return
      }
      const step = current.plan.ifps[current.next]
      const dueTicks = current.startTicks + (step?.atTicks ?? current.plan.endTicks)
      if (dueTicks > targetTicks) {
        return
      }
      this.nowTicks = Math.max(this.nowTicks, dueTicks)
      if (step !== undefined) {
        current.next++
        this.outbox.push({ ifp: encodeIfp(step.ifp, this.version), copies: step.copies })
      } else {
        this.current = undefined
        this.line.transmitted()
      }
    }
  }
}
