/**
 * The T.30 engine: one fax call's procedure (T.30 §5, phases A to E), sans I/O. Frames, carrier
 * changes, image data and elapsed time come in as method calls; transmissions, pages and the
 * result go out as data through `takeOutputs()`. It keeps no timers and opens no sockets, so the
 * same engine runs a real call in real time and a simulated one in virtual time, as spandsp's
 * t30.c does under its T.38 terminal.
 *
 * One call either sends pages or receives them, whichever end called. Usually the caller sends;
 * a caller that wants to receive polls (T.30 §5.3.2): the called station's DIS says it has
 * documents ("ready to transmit", bit 9), the caller answers with DTC instead of DCS, and the
 * called station then sends. Once phase B has settled who sends, the rest is the same. The half
 * that sends pages
 * is in page-sender.ts, the half that receives them in page-receiver.ts; this file holds what
 * both share: the line, the timers, phase B's identification and phase E.
 */
import {
  type Capabilities,
  type Selection,
  decodeCapabilities,
  encodeCapabilities,
} from './capability-bits.js'
import { type CompletionCode, describeCompletion } from './completion-code.js'
import {
  type ControlFrame,
  buildFrame,
  decodeIdentity,
  encodeIdentity,
  parseFrame,
} from './control-frames.js'
import { FCF, fcfName } from './fcf.js'
import type { Reception, Transmission } from './line-signals.js'
import type { T30Call, T30Negotiated, T30Output } from './t30-call.js'
import type { FastModem } from './modems.js'
import { DEFAULT_CAPABILITIES, type LocalCapabilities } from './negotiation.js'
import type { SourcePage } from './page-coding.js'
import { PageReceiver } from './page-receiver.js'
import { PageSender } from './page-sender.js'
import { DEFAULT_TIMERS, type T30Timers } from './timers.js'

export interface T30Config {
  /** Which end of the call this station is: the one that dialled, or the one that answered. */
  readonly role: 'calling' | 'answering'
  /** The pages to send; without them this station receives. */
  readonly pages?: readonly SourcePage[]
  /** This station's identity (TSI when sending, CSI when receiving): digits, '+' and spaces. */
  readonly localId: string
  readonly capabilities?: Partial<LocalCapabilities>
  readonly timers?: Partial<T30Timers>
  /** How often one page is sent again after RTN before the call gives up. Default 3. */
  readonly maxPageRetries?: number
}

/** A pending wait: what to do when `at` is reached. */
interface Deadline {
  readonly at: number
  readonly name: string
  readonly expire: () => void
}

export type { T30Negotiated, T30Output, T30Result } from './t30-call.js'

/** Events kept while sending: far more than a transmission's worth from a sane far end. */
const MAX_HELD_EVENTS = 4096

export class T30Engine implements T30Call {
  readonly local: LocalCapabilities
  readonly timers: T30Timers
  readonly localId: string
  readonly xBit: boolean
  readonly #role: 'calling' | 'answering'
  readonly #sender: PageSender | null
  readonly #receiver: PageReceiver | null
  #now = 0
  #started = false
  #done = false
  #outputs: T30Output[] = []
  #queue: Transmission[] = []
  #transmitting = false
  #held: (() => void)[] = []
  #afterSending: (() => void) | null = null
  #deadline: Deadline | null = null
  /** T1 runs beside the other waits during identification (T.30 §5.4.3.1). */
  #t1: Deadline | null = null
  #remoteId = ''
  #remoteCapabilities: Capabilities | null = null
  #negotiated: T30Negotiated | null = null

  constructor(config: T30Config) {
    this.local = { ...DEFAULT_CAPABILITIES, ...config.capabilities }
    this.timers = { ...DEFAULT_TIMERS, ...config.timers }
    this.localId = config.localId
    this.#role = config.role
    // T.30 §5.3.6.1: X is "set to 1 by the station which receives a valid DIS"; the called
    // station sends DIS, so the calling station's frames carry it.
    this.xBit = config.role === 'calling'
    if (config.pages !== undefined) {
      if (config.pages.length === 0) {
        throw new RangeError('a call that sends needs at least one page')
      }
      this.#sender = new PageSender(this, config.pages, config.maxPageRetries ?? 3)
      this.#receiver = null
    } else {
      this.#sender = null
      this.#receiver = new PageReceiver(this)
    }
  }

  get now(): number {
    return this.#now
  }

  get done(): boolean {
    return this.#done
  }

  get remoteId(): string {
    return this.#remoteId
  }

  /** Phase A. The caller sends CNG and waits for DIS; the answerer sends CED, then its DIS. */
  start(): void {
    if (this.#started) {
      throw new Error('the T.30 engine has already started')
    }
    this.#started = true
    this.#t1 = {
      at: this.timers.t1,
      name: 'T1',
      expire: () => this.#identificationTimedOut(),
    }
    if (this.#role === 'calling') {
      this.send([{ kind: 'tone', tone: 'cng' }])
      this.expect({ kind: 'v21' })
    } else {
      this.send([{ kind: 'tone', tone: 'ced' }], () => this.sendIdentification())
    }
  }

  /** Lets `ms` of engine time pass; waits that fall due expire in order. */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw new RangeError(`time moves forward by a finite amount, not ${ms}`)
    }
    const until = this.#now + ms
    for (;;) {
      const next = this.#nextDeadline()
      if (this.#done || next === null || next.at > until) {
        break
      }
      this.#now = next.at
      if (next === this.#t1) {
        this.#t1 = null
      } else {
        this.#deadline = null
      }
      next.expire()
    }
    this.#now = until
  }

  // ---- from the line ----

  transmitted(): void {
    if (!this.#transmitting) {
      return
    }
    this.#transmitting = false
    const next = this.#queue.shift()
    if (next !== undefined) {
      this.#startTransmission(next)
      return
    }
    const then = this.#afterSending
    this.#afterSending = null
    then?.()
    // What arrived while this station was still sending is heard now, after it.
    const held = this.#held
    this.#held = []
    for (const event of held) {
      event()
    }
  }

  frameReceived(octets: Uint8Array, ok: boolean): void {
    if (this.#done || this.#holdWhileSending(() => this.frameReceived(octets, ok))) {
      return
    }
    if (!ok) {
      this.log('received a frame with a bad FCS')
      this.#deadlineFrameProgress()
      return
    }
    const frame = parseFrame(octets)
    if (frame === null) {
      this.log('received a frame that is not a T.30 frame')
      return
    }
    if (frame.fcf !== FCF.FCD && frame.fcf !== FCF.RCP) {
      this.log(`rx ${fcfName(octets[2]!)}`)
    }
    this.#onFrame(frame)
  }

  carrierStarted(modem: 'v21' | FastModem): void {
    if (this.#done || this.#holdWhileSending(() => this.carrierStarted(modem))) {
      return
    }
    if (modem === 'v21') {
      this.#deadlineFrameProgress()
      return
    }
    this.#receiver?.fastCarrierStarted(modem)
  }

  carrierEnded(): void {
    if (this.#done || this.#holdWhileSending(() => this.carrierEnded())) {
      return
    }
    this.#receiver?.carrierEnded()
    this.#sender?.carrierEnded()
  }

  imageData(data: Uint8Array): void {
    if (this.#done || this.#holdWhileSending(() => this.imageData(data))) {
      return
    }
    this.#receiver?.imageData(data)
  }

  lineError(): void {
    if (this.#done) {
      return
    }
    this.#receiver?.lineError()
  }

  /** The call is gone (the far end hung up, the line failed, or the call was stopped). */
  hangUp(reason: string): void {
    if (this.#done) {
      return
    }
    this.log(`call ended by the line: ${reason}`)
    const complete = this.#sender?.complete ?? this.#receiver?.complete ?? false
    this.end(complete ? 'ok' : 'call-dropped')
  }

  /**
   * This station ends the call (the sender cancelled, the service is stopping): DCN, so that the
   * far end knows at once, then phase E as a dropped call, or OK when the procedure was over.
   */
  stop(): void {
    if (this.#done) {
      return
    }
    const complete = this.#sender?.complete ?? this.#receiver?.complete ?? false
    this.log('stopped by this station')
    this.disconnect(complete ? 'ok' : 'call-dropped')
  }

  takeOutputs(): T30Output[] {
    const outputs = this.#outputs
    this.#outputs = []
    return outputs
  }

  // ---- T30Call, for the two halves ----

  send(transmissions: readonly Transmission[], then?: () => void): void {
    if (this.#done) {
      return
    }
    if (this.#transmitting || this.#queue.length > 0) {
      throw new Error('the T.30 engine asked for a transmission while one was under way')
    }
    const [first, ...rest] = transmissions
    this.#queue = rest
    this.#afterSending = then ?? null
    if (first === undefined) {
      this.#afterSending = null
      then?.()
      return
    }
    this.#startTransmission(first)
  }

  sendFrames(frames: readonly { fcf: number; fif?: ArrayLike<number> }[], then?: () => void): void {
    const built = frames.map((frame, i) =>
      buildFrame(frame.fcf, frame.fif ?? [], this.#xBitFor(frame.fcf), i === frames.length - 1),
    )
    for (const frame of frames) {
      this.log(`tx ${fcfName(frame.fcf)}`)
    }
    this.send([{ kind: 'frames', modem: 'v21', shortTraining: false, frames: built }], then)
  }

  wait(name: string, ms: number, expire: () => void): void {
    this.#deadline = { at: this.#now + ms, name, expire }
  }

  stopWaiting(): void {
    this.#deadline = null
  }

  expect(reception: Reception): void {
    this.emit({ type: 'receive', reception })
  }

  emit(output: T30Output): void {
    this.#outputs.push(output)
  }

  log(message: string): void {
    this.#outputs.push({ type: 'log', message: `${(this.#now / 1000).toFixed(3)} s ${message}` })
  }

  disconnect(code: CompletionCode): void {
    if (this.#done) {
      return
    }
    this.stopWaiting()
    this.#t1 = null
    this.#queue = []
    this.#afterSending = null
    if (this.#transmitting) {
      // Let what is on the line finish first; DCN follows it.
      this.#afterSending = () => this.sendFrames([{ fcf: FCF.DCN }], () => this.end(code))
      return
    }
    this.sendFrames([{ fcf: FCF.DCN }], () => this.end(code))
  }

  end(code: CompletionCode): void {
    if (this.#done) {
      return
    }
    this.#done = true
    this.#deadline = null
    this.#t1 = null
    this.log(`phase E: ${code}`)
    this.emit({
      type: 'ended',
      result: {
        code,
        description: describeCompletion(code),
        pagesConfirmed: this.#sender?.pagesConfirmed ?? [],
        pagesReceived: this.#receiver?.pagesReceived ?? 0,
        remoteId: this.#remoteId,
        negotiated: this.#negotiated,
        durationMs: this.#now,
      },
    })
  }

  setNegotiated(selection: Selection): void {
    if (this.#remoteCapabilities === null && this.#receiver !== null) {
      // The receiving station learns nothing of the sender's capabilities but its DCS.
      this.#remoteCapabilities = decodeCapabilities(new Uint8Array(3))
    }
    this.#negotiated = {
      remoteId: this.#remoteId,
      remoteCapabilities: this.#remoteCapabilities!,
      selection,
    }
    this.emit({ type: 'negotiated', negotiated: this.#negotiated })
  }

  // ---- phase B: identification ----

  /**
   * The called station's DIS, with its CSI before it (T.30 §5.3.6.2.1, §5.3.6.2.4); with pages
   * to send it is "ready to transmit" and waits to be polled.
   */
  sendIdentification(): void {
    this.#sendCapabilities(FCF.CSI, FCF.DIS, () => this.sendIdentification())
  }

  /** A calling station that polls: CIG and DTC, its own capabilities to receive. */
  #sendPollingCommand(): void {
    this.#sendCapabilities(FCF.CIG, FCF.DTC, () => this.#sendPollingCommand())
  }

  #sendCapabilities(identity: number, fcf: number, repeat: () => void): void {
    const fif = encodeCapabilities({
      readyToTransmit: this.#sender !== null,
      readyToReceive: this.#receiver !== null,
      modems: this.local.modems,
      resolutions: this.local.resolutions,
      codings: this.local.codings,
      ecm: this.local.ecm,
      minScanLineMs: this.local.minScanLineMs,
      halfMinScanAtFine: false,
      t38: true,
    })
    const frames: { fcf: number; fif?: ArrayLike<number> }[] = []
    if (this.localId !== '') {
      frames.push({ fcf: identity, fif: encodeIdentity(this.localId) })
    }
    frames.push({ fcf, fif })
    this.sendFrames(frames, () => {
      this.expect({ kind: 'v21' })
      // T.30 Figure 5-2a: DIS (and DTC) are repeated each T4 until an answer comes or T1 ends.
      this.wait('T4', this.timers.t4, repeat)
    })
  }

  #identificationTimedOut(): void {
    if (this.#sender !== null) {
      this.disconnect(this.#role === 'calling' ? 'tx-no-dis' : 'tx-no-response')
    } else {
      this.disconnect('rx-no-dcs')
    }
  }

  /** Identification is over once the stations have agreed (the first CFR). */
  identified(): void {
    this.#t1 = null
  }

  #onFrame(frame: ControlFrame): void {
    switch (frame.fcf) {
      case FCF.CSI:
      case FCF.TSI:
      case FCF.CIG:
        this.#remoteId = decodeIdentity(frame.fif)
        return
      case FCF.NSF:
      case FCF.NSC:
        return
      case FCF.DIS:
        this.#onDis(decodeCapabilities(frame.fif))
        return
      case FCF.DTC:
        if (this.#sender !== null && this.#role === 'answering') {
          // Polled: the caller's DTC says what it can receive, as a DIS would.
          this.stopWaiting()
          this.#remoteCapabilities = decodeCapabilities(frame.fif)
          this.#sender.disReceived(this.#remoteCapabilities)
        }
        return
      case FCF.DCN:
        this.#remoteDisconnected()
        return
      default:
        this.#sender?.frame(frame)
        this.#receiver?.frame(frame)
    }
  }

  #onDis(capabilities: Capabilities): void {
    if (this.#role === 'answering') {
      // Our own DIS echoed back, or two called stations: an answering station waits on.
      this.log('ignoring a DIS at the answering end')
      return
    }
    this.#remoteCapabilities = capabilities
    if (this.#sender !== null) {
      this.#sender.disReceived(capabilities)
      return
    }
    if (!capabilities.readyToTransmit) {
      this.log('the called station has no documents to send (DIS bit 9 clear): nothing to poll')
      this.disconnect('incompatible')
      return
    }
    this.#sendPollingCommand()
  }

  #remoteDisconnected(): void {
    const complete = this.#sender?.complete ?? this.#receiver?.complete ?? false
    this.end(complete ? 'ok' : 'remote-disconnected')
  }

  // ---- the line and the waits ----

  /**
   * Half duplex: what the far end sends while this station is still sending (over T.38 its
   * carrier may start while our last frame's FCS and flag are, in our reckoning, on the line) is
   * kept and heard once the transmission has ended. Bounded, against a far end that floods.
   */
  #holdWhileSending(event: () => void): boolean {
    if (!this.#transmitting) {
      return false
    }
    if (this.#held.length >= MAX_HELD_EVENTS) {
      this.#held.shift()
    }
    this.#held.push(event)
    return true
  }

  #startTransmission(transmission: Transmission): void {
    this.#transmitting = true
    this.emit({ type: 'transmit', transmission })
  }

  #xBitFor(fcf: number): boolean {
    // DIS, CSI and NSF carry no X bit; everything else carries this station's.
    return fcf !== FCF.DIS && fcf !== FCF.CSI && fcf !== FCF.NSF && this.xBit
  }

  /** A response has begun: wait for its frames a while longer rather than repeating. */
  #deadlineFrameProgress(): void {
    const deadline = this.#deadline
    if (deadline !== null && deadline.name === 'T4') {
      this.#deadline = {
        at: Math.max(deadline.at, this.#now + this.timers.frameEnd),
        name: deadline.name,
        expire: deadline.expire,
      }
    }
  }

  #nextDeadline(): Deadline | null {
    const a = this.#deadline
    const b = this.#t1
    if (a === null) {
      return b
    }
    if (b === null) {
      return a
    }
    return b.at < a.at ? b : a
  }
}
