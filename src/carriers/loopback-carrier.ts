/**
 * The loopback carrier: a destination that is an active number of this server is not dialled,
 * but the call is still a real fax call. Our T.30 engine sends the pages to a second one that
 * answers as the number, over T.38 and UDPTL through a simulated network on virtual time, so
 * every loopback fax exercises the whole protocol in milliseconds. The pages the answering side
 * receives become the number's owner's inbound fax (through the InboundFaxes port, which a use
 * case implements). The call's own timeline (answer, pages, hang-up) is then played out through
 * the same Wait and time scale as the simulated carrier, so that progress and durations look
 * like any other call's.
 *
 * - Pages are confirmed only once the inbound fax is filed: a receiving machine confirms a page
 *   it has, and here the receiver has the pages when InboundFaxes has taken them all. So when
 *   filing fails, no page is confirmed and the call ends `failed_to_send`, retryable.
 * - The inbound fax is what the answering engine made of the call: the pages it accepted, the
 *   TSI it was sent, its call's duration in virtual time, and `partially_received`, with the
 *   reason, when its call ended before it had answered the sender's last page (T.30: EOP).
 * - Post-dial digits mean nothing to a number of this server and are not dialled.
 * - An aborted signal stops the call (DCN) before anything is filed (cancelled-call.ts); once
 *   the fax is filed the call has succeeded, whatever the signal says.
 */
import type {
  CallProgress,
  CallResult,
  Carrier,
  Negotiated,
  OutgoingCall,
} from '../domain/carrier.js'
import type { E164 } from '../domain/fax-number.js'
import type { InboundFaxes, LocalNumbers } from '../domain/inbound-fax.js'
import type { FileStore } from '../domain/ports.js'
import type { Clock } from '../shared/clock.js'
import { newId24 } from '../shared/ids.js'
import { CLEAN_LINE, type Impairments, ImpairedNetwork } from '../telephony/net/impaired-network.js'
import { receivedPagesToTiff } from '../telephony/t30/received-page.js'
import { T38FaxSession } from '../telephony/t38/t38-fax-session.js'
import { cancelledCall } from './cancelled-call.js'
import { oneChunk, pagesToSend } from './document-pages.js'
import { CallTime, checkTimeScale } from './call-time.js'
import { callResultOf, negotiatedOf } from './t30-call-result.js'
import { runVirtualCallInTurns } from './virtual-call.js'
import { timerWait, type Wait } from './wait.js'

/** Received pages of one fax are stored like an outbox document: at most this large. */
const MAX_RECEIVED_BYTES = 512 * 1024 * 1024

export interface LoopbackCarrierOptions {
  readonly numbers: LocalNumbers
  readonly inbound: InboundFaxes
  /** Where the documents to send are, and where the received pages are stored. */
  readonly files: FileStore
  /** Stamps the inbound fax's arrival. */
  readonly clock: Clock
  /** Multiplies every modelled duration: 1 (the default) realistic, 0 instant. */
  readonly timeScale?: number
  /** How time passes; timerWait by default. */
  readonly wait?: Wait
  /** The simulated network between the two machines; a clean line by default. */
  readonly line?: Impairments
}

export class LoopbackCarrier implements Carrier {
  readonly name = 'loopback'
  readonly #numbers: LocalNumbers
  readonly #inbound: InboundFaxes
  readonly #files: FileStore
  readonly #clock: Clock
  readonly #timeScale: number
  readonly #wait: Wait
  readonly #line: Impairments

  constructor(options: LoopbackCarrierOptions) {
    this.#numbers = options.numbers
    this.#inbound = options.inbound
    this.#files = options.files
    this.#clock = options.clock
    this.#timeScale = checkTimeScale(options.timeScale ?? 1)
    this.#wait = options.wait ?? timerWait
    this.#line = options.line ?? CLEAN_LINE
  }

  async handles(destination: E164): Promise<boolean> {
    return (await this.#numbers.ownerOf(destination)) !== null
  }

  async call(call: OutgoingCall, progress: CallProgress, signal: AbortSignal): Promise<CallResult> {
    // Asked again: the number may have gone since the call was routed here.
    const owner = await this.#numbers.ownerOf(call.to)
    if (owner === null) {
      return {
        status: 'failed_unallocated_number',
        pagesConfirmed: [],
        durationMs: 0,
        negotiated: null,
        retryable: false,
        description: 'the number is no longer on this server',
      }
    }
    const pages = await pagesToSend(this.#files, call)
    // The calling machine identifies itself by the sending number, the called one by the
    // number dialled, as T.30 means TSI and CSI to be.
    const caller = new T38FaxSession({
      version: 3,
      t30: { role: 'calling', pages, localId: call.from ?? '' },
    })
    const answerer = new T38FaxSession({
      version: 3,
      t30: { role: 'answering', localId: call.to },
    })
    let connectedAtMs: number | null = null
    const run = await runVirtualCallInTurns(caller, answerer, {
      network: new ImpairedNetwork(this.#line, hashSeed(call.deliveryId, call.attempt)),
      signal,
      onEvent: (side, event, now) => {
        if (side === 'a' && event.type === 'negotiated') {
          connectedAtMs ??= now
        }
      },
    })
    const result = callResultOf(run.caller, call.pages, run.caller.durationMs)
    const negotiated: Negotiated | null =
      run.caller.negotiated === null ? null : negotiatedOf(run.caller.negotiated)

    // The call as it happened, played out in (scaled) real time.
    const time = new CallTime(this.#wait, this.#timeScale, signal)
    if (connectedAtMs !== null && negotiated !== null) {
      if (!(await time.spend(connectedAtMs))) {
        return cancelledCall([], negotiated, time.elapsedMs)
      }
      progress.onConnected?.(negotiated)
    }
    if (!(await time.spend(run.caller.durationMs - (connectedAtMs ?? 0)))) {
      return cancelledCall([], negotiated, time.elapsedMs)
    }
    if (signal.aborted && run.caller.code !== 'ok') {
      return cancelledCall([], negotiated, time.elapsedMs)
    }

    const received = run.answererEvents.flatMap((e) => (e.type === 'page-received' ? [e.page] : []))
    if (result.pagesConfirmed.length === 0 || received.length === 0) {
      return { ...result, durationMs: time.elapsedMs }
    }
    try {
      const documentKey = `inbound/${owner.uid}/${newId24()}.tif`
      const tiff = receivedPagesToTiff(received, {
        remoteId: run.answerer.remoteId,
        receivedAt: new Date(this.#clock.now()),
        software: 'faxd',
      })
      await this.#files.put(documentKey, oneChunk(tiff), MAX_RECEIVED_BYTES)
      // The fax as the answering machine has it: its own account of the call, in virtual time.
      const answered = run.answerer
      await this.#inbound.receive({
        to: call.to,
        from: call.from,
        ownerUid: owner.uid,
        documentKey,
        pages: received.map((_, i) => i + 1),
        status: answered.code === 'ok' ? 'success' : 'partially_received',
        remoteStationId: answered.remoteId,
        durationMs: answered.durationMs,
        description: answered.description,
        receivedAtMs: this.#clock.now(),
        // The delivery's id alone, as before there was a key (inbound-fax.ts).
        callKey: call.deliveryId,
      })
    } catch {
      return {
        status: 'failed_to_send',
        pagesConfirmed: [],
        durationMs: time.elapsedMs,
        negotiated,
        retryable: true,
        description: 'the receiving account could not file the fax',
      }
    }
    for (const page of result.pagesConfirmed) {
      progress.onPageConfirmed?.(page)
    }
    return { ...result, durationMs: time.elapsedMs }
  }
}

/** The same delivery and attempt always meet the same simulated line. */
function hashSeed(deliveryId: string, attempt: number): number {
  let hash = attempt
  for (let i = 0; i < deliveryId.length; i++) {
    hash = Math.imul(hash ^ deliveryId.charCodeAt(i), 0x01000193) >>> 0
  }
  return hash
}
