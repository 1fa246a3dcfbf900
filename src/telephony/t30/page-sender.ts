/**
 * The sending half of T.30: from the receiver's DIS to the MCF of the last page. Phase B picks
 * the settings (DCS) and checks the line (TCF → CFR or FTT, falling back a rate after each FTT);
 * phase C sends each page, as one T.4 stream or, with ECM, as blocks of numbered frames (T.4
 * Annex A); phase D asks for the receiver's verdict (MPS/EOP, or PPS with ECM) and acts on it:
 * MCF or RTP confirm the page, RTN has it sent again after retraining, PPR has the frames it
 * lists sent again, CTC/EOR end a block that will not come right.
 */
import type { Capabilities, Selection } from './capability-bits.js'
import { encodeSelection } from './capability-bits.js'
import { type ControlFrame, buildPps, encodeIdentity } from './control-frames.js'
import {
  type EcmBlock,
  PPR_MAP_OCTETS,
  ecmPartialPages,
  fcdFrame,
  pprFramesToResend,
  rcpFrame,
} from './ecm-blocks.js'
import { FCF } from './fcf.js'
import { type FastModem, modemName, tcfOctets } from './modems.js'
import { chooseSelection, slowerModem } from './negotiation.js'
import { type SourcePage, encodePageForLine } from './page-coding.js'
import { PAGE_WIDTH, pageFormatOf } from './page-format.js'
import type { T30Call } from './t30-call.js'
import { MAX_COMMAND_TRIES } from './timers.js'

/** T.4 Annex A / spandsp `PPR_LIMIT_BEFORE_CTC_OR_EOR`: after 4 PPRs for a block, CTC or EOR. */
const PPRS_BEFORE_CTC = 4

/** A command waiting for its response, repeated on T4 (T.30 §5.4.3.1). */
interface Command {
  readonly name: string
  readonly sendIt: () => void
  tries: number
}

export class PageSender {
  readonly #call: T30Call
  readonly #pages: readonly SourcePage[]
  readonly #maxPageRetries: number
  readonly pagesConfirmed: number[] = []
  #remote: Capabilities | null = null
  #selection: Selection | null = null
  /** Set once CFR has come: the line is trained at the selection's rate. */
  #trained = false
  /** Whether the next high-speed transmission may use short training. */
  #shortTraining = false
  #pageIndex = 0
  #pageRetries = 0
  /** The current page, coded for the current selection. */
  #coded: {
    readonly index: number
    readonly selection: Selection
    readonly data: Uint8Array
  } | null = null
  #blocks: EcmBlock[] = []
  #blockIndex = 0
  #pprCount = 0
  #ctcSent = false
  #command: Command | null = null
  /** What to do with the response once the command has gone, and then while it is awaited. */
  #pendingResponse: ((frame: ControlFrame) => void) | null = null
  #response: ((frame: ControlFrame) => void) | null = null
  #firstRnrAt: number | null = null
  /** ECM pages sent so far, counted from 0 in PPS frames (spandsp counts the same way). */
  #ecmPagesSent = 0
  complete = false

  constructor(call: T30Call, pages: readonly SourcePage[], maxPageRetries: number) {
    this.#call = call
    this.#pages = pages
    this.#maxPageRetries = maxPageRetries
    for (const page of pages) {
      if (page.bitmap.width !== PAGE_WIDTH) {
        throw new RangeError(`a fax page is ${PAGE_WIDTH} pels wide, not ${page.bitmap.width}`)
      }
    }
  }

  /** The receiver's DIS: choose the settings, or give up when there are none. */
  disReceived(remote: Capabilities): void {
    const firstDis = this.#remote === null
    this.#remote = remote
    if (this.#trained) {
      // A DIS after training: the receiver missed our commands and went back to phase B.
      this.#call.log('DIS again after training: starting phase B over')
      this.#trained = false
    }
    if (!firstDis && this.#command?.name === 'DCS') {
      // It did not hear our DCS: send it again, as a try of the same command.
      this.#repeatCommand()
      return
    }
    this.#negotiate(null)
  }

  frame(frame: ControlFrame): void {
    const response = this.#response
    if (response === null) {
      this.#call.log(`ignoring an unexpected frame (FCF 0x${frame.fcf.toString(16)})`)
      return
    }
    if (frame.fcf === FCF.CRP) {
      // "Command repeat": the receiver asks for the last command again.
      this.#repeatCommand()
      return
    }
    this.#call.stopWaiting()
    this.#response = null
    response(frame)
  }

  carrierEnded(): void {
    // A response that ended without a frame we could use: the next T4 expiry repeats the
    // command, as spandsp does; nothing to do at once.
  }

  // ---- phase B ----

  #negotiate(modem: FastModem | null): void {
    const remote = this.#remote!
    const page = this.#pages[this.#pageIndex]!
    const negotiation = chooseSelection(this.#call.local, remote, page.resolution, modem)
    if (!negotiation.ok) {
      this.#call.log(`cannot send: ${negotiation.reason}`)
      this.#call.disconnect('incompatible')
      return
    }
    this.#selection = negotiation.selection
    this.#call.log(
      `DCS: ${modemName(negotiation.selection.modem)}, ${negotiation.selection.coding}, ` +
        `${negotiation.selection.resolution}, ECM ${negotiation.selection.ecm ? 'on' : 'off'}`,
    )
    this.#issue(
      'DCS',
      () => this.#sendDcsAndTcf(),
      (frame) => this.#onTrainingResponse(frame),
    )
  }

  /** TSI and DCS over V.21, then 1.5 s of zeros at the chosen rate (T.30 §5.3.6.2.3). */
  #sendDcsAndTcf(): void {
    const selection = this.#selection!
    const frames: { fcf: number; fif?: ArrayLike<number> }[] = []
    if (this.#call.localId !== '') {
      frames.push({ fcf: FCF.TSI, fif: encodeIdentity(this.#call.localId) })
    }
    frames.push({ fcf: FCF.DCS, fif: encodeSelection(selection) })
    this.#call.sendFrames(frames, () => {
      this.#call.send(
        [
          {
            kind: 'image',
            modem: selection.modem,
            shortTraining: false,
            data: new Uint8Array(tcfOctets(selection.modem)),
          },
        ],
        () => this.#awaitResponse(),
      )
    })
  }

  #onTrainingResponse(frame: ControlFrame): void {
    switch (frame.fcf) {
      case FCF.CFR:
        this.#command = null
        this.#trained = true
        // The TCF trained the receiver at this rate: the pages may start with short training,
        // as spandsp's sender does after CFR.
        this.#shortTraining = true
        this.#call.identified()
        this.#call.setNegotiated(this.#selection!)
        this.#sendPage()
        return
      case FCF.FTT: {
        const slower = slowerModem(this.#call.local, this.#remote!, this.#selection!.modem)
        if (slower === null) {
          this.#call.disconnect('tx-cannot-train')
          return
        }
        this.#call.log(`FTT at ${modemName(this.#selection!.modem)}: trying ${modemName(slower)}`)
        this.#negotiate(slower)
        return
      }
      default:
        this.#unexpected(frame)
    }
  }

  // ---- phase C ----

  #codedPage(): Uint8Array {
    const selection = this.#selection!
    if (this.#coded?.index !== this.#pageIndex || this.#coded.selection !== selection) {
      const data = encodePageForLine(this.#pages[this.#pageIndex]!, pageFormatOf(selection))
      this.#coded = { index: this.#pageIndex, selection, data }
    }
    return this.#coded.data
  }

  #sendPage(): void {
    const selection = this.#selection!
    const data = this.#codedPage()
    if (selection.ecm) {
      this.#blocks = ecmPartialPages(data, selection.ecmFrame64 ? 64 : 256)
      this.#blockIndex = 0
      this.#sendBlock(null)
      return
    }
    this.#call.log(`page ${this.#pageIndex + 1}: ${data.length} octets`)
    this.#call.send(
      [{ kind: 'image', modem: selection.modem, shortTraining: this.#shortTraining, data }],
      () => {
        this.#shortTraining = true
        const fcf = this.#isLastPage() ? FCF.EOP : FCF.MPS
        this.#issue(
          fcf === FCF.EOP ? 'EOP' : 'MPS',
          () => this.#call.sendFrames([{ fcf }], () => this.#awaitResponse()),
          (frame) => this.#onPageResponse(frame),
        )
      },
    )
  }

  /** The frames of the current block (all, or those a PPR asked for), then RCP and PPS. */
  #sendBlock(only: readonly number[] | null): void {
    const selection = this.#selection!
    const block = this.#blocks[this.#blockIndex]!
    const numbers = only ?? block.frames.map((_, i) => i)
    const frames = numbers.map((n) => fcdFrame(n, block.frames[n]!))
    // T.4 Annex A: RCP "shall be transmitted three times" at the end of a partial page.
    frames.push(rcpFrame(), rcpFrame(), rcpFrame())
    this.#call.log(
      `page ${this.#pageIndex + 1} block ${this.#blockIndex}: ${numbers.length} of ${block.frames.length} frames`,
    )
    this.#call.send(
      [{ kind: 'frames', modem: selection.modem, shortTraining: this.#shortTraining, frames }],
      () => {
        this.#shortTraining = true
        this.#issue(
          'PPS',
          () => this.#sendPps(),
          (frame) => this.#onBlockResponse(frame),
        )
      },
    )
  }

  #sendPps(): void {
    const lastBlock = this.#blockIndex === this.#blocks.length - 1
    const command = !lastBlock ? 0 : this.#isLastPage() ? FCF.EOP : FCF.MPS
    const pps = buildPps(
      {
        command,
        page: this.#ecmPagesSent,
        block: this.#blockIndex,
        frameCount: this.#blocks[this.#blockIndex]!.frames.length,
      },
      this.#call.xBit,
    )
    this.#call.send([{ kind: 'frames', modem: 'v21', shortTraining: false, frames: [pps] }], () =>
      this.#awaitResponse(),
    )
  }

  // ---- phase D ----

  #onPageResponse(frame: ControlFrame): void {
    switch (frame.fcf) {
      case FCF.MCF:
      case FCF.PIP:
        this.#pageConfirmed(false)
        return
      case FCF.RTP:
        this.#pageConfirmed(true)
        return
      case FCF.RTN:
      case FCF.PIN:
        this.#pageRejected()
        return
      default:
        this.#unexpected(frame)
    }
  }

  #onBlockResponse(frame: ControlFrame): void {
    switch (frame.fcf) {
      case FCF.MCF:
      case FCF.PIP:
        this.#command = null
        this.#pprCount = 0
        this.#ctcSent = false
        this.#firstRnrAt = null
        if (this.#blockIndex < this.#blocks.length - 1) {
          this.#blockIndex++
          this.#sendBlock(null)
          return
        }
        this.#ecmPagesSent++
        this.#pageConfirmed(false)
        return
      case FCF.PPR:
        this.#onPpr(frame)
        return
      case FCF.RNR:
        this.#onRnr()
        return
      case FCF.PIN:
        this.#call.disconnect('tx-page-rejected')
        return
      default:
        this.#unexpected(frame)
    }
  }

  #onPpr(frame: ControlFrame): void {
    this.#command = null
    const block = this.#blocks[this.#blockIndex]!
    if (frame.fif.length < PPR_MAP_OCTETS) {
      this.#unexpected(frame)
      return
    }
    const resend = pprFramesToResend(frame.fif.subarray(0, PPR_MAP_OCTETS), block.frames.length)
    if (resend.length === 0) {
      // A PPR that lists nothing: send the PPS again.
      this.#issue(
        'PPS',
        () => this.#sendPps(),
        (f) => this.#onBlockResponse(f),
      )
      return
    }
    this.#pprCount++
    this.#call.log(`PPR ${this.#pprCount}: ${resend.length} frames to send again`)
    if (this.#pprCount % PPRS_BEFORE_CTC !== 0) {
      this.#sendBlock(resend)
      return
    }
    const slower = slowerModem(this.#call.local, this.#remote!, this.#selection!.modem)
    if (this.#ctcSent || slower === null) {
      // T.4 Annex A: EOR ends the block as it is; the page will not be confirmed.
      this.#sendEor()
      return
    }
    this.#ctcSent = true
    this.#selection = { ...this.#selection!, modem: slower }
    this.#call.log(`CTC: continuing at ${modemName(slower)}`)
    const ctc = encodeSelection(this.#selection).subarray(0, 2)
    this.#issue(
      'CTC',
      () => this.#call.sendFrames([{ fcf: FCF.CTC, fif: ctc }], () => this.#awaitResponse()),
      (f) => {
        if (f.fcf !== FCF.CTR) {
          this.#unexpected(f)
          return
        }
        this.#command = null
        this.#shortTraining = false
        this.#sendBlock(resend)
      },
    )
  }

  #sendEor(): void {
    const lastBlock = this.#blockIndex === this.#blocks.length - 1
    const command = !lastBlock ? 0 : this.#isLastPage() ? FCF.EOP : FCF.MPS
    this.#issue(
      'EOR',
      () =>
        this.#call.sendFrames(
          [{ fcf: FCF.EOR, fif: [command === 0 ? 0 : this.#call.xBit ? command | 0x80 : command] }],
          () => this.#awaitResponse(),
        ),
      (frame) => {
        if (frame.fcf !== FCF.ERR) {
          this.#unexpected(frame)
          return
        }
        this.#command = null
        this.#call.disconnect('tx-ecm-block-failed')
      },
    )
  }

  #onRnr(): void {
    this.#command = null
    this.#firstRnrAt ??= this.#call.now
    if (this.#call.now - this.#firstRnrAt > this.#call.timers.t5) {
      // T5: "the time ... for the receiver to become ready" has run out.
      this.#call.disconnect('tx-no-response')
      return
    }
    this.#issue(
      'RR',
      () => this.#call.sendFrames([{ fcf: FCF.RR }], () => this.#awaitResponse()),
      (frame) => this.#onBlockResponse(frame),
    )
  }

  #pageConfirmed(retrain: boolean): void {
    this.#command = null
    this.pagesConfirmed.push(this.#pageIndex)
    this.#call.emit({ type: 'page-confirmed', page: this.#pageIndex })
    this.#pageRetries = 0
    if (this.#isLastPage()) {
      this.complete = true
      this.#call.disconnect('ok')
      return
    }
    this.#pageIndex++
    if (!retrain) {
      this.#sendPage()
      return
    }
    // RTP: "retrain positive", so DCS and TCF again before the next page, a rate lower.
    this.#negotiate(
      slowerModem(this.#call.local, this.#remote!, this.#selection!.modem) ??
        this.#selection!.modem,
    )
  }

  #pageRejected(): void {
    this.#command = null
    this.#pageRetries++
    if (this.#pageRetries > this.#maxPageRetries) {
      this.#call.disconnect('tx-page-rejected')
      return
    }
    const slower = slowerModem(this.#call.local, this.#remote!, this.#selection!.modem)
    this.#call.log(`RTN for page ${this.#pageIndex + 1}: retraining to send it again`)
    this.#negotiate(slower ?? this.#selection!.modem)
  }

  // ---- commands and responses ----

  /** Sends a command and waits for its response, repeating it on T4 up to three times. */
  #issue(name: string, sendIt: () => void, onResponse: (frame: ControlFrame) => void): void {
    this.#command = { name, sendIt, tries: 1 }
    this.#response = null
    this.#pendingResponse = onResponse
    sendIt()
  }

  /** The command has gone: listen for the response for T4. */
  #awaitResponse(): void {
    this.#response = this.#pendingResponse
    this.#call.expect({ kind: 'v21' })
    this.#call.wait('T4', this.#call.timers.t4, () => this.#repeatCommand())
  }

  #repeatCommand(): void {
    const command = this.#command
    if (command === null) {
      return
    }
    if (command.tries >= MAX_COMMAND_TRIES) {
      this.#call.log(`no response to ${command.name} after ${command.tries} tries`)
      this.#call.disconnect('tx-no-response')
      return
    }
    command.tries++
    this.#response = null
    this.#call.stopWaiting()
    command.sendIt()
  }

  #unexpected(frame: ControlFrame): void {
    this.#call.log(
      `unexpected response (FCF 0x${frame.fcf.toString(16)}) to ${this.#command?.name}`,
    )
    this.#repeatCommand()
  }

  #isLastPage(): boolean {
    return this.#pageIndex === this.#pages.length - 1
  }
}
