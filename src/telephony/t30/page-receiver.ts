/**
 * The receiving half of T.30: from the sender's DCS to its DCN. Phase B checks the training
 * (TCF: CFR when a long enough run of zeros came through, FTT otherwise); phase C collects a
 * page, as one T.4 stream or as ECM frames; phase D judges it and answers the sender's command:
 * MCF, RTP or RTN after a non-ECM page by its share of bad rows, MCF or PPR (with the frames
 * still missing) after an ECM block, CTR to CTC, ERR to EOR.
 */
import { concatOctets } from '../../shared/octets.js'
import { reverseBits } from './bit-order.js'
import { type Selection, decodeSelection } from './capability-bits.js'
import { type ControlFrame, parsePps } from './control-frames.js'
import { EcmPageReceiver } from './ecm-blocks.js'
import { FCF } from './fcf.js'
import { type FastModem, modemName } from './modems.js'
import { pageFormatOf } from './page-format.js'
import { decodeReceivedPage } from './received-page.js'
import type { T30Call } from './t30-call.js'

/** A non-ECM page larger than this is cut off: 8 MB is a superfine page of noise at MH. */
const MAX_PAGE_OCTETS = 8 * 1024 * 1024

type State =
  /** DIS sent; waiting for DCS. */
  | 'wait-dcs'
  /** DCS received; the TCF is coming. */
  | 'tcf'
  /** CFR sent (or a page answered); waiting for the next page or command. */
  | 'wait-page'
  /** A page's high-speed carrier is up. */
  | 'page'
  /** The page's carrier ended; waiting for MPS/EOP/EOM or PPS. */
  | 'wait-post-page'
  /** EOP answered; waiting for DCN. */
  | 'wait-dcn'

export class PageReceiver {
  readonly #call: T30Call
  #state: State = 'wait-dcs'
  #selection: Selection | null = null
  #tcf = new ZeroRun()
  #tcfBroken = false
  #pageData: Uint8Array[] = []
  #pageOctets = 0
  #pageHadCarrier = false
  readonly #ecm = new EcmPageReceiver()
  /** The last command answered and the answer, to answer a repeated command the same way. */
  #lastCommand: { readonly key: string; readonly response: number } | null = null
  pagesReceived = 0
  complete = false

  constructor(call: T30Call) {
    this.#call = call
  }

  frame(frame: ControlFrame): void {
    switch (frame.fcf) {
      case FCF.DCS:
        this.#onDcs(frame)
        return
      case FCF.FCD:
        this.#onFcd(frame)
        return
      case FCF.RCP:
        return
      case FCF.MPS:
      case FCF.EOP:
      case FCF.EOM:
        this.#onPostPageCommand(frame.fcf)
        return
      case FCF.PPS:
        this.#onPps(frame)
        return
      case FCF.CTC:
        this.#onCtc(frame)
        return
      case FCF.EOR:
        this.#onEor(frame)
        return
      case FCF.RR:
      case FCF.CRP:
        // RR: we never send RNR, so we are ready: the last answer again. CRP: "repeat".
        if (this.#lastCommand !== null && this.#selection !== null) {
          this.#respond(this.#lastCommand.response)
        }
        return
      default:
        this.#call.log(`ignoring FCF 0x${frame.fcf.toString(16)} while receiving`)
    }
  }

  fastCarrierStarted(modem: FastModem): void {
    this.#call.log(`fast carrier: ${modemName(modem)}`)
    if (this.#state === 'tcf') {
      this.#tcf = new ZeroRun()
      this.#tcfBroken = false
      return
    }
    if (this.#state === 'wait-page' || this.#state === 'wait-post-page' || this.#state === 'page') {
      this.#state = 'page'
      this.#stillReceiving()
      if (this.#selection?.ecm !== true) {
        this.#pageData = []
        this.#pageOctets = 0
      }
      this.#pageHadCarrier = true
    }
  }

  imageData(data: Uint8Array): void {
    if (this.#state === 'tcf') {
      this.#tcf.add(data)
      return
    }
    if (this.#state === 'page' && this.#selection?.ecm !== true) {
      this.#stillReceiving()
      if (this.#pageOctets + data.length <= MAX_PAGE_OCTETS) {
        this.#pageData.push(data.slice())
        this.#pageOctets += data.length
      }
    }
  }

  lineError(): void {
    if (this.#state === 'tcf') {
      // A gap in the zeros: the run is broken, as a burst of noise would break it.
      this.#tcfBroken = true
      this.#tcf.breakRun()
    }
  }

  carrierEnded(): void {
    if (this.#state === 'tcf' && this.#tcf.octets > 0) {
      this.#judgeTraining()
      return
    }
    if (this.#state === 'page') {
      this.#state = 'wait-post-page'
      this.#call.wait('T2', this.#call.timers.t2, () => this.#call.disconnect('rx-no-command'))
    }
  }

  // ---- phase B ----

  #onDcs(frame: ControlFrame): void {
    const selection = decodeSelection(frame.fif)
    if (selection === null || !this.#canReceive(selection)) {
      this.#call.log('DCS asks for something this station cannot receive')
      this.#call.disconnect('incompatible')
      return
    }
    const before = this.#selection
    this.#selection = selection
    if (selection.ecm && (before === null || !before.ecm)) {
      this.#ecm.startPage(selection.ecmFrame64 ? 64 : 256)
    }
    this.#state = 'tcf'
    this.#tcf = new ZeroRun()
    this.#tcfBroken = false
    this.#call.expect({ kind: 'fast', modem: selection.modem, hdlc: false })
    this.#call.wait('T2', this.#call.timers.t2, () => this.#call.disconnect('rx-no-dcs'))
  }

  #canReceive(selection: Selection): boolean {
    const local = this.#call.local
    return (
      local.codings.includes(selection.coding) &&
      local.resolutions.includes(selection.resolution) &&
      (!selection.ecm || local.ecm) &&
      selection.modem.bitRate <= local.maxBitRate
    )
  }

  /**
   * T.30 §5.3.6.2.3 leaves the TCF check to the receiver; spandsp accepts when the longest run
   * of zero bits lasts at least one second at the chosen rate, out of the 1.5 s sent.
   */
  #judgeTraining(): void {
    const selection = this.#selection!
    const good = !this.#tcfBroken && this.#tcf.longest >= selection.modem.bitRate
    this.#call.log(
      `TCF: longest run of zeros ${this.#tcf.longest} bits at ${selection.modem.bitRate} bit/s: ${good ? 'CFR' : 'FTT'}`,
    )
    if (!good) {
      this.#state = 'wait-dcs'
      this.#call.sendFrames([{ fcf: FCF.FTT }], () => {
        this.#call.expect({ kind: 'v21' })
        this.#call.wait('T2', this.#call.timers.t2, () => this.#call.disconnect('rx-no-dcs'))
      })
      return
    }
    this.#state = 'wait-page'
    this.#lastCommand = null
    this.#call.identified()
    this.#call.setNegotiated(selection)
    this.#call.sendFrames([{ fcf: FCF.CFR }], () => this.#awaitPage())
  }

  #awaitPage(): void {
    const selection = this.#selection!
    this.#pageHadCarrier = false
    this.#call.expect({ kind: 'fast', modem: selection.modem, hdlc: selection.ecm })
    this.#call.wait('T2', this.#call.timers.t2, () =>
      this.#call.disconnect(this.pagesReceived === 0 ? 'rx-no-page' : 'rx-no-command'),
    )
  }

  // ---- phase D, without ECM ----

  #onPostPageCommand(fcf: number): void {
    const selection = this.#selection
    if (selection === null) {
      this.#call.disconnect('protocol-error')
      return
    }
    const key = `page ${this.pagesReceived} ${fcf}`
    if (!this.#pageHadCarrier && this.#lastCommand?.key === key) {
      // The same command again: our answer was lost. Answer it again, count nothing twice.
      this.#respondThenContinue(this.#lastCommand.response, fcf)
      return
    }
    let response: number = FCF.RTN
    if (this.#pageHadCarrier) {
      const page = decodeReceivedPage(concatOctets(this.#pageData), pageFormatOf(selection))
      this.#call.log(
        `page ${this.pagesReceived + 1}: ${page.rows} rows, ${page.badRows} bad: ${page.quality}`,
      )
      // TSB85 / spandsp copy_quality: good → MCF, poor → RTP (kept, but retrain), bad → RTN.
      response = page.quality === 'good' ? FCF.MCF : page.quality === 'poor' ? FCF.RTP : FCF.RTN
      if (response !== FCF.RTN) {
        this.#call.emit({ type: 'page-received', page, index: this.pagesReceived })
        this.pagesReceived++
      }
    }
    this.#pageData = []
    this.#pageOctets = 0
    this.#pageHadCarrier = false
    this.#lastCommand = { key: `page ${this.pagesReceived} ${fcf}`, response }
    this.#respondThenContinue(response, fcf)
  }

  /** Answers, then waits for what the command says comes next. */
  #respondThenContinue(response: number, command: number): void {
    const accepted = response !== FCF.RTN
    if (command === FCF.EOP && accepted) {
      this.complete = true
      this.#state = 'wait-dcn'
      this.#call.sendFrames([{ fcf: response }], () => {
        this.#call.expect({ kind: 'v21' })
        // The procedure is complete: a sender that hangs up without DCN loses nothing.
        this.#call.wait('T2', this.#call.timers.t2, () => this.#call.end('ok'))
      })
      return
    }
    if (command === FCF.EOM && accepted) {
      // Back to phase B: the sender waits for our DIS again.
      this.#state = 'wait-dcs'
      this.#call.sendFrames([{ fcf: response }], () => this.#call.sendIdentification())
      return
    }
    // MPS, or any page rejected (RTN): the sender retrains or goes on; both start with a
    // carrier (DCS over V.21, or the next page at high speed).
    this.#state = 'wait-page'
    this.#call.sendFrames([{ fcf: response }], () => this.#awaitPage())
  }

  // ---- ECM ----

  #onFcd(frame: ControlFrame): void {
    if (frame.fif.length < 1 || this.#selection?.ecm !== true) {
      return
    }
    this.#ecm.block.addFrame(reverseBits(frame.fif[0]!), frame.fif.subarray(1))
    if (this.#state === 'page') {
      this.#stillReceiving()
    }
  }

  /** Data is still coming: spandsp gives up on a reception after 15 s of silence in it. */
  #stillReceiving(): void {
    this.#call.wait('silence', this.#call.timers.midReceptionSilence, () =>
      this.#call.disconnect('rx-no-command'),
    )
  }

  #onPps(frame: ControlFrame): void {
    const pps = parsePps(frame)
    const selection = this.#selection
    if (pps === null || selection === null || !selection.ecm) {
      this.#call.disconnect('protocol-error')
      return
    }
    const key = `pps ${pps.page} ${pps.block} ${pps.command}`
    if (this.#lastCommand?.key === key && this.#lastCommand.response === FCF.MCF) {
      // The block is in already; our MCF was lost.
      this.#respondEcm(FCF.MCF, pps.command)
      return
    }
    this.#ecm.block.setFrameCount(pps.frameCount)
    if (!this.#ecm.block.complete()) {
      const map = this.#ecm.block.missingMap()
      this.#call.log(`PPS: ${this.#ecm.block.missingFrames().length} frames missing: PPR`)
      this.#lastCommand = { key, response: FCF.PPR }
      this.#state = 'wait-page'
      this.#call.sendFrames([{ fcf: FCF.PPR, fif: map }], () => this.#awaitPage())
      return
    }
    this.#ecm.commitBlock()
    this.#lastCommand = { key, response: FCF.MCF }
    if (pps.command !== 0) {
      this.#finishEcmPage(selection, true)
    }
    this.#respondEcm(FCF.MCF, pps.command)
  }

  #finishEcmPage(selection: Selection, whole: boolean): void {
    const page = decodeReceivedPage(this.#ecm.pageData(), pageFormatOf(selection))
    this.#call.log(`ECM page ${this.pagesReceived + 1}: ${page.rows} rows: ${page.quality}`)
    this.#ecm.startPage(selection.ecmFrame64 ? 64 : 256)
    if (whole && page.quality !== 'bad') {
      this.#call.emit({ type: 'page-received', page, index: this.pagesReceived })
      this.pagesReceived++
    }
  }

  #respondEcm(response: number, command: number): void {
    if (command === 0) {
      this.#state = 'wait-page'
      this.#call.sendFrames([{ fcf: response }], () => this.#awaitPage())
      return
    }
    this.#respondThenContinue(response, command)
  }

  #onCtc(frame: ControlFrame): void {
    // CTC carries the new rate in DCS bits 11–14 (its FIF is a DCS's first two octets).
    const padded = new Uint8Array(3)
    padded.set(frame.fif.subarray(0, 2))
    const rate = decodeSelection(padded)
    if (rate !== null && this.#selection !== null) {
      this.#selection = { ...this.#selection, modem: rate.modem }
    }
    this.#state = 'wait-page'
    this.#call.sendFrames([{ fcf: FCF.CTR }], () => this.#awaitPage())
  }

  #onEor(frame: ControlFrame): void {
    // EOR: the sender gives up on the block; what arrived of the page is not a page.
    const command = (frame.fif[0] ?? 0) & 0x7f
    this.#ecm.startPage(this.#selection?.ecmFrame64 === true ? 64 : 256)
    this.#lastCommand = { key: `eor ${command}`, response: FCF.ERR }
    if (command === 0) {
      this.#state = 'wait-page'
      this.#call.sendFrames([{ fcf: FCF.ERR }], () => this.#awaitPage())
      return
    }
    this.#respondThenContinue(FCF.ERR, command)
  }

  #respond(response: number): void {
    this.#call.sendFrames([{ fcf: response }], () => this.#awaitPage())
  }
}

/** The longest run of zero bits in the TCF so far, the first-sent bit being each octet's MSB. */
class ZeroRun {
  longest = 0
  octets = 0
  #current = 0

  add(data: Uint8Array): void {
    for (const octet of data) {
      this.octets++
      if (octet === 0) {
        this.#current += 8
        continue
      }
      this.#current += Math.clz32(octet) - 24
      this.longest = Math.max(this.longest, this.#current)
      this.#current = 31 - Math.clz32(octet & -octet)
    }
    this.longest = Math.max(this.longest, this.#current)
  }

  breakRun(): void {
    this.#current = 0
  }
}
