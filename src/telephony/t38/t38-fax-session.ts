/**
 * One fax call over T.38, sans I/O: the T.30 engine on a T.38 terminal on a UDPTL stream.
 * Datagrams and elapsed time go in; datagrams to send, the call's events and its result come
 * out. Whoever runs it supplies the time and the network: a UDP socket in real time
 * (carriers/udptl-call.ts) or a simulated network in virtual time (carriers/virtual-call.ts).
 */
import type { LineModem } from './ifp-modems.js'
import type { T38Version } from './ifp.js'
import { T38Terminal } from './t38-terminal.js'
import { type ErrorCorrection, UdptlSender } from './udptl.js'
import { type UdptlDelivery, UdptlReceiver } from './udptl-receiver.js'
import { type T30Config, type T30Output, type T30Result, T30Engine } from '../t30/t30-engine.js'

export interface T38FaxSessionConfig {
  readonly t30: T30Config
  /** The negotiated T38FaxVersion: 0 encodes IFP field types one way, 1–3 another. */
  readonly version: T38Version
  /** UDPTL error correction; redundancy with 3 secondaries by default, as most gateways use. */
  readonly errorCorrection?: ErrorCorrection
  /** The far end's T38FaxMaxDatagram; Asterisk assumes 400 when it is not given. */
  readonly maxDatagram?: number
  /**
   * How long a datagram after a gap is held for the missing ones to come late, ms (UdptlReceiver
   * `reorderHoldMs`). Default 60: a network's jitter can reorder a burst of small IFPs by more
   * than redundancy covers, and a wait this short costs nothing against T.30's timers.
   */
  readonly reorderHoldMs?: number
}

/** What the call did, for whoever runs it: everything the engine says but its line traffic. */
export type T38FaxEvent = Exclude<T30Output, { type: 'transmit' } | { type: 'receive' }>

const DEFAULT_REORDER_HOLD_MS = 60

export class T38FaxSession {
  readonly #engine: T30Engine
  readonly #terminal: T38Terminal
  readonly #sender: UdptlSender
  readonly #receiver: UdptlReceiver
  #datagrams: Uint8Array[] = []
  #events: T38FaxEvent[] = []
  #result: T30Result | null = null
  /** Time since the session was made, for the UDPTL receiver's holds. */
  #nowMs = 0

  constructor(config: T38FaxSessionConfig) {
    this.#engine = new T30Engine(config.t30)
    const engine = this.#engine
    // Every call into the engine may give it something to send: hand it on at once, so that a
    // transmission that follows another starts exactly when the first ends.
    const then = <A extends unknown[]>(f: (...args: A) => void) => {
      return (...args: A): void => {
        f(...args)
        this.#drainEngine()
      }
    }
    this.#terminal = new T38Terminal({
      version: config.version,
      line: {
        transmitted: then(() => engine.transmitted()),
        frameReceived: then((frame: Uint8Array, ok: boolean) => engine.frameReceived(frame, ok)),
        carrierStarted: then((modem: LineModem) => engine.carrierStarted(modem)),
        carrierEnded: then(() => engine.carrierEnded()),
        imageData: then((data: Uint8Array) => engine.imageData(data)),
        lineError: then(() => engine.lineError()),
      },
    })
    this.#sender = new UdptlSender({
      errorCorrection: config.errorCorrection ?? { kind: 'redundancy', depth: 3 },
      maxDatagram: config.maxDatagram ?? 400,
    })
    this.#receiver = new UdptlReceiver({
      version: config.version,
      reorderHoldMs: config.reorderHoldMs ?? DEFAULT_REORDER_HOLD_MS,
    })
  }

  get done(): boolean {
    return this.#result !== null
  }

  /** How the call ended; null while it goes on. */
  get result(): T30Result | null {
    return this.#result
  }

  start(): void {
    this.#engine.start()
    this.#drainEngine()
    this.#collectDatagrams()
  }

  /** Lets `ms` pass: the engine's timers, and the terminal's paced sending. */
  advance(ms: number): void {
    this.#nowMs += ms
    this.#deliver(this.#receiver.due(this.#nowMs))
    this.#terminal.advance(ms)
    this.#engine.advance(ms)
    this.#drainEngine()
    this.#collectDatagrams()
  }

  /** A UDPTL datagram from the far end. Malformed ones are counted and dropped, never thrown. */
  receiveDatagram(datagram: Uint8Array): void {
    this.#deliver(this.#receiver.receive(datagram, this.#nowMs))
    this.#drainEngine()
    this.#collectDatagrams()
  }

  #deliver(delivery: UdptlDelivery): void {
    if (delivery.lost > 0) {
      this.#terminal.lost(delivery.lost)
    }
    for (const ifp of delivery.ifps) {
      this.#terminal.receiveIfp(ifp)
    }
  }

  /** The datagrams to send since the last call, each copy separately, in order. */
  takeDatagrams(): Uint8Array[] {
    const taken = this.#datagrams
    this.#datagrams = []
    return taken
  }

  takeEvents(): T38FaxEvent[] {
    const taken = this.#events
    this.#events = []
    return taken
  }

  /**
   * This end stops the call: a transmission under way is cut short, DCN goes out, then the call
   * ends (keep advancing until done).
   */
  stop(): void {
    this.#engine.stop()
    this.#drainEngine()
    this.#terminal.interrupt()
    this.#drainEngine()
    this.#collectDatagrams()
  }

  /** The call is gone (BYE, a closed socket): the engine ends it now. */
  hangUp(reason: string): void {
    this.#engine.hangUp(reason)
    this.#drainEngine()
    this.#collectDatagrams()
  }

  #drainEngine(): void {
    for (const output of this.#engine.takeOutputs()) {
      switch (output.type) {
        case 'transmit':
          this.#terminal.transmit(output.transmission)
          break
        case 'receive':
          break
        case 'ended':
          this.#result = output.result
          this.#events.push(output)
          break
        default:
          this.#events.push(output)
      }
    }
  }

  #collectDatagrams(): void {
    for (const { ifp, copies } of this.#terminal.takeIfps()) {
      const datagram = this.#sender.packet(ifp)
      for (let i = 0; i < copies; i++) {
        this.#datagrams.push(datagram)
      }
    }
  }
}
