/**
 * The receive half of a T.38 terminal: turns the far end's IFPs, in order, into what a T.30
 * engine hears from a line (a carrier starts or ends, an HDLC frame arrives with a good or bad
 * FCS, non-ECM image octets arrive, a tone was heard). Octets pass through unchanged.
 *
 * It is as forgiving as spandsp's terminal (`t38_terminal.c` `process_rx_data`), because real
 * gateways bend the rules: HDLC data with no preamble indicator before it starts the carrier
 * its data type names; data inside an hdlc-fcs-OK field belongs to the frame it ends (Cisco,
 * Commetrex); an FCS or sig-end field with no data since the last one is a repeat and is
 * ignored; hdlc-sig-end after non-ECM data ends the image (a Mediatrix bug). spandsp's 15 s
 * silence time-out is left to the T.30 engine's own timers.
 */
import type { FastModem } from '../t30/modems.js'
import type { DataType, Ifp, IfpField } from './ifp.js'
import { modemOfDataType, modemOfIndicator, type LineModem } from './ifp-modems.js'

/** What the receive path tells the T.30 engine (the engine's from-line methods). */
export interface ReceptionListener {
  /** An HDLC frame in wire form (no FCS); ok=false: bad FCS, or some of it was lost. */
  frameReceived(frame: Uint8Array, ok: boolean): void
  carrierStarted(modem: 'v21' | FastModem): void
  carrierEnded(): void
  /** Non-ECM high-speed octets (TCF or a T.4 page), in wire order. */
  imageData(data: Uint8Array): void
  /** Something arrived damaged or not at all. */
  lineError(): void
  /** The far end announced a CNG or CED tone. */
  toneHeard?(tone: 'cng' | 'ced'): void
}

/** Far longer than any T.30 frame (an ECM frame is 260 octets); more is garbage. */
const MAX_FRAME_OCTETS = 2048

export class T38Reception {
  private readonly line: ReceptionListener
  /** The carrier we told the engine about, until we tell it the carrier ended. */
  private carrier: LineModem | undefined
  private frame: Uint8Array[] = []
  private frameLength = 0
  /** Packets were lost since the last frame ended: the next frame cannot be trusted. */
  private damaged = false
  /** The frame outgrew MAX_FRAME_OCTETS; drop it all until its FCS field. */
  private overflowed = false
  private lastTone: 'cng' | 'ced' | undefined

  constructor(line: ReceptionListener) {
    this.line = line
  }

  get lastToneHeard(): 'cng' | 'ced' | undefined {
    return this.lastTone
  }

  receive(ifp: Ifp): void {
    if (ifp.kind === 'indicator') {
      this.indicator(ifp.indicator)
    } else {
      this.data(ifp.dataType, ifp.fields)
    }
  }

  /** `count` packets are gone for good (UDPTL could not rebuild them). */
  lost(count: number): void {
    if (count > 0) {
      this.damaged = true
      this.line.lineError()
    }
  }

  private indicator(indicator: Extract<Ifp, { kind: 'indicator' }>['indicator']): void {
    if (indicator === 'cng' || indicator === 'ced') {
      this.endCarrier()
      this.lastTone = indicator
      this.line.toneHeard?.(indicator)
      return
    }
    const modem = modemOfIndicator(indicator)
    if (modem !== undefined && this.carrier !== undefined && sameModem(modem, this.carrier)) {
      return // the same indicator again, under a new sequence number
    }
    // no-signal, or a new signal: whatever was on the line has stopped.
    this.endCarrier()
    if (modem !== undefined) {
      this.startCarrier(modem)
    }
  }

  private data(dataType: DataType, fields: readonly IfpField[]): void {
    const modem = modemOfDataType(dataType)
    if (modem === undefined) {
      return // V.8, V.33 or V.34 data: not for a Group 3 terminal
    }
    for (const field of fields) {
      const data = field.data !== undefined && field.data.length > 0 ? field.data : undefined
      if (data !== undefined) {
        this.ensureCarrier(modem)
      }
      switch (field.type) {
        case 'hdlc-data':
          this.append(data)
          break
        case 'hdlc-fcs-OK':
        case 'hdlc-fcs-BAD':
          this.append(data)
          this.endFrame(field.type === 'hdlc-fcs-OK')
          break
        case 'hdlc-fcs-OK-sig-end':
        case 'hdlc-fcs-BAD-sig-end':
          this.append(data)
          this.endFrame(field.type === 'hdlc-fcs-OK-sig-end')
          this.endCarrier()
          break
        case 'hdlc-sig-end':
          this.endCarrier()
          break
        case 't4-non-ecm-data':
          if (data !== undefined) {
            this.line.imageData(data)
          }
          break
        case 't4-non-ecm-sig-end':
          if (data !== undefined) {
            this.line.imageData(data)
          }
          this.endCarrier()
          break
        case 'cm-message':
        case 'jm-message':
        case 'ci-message':
        case 'v34rate':
          break // V.8 and V.34 signalling: not for a Group 3 terminal
      }
    }
  }

  private ensureCarrier(modem: LineModem): void {
    if (this.carrier !== undefined && sameModem(this.carrier, modem)) {
      return
    }
    this.endCarrier()
    this.startCarrier(modem)
  }

  private startCarrier(modem: LineModem): void {
    this.carrier = modem
    this.damaged = false
    this.line.carrierStarted(modem)
  }

  /** The signal stopped: a frame still open is reported bad, then the carrier ends. */
  private endCarrier(): void {
    if (this.frameLength > 0) {
      this.endFrame(false)
    }
    this.resetFrame()
    this.damaged = false
    if (this.carrier !== undefined) {
      this.carrier = undefined
      this.line.carrierEnded()
    }
  }

  private append(data: Uint8Array | undefined): void {
    if (data === undefined || this.overflowed) {
      return
    }
    if (this.frameLength + data.length > MAX_FRAME_OCTETS) {
      this.resetFrame()
      this.overflowed = true
      this.line.lineError()
      return
    }
    this.frame.push(data)
    this.frameLength += data.length
  }

  private endFrame(ok: boolean): void {
    if (this.overflowed) {
      this.resetFrame()
      return
    }
    if (this.frameLength === 0) {
      return // a repeated FCS field, or one with no frame before it
    }
    const frame = new Uint8Array(this.frameLength)
    let at = 0
    for (const part of this.frame) {
      frame.set(part, at)
      at += part.length
    }
    const trusted = !this.damaged
    this.resetFrame()
    this.damaged = false
    this.line.frameReceived(frame, ok && trusted)
  }

  private resetFrame(): void {
    this.frame = []
    this.frameLength = 0
    this.overflowed = false
  }
}

function sameModem(a: LineModem, b: LineModem): boolean {
  if (a === 'v21' || b === 'v21') {
    return a === b
  }
  return a.kind === b.kind && a.bitRate === b.bitRate
}
