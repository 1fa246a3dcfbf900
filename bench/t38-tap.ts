/**
 * A T.38 tap for bench/t38.bench.ts: a UDP relay on loopback between a calling and an answering
 * T.38 endpoint that forwards every datagram unchanged and notes, with the time it passed,
 * what each side put on the line: the indicators (a tone, a V.21 preamble, a training), the
 * HDLC frames (named by their FCF, at the IFP that ended them: hdlc-fcs-OK or
 * hdlc-fcs-OK-sig-end) and the end of non-ECM data (TCF). Each direction's datagrams go
 * through our UdptlReceiver, so repeats and redundancy are seen once, in sequence order.
 *
 * The answerer is started first and learns its far end from the first datagram (as
 * runSpandspCall has it); the caller is pointed at `tap.port`. The relay costs a hop through
 * this process's event loop, well under a millisecond on an idle loop.
 */
import { type Socket, createSocket } from 'node:dgram'
import { fcfName } from '../src/telephony/t30/fcf.js'
import { decodeIfp, IfpError, type T38Version } from '../src/telephony/t38/ifp.js'
import { UdptlReceiver } from '../src/telephony/t38/udptl-receiver.js'

/** IFPs closer together than this count as one burst (spandsp paces one every 30 ms). */
export const BURST_MS = 5

export type TapSide = 'caller' | 'answerer'

export interface TapEvent {
  /** performance.now() when the datagram that carried it passed the tap. */
  readonly at: number
  readonly from: TapSide
  readonly kind: 'indicator' | 'frame' | 'data-end'
  /** The indicator ('v17-14400-short-training'), the frame's FCF name ('DCS'), or 'TCF'. */
  readonly name: string
}

export class T38Tap {
  readonly port: number
  readonly events: TapEvent[] = []
  /** performance.now() of the caller's first datagram: its start, for a T.38 terminal. */
  callerFirstAt: number | null = null
  /** IFPs each side sent (each once, whatever its copies), and how many of them came less
   * than BURST_MS after the one before: the bursts that jitter can reorder. */
  readonly ifps: Record<TapSide, { count: number; inBursts: number; longestBurst: number }> = {
    caller: { count: 0, inBursts: 0, longestBurst: 1 },
    answerer: { count: 0, inBursts: 0, longestBurst: 1 },
  }
  readonly #burst: Record<TapSide, number> = { caller: 0, answerer: 0 }
  readonly #lastIfpAt: Record<TapSide, number> = { caller: -Infinity, answerer: -Infinity }
  readonly #socket: Socket
  readonly #answererPort: number
  readonly #version: T38Version
  #callerPort: number | null = null
  readonly #receivers: Record<TapSide, UdptlReceiver>
  readonly #hdlc: Record<TapSide, number[]> = { caller: [], answerer: [] }

  private constructor(socket: Socket, port: number, answererPort: number, version: T38Version) {
    this.#socket = socket
    this.port = port
    this.#answererPort = answererPort
    this.#version = version
    this.#receivers = {
      caller: new UdptlReceiver({ version }),
      answerer: new UdptlReceiver({ version }),
    }
    socket.on('message', (message, from) => {
      const at = performance.now()
      const side: TapSide = from.port === this.#answererPort ? 'answerer' : 'caller'
      if (side === 'caller') {
        this.#callerPort ??= from.port
        this.callerFirstAt ??= at
        socket.send(message, this.#answererPort, '127.0.0.1')
      } else if (this.#callerPort !== null) {
        socket.send(message, this.#callerPort, '127.0.0.1')
      }
      this.#note(side, at, new Uint8Array(message.buffer, message.byteOffset, message.length))
    })
    socket.on('error', () => {})
  }

  /** A relay on 127.0.0.1 (any free port) to the answerer listening on `answererPort`. */
  static async open(answererPort: number, version: T38Version): Promise<T38Tap> {
    const socket = createSocket('udp4')
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject)
        resolve()
      })
    })
    return new T38Tap(socket, socket.address().port, answererPort, version)
  }

  close(): void {
    this.#socket.close()
  }

  #note(side: TapSide, at: number, datagram: Uint8Array): void {
    for (const octets of this.#receivers[side].receive(datagram).ifps) {
      const counts = this.ifps[side]
      counts.count++
      if (at - this.#lastIfpAt[side] < BURST_MS) {
        counts.inBursts++
        this.#burst[side]++
        counts.longestBurst = Math.max(counts.longestBurst, this.#burst[side])
      } else {
        this.#burst[side] = 1
      }
      this.#lastIfpAt[side] = at
      let ifp
      try {
        ifp = decodeIfp(octets, this.#version)
      } catch (error) {
        if (error instanceof IfpError) {
          continue
        }
        throw error
      }
      if (ifp.kind === 'indicator') {
        this.events.push({ at, from: side, kind: 'indicator', name: ifp.indicator })
        continue
      }
      const hdlc = this.#hdlc[side]
      for (const field of ifp.fields) {
        switch (field.type) {
          case 'hdlc-data':
            hdlc.push(...(field.data ?? []))
            break
          case 'hdlc-fcs-OK':
          case 'hdlc-fcs-OK-sig-end':
            hdlc.push(...(field.data ?? []))
            if (hdlc.length >= 3) {
              this.events.push({ at, from: side, kind: 'frame', name: fcfName(hdlc[2]!) })
            }
            hdlc.length = 0
            break
          case 'hdlc-fcs-BAD':
          case 'hdlc-fcs-BAD-sig-end':
          case 'hdlc-sig-end':
            hdlc.length = 0
            break
          case 't4-non-ecm-sig-end':
            this.events.push({ at, from: side, kind: 'data-end', name: 'TCF' })
            break
          default:
            break
        }
      }
    }
  }
}
