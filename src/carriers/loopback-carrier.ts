/**
 * The loopback carrier: a destination that is an active number of this server is not dialled;
 * the fax becomes that number's owner's inbound fax (through the InboundFaxes port, which a use
 * case implements). The call is modelled as a short one, through the same Wait and time scale
 * as the simulated carrier, so that progress and durations look like any other call's.
 *
 * - Pages are confirmed only once the inbound fax is filed: a receiving machine confirms a page
 *   it has, and here the receiver has the pages when InboundFaxes has taken them all. So when
 *   filing fails, no page is confirmed and the call ends `failed_to_send`, retryable.
 * - Post-dial digits mean nothing to a number of this server and are not dialled.
 * - An aborted signal ends the call at once, before anything is filed (cancelled-call.ts);
 *   once the fax is filed the call has succeeded, whatever the signal says.
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
import type { Clock } from '../shared/clock.js'
import { cancelledCall } from './cancelled-call.js'
import { CallTime, checkTimeScale } from './call-time.js'
import { timerWait, type Wait } from './wait.js'

/** The parts of a loopback call at time scale 1: a quick answer, and a second a page. */
export const LOOPBACK_TIMINGS = { answerMs: 1_000, pageMs: 1_000 } as const

export interface LoopbackCarrierOptions {
  readonly numbers: LocalNumbers
  readonly inbound: InboundFaxes
  /** Stamps the inbound fax's arrival. */
  readonly clock: Clock
  /** Multiplies every modelled duration: 1 (the default) realistic, 0 instant. */
  readonly timeScale?: number
  /** How time passes; timerWait by default. */
  readonly wait?: Wait
}

export class LoopbackCarrier implements Carrier {
  readonly name = 'loopback'
  readonly #numbers: LocalNumbers
  readonly #inbound: InboundFaxes
  readonly #clock: Clock
  readonly #timeScale: number
  readonly #wait: Wait

  constructor(options: LoopbackCarrierOptions) {
    this.#numbers = options.numbers
    this.#inbound = options.inbound
    this.#clock = options.clock
    this.#timeScale = checkTimeScale(options.timeScale ?? 1)
    this.#wait = options.wait ?? timerWait
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
    const time = new CallTime(this.#wait, this.#timeScale, signal)
    if (!(await time.spend(LOOPBACK_TIMINGS.answerMs))) {
      return cancelledCall([], null, time.elapsedMs)
    }
    // What two machines would agree on, so that the record reads like any call's; the called
    // station identifies itself by its number, as T.30 means the CSI to.
    const negotiated: Negotiated = {
      remoteStationId: call.to,
      bitRate: 14400,
      coding: 'mmr',
      ecm: true,
    }
    progress.onConnected?.(negotiated)
    for (const _page of call.pages) {
      if (!(await time.spend(LOOPBACK_TIMINGS.pageMs))) {
        return cancelledCall([], negotiated, time.elapsedMs)
      }
    }
    try {
      await this.#inbound.receive({
        to: call.to,
        from: call.from,
        ownerUid: owner.uid,
        documentKey: call.documentKey,
        pages: [...call.pages],
        receivedAtMs: this.#clock.now(),
        deliveryId: call.deliveryId,
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
    for (const page of call.pages) {
      progress.onPageConfirmed?.(page)
    }
    return {
      status: 'success',
      pagesConfirmed: [...call.pages],
      durationMs: time.elapsedMs,
      negotiated,
      retryable: false,
      description: 'OK',
    }
  }
}
