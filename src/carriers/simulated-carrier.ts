/**
 * The simulated carrier: calls to the reserved test numbers (test-numbers.ts) end the way each
 * number says, after the time a real call would take (simulated-timings.ts) times `timeScale`.
 * Time passes only through the injected Wait, so tests run instantly.
 *
 * - A page takes the time its coded size needs on the line (src/telephony/t30/line-time.ts).
 *   Given a FileStore, the carrier reads the document's TIFF-F and takes each page's size from
 *   it (the strips' byte counts, MMR as faxd renders them; no pixel is decoded); without one,
 *   or at time scale 0 where no time passes anyway, it reads nothing and takes every page to be
 *   a typical one (TYPICAL_PAGE_OCTETS). A document it cannot read is its own fault: it throws.
 * - Progress: onConnected once the call is answered and trained, then onPageConfirmed for each
 *   page as its time passes, in the order of `call.pages`.
 * - durationMs: the sum of the scaled parts of the call that passed.
 * - +15555550104 drops the call after the first page of the attempt when more pages follow
 *   (`partially_sent`); an attempt with one page left gets that page, the last, through.
 * - An aborted signal ends the call at once, as cancelled-call.ts says.
 */
import type {
  CallProgress,
  CallResult,
  Carrier,
  Negotiated,
  OutgoingCall,
} from '../domain/carrier.js'
import type { E164 } from '../domain/fax-number.js'
import { type FileStore, readAllBytes } from '../domain/ports.js'
import { listTiffPages } from '../codec/tiff-read.js'
import { cancelledCall } from './cancelled-call.js'
import { CallTime, checkTimeScale } from './call-time.js'
import {
  answeredCallTimes,
  LINE_BIT_RATE,
  SIMULATED_TIMINGS,
  TYPICAL_PAGE_OCTETS,
} from './simulated-timings.js'
import { TEST_NUMBERS, type TestLine } from './test-numbers.js'
import { timerWait, type Wait } from './wait.js'

export interface SimulatedCarrierOptions {
  /** Multiplies every modelled duration: 1 (the default) realistic, 0 instant, 0.01 fast. */
  readonly timeScale?: number
  /** How time passes; timerWait by default. */
  readonly wait?: Wait
  /**
   * Where the documents are, to time each page by its coded size; without it every page is
   * timed as a typical page of its resolution.
   */
  readonly files?: FileStore
}

export class SimulatedCarrier implements Carrier {
  readonly name = 'simulated'
  readonly #timeScale: number
  readonly #wait: Wait
  readonly #files: FileStore | undefined

  constructor(options: SimulatedCarrierOptions = {}) {
    this.#timeScale = checkTimeScale(options.timeScale ?? 1)
    this.#wait = options.wait ?? timerWait
    this.#files = options.files
  }

  /** Only the seven test numbers, as the caller passes them (E.164, no post-dial digits). */
  async handles(destination: E164): Promise<boolean> {
    return TEST_NUMBERS.has(destination)
  }

  async call(call: OutgoingCall, progress: CallProgress, signal: AbortSignal): Promise<CallResult> {
    const line = TEST_NUMBERS.get(call.to)
    if (line === undefined) {
      throw new Error(`${call.to} is not a test number of the simulated carrier`)
    }
    const time = new CallTime(this.#wait, this.#timeScale, signal)
    const timings = SIMULATED_TIMINGS
    if (line === 'busy' || (line === 'busy_then_answers' && call.attempt === 1)) {
      return unanswered(time, timings.busyMs, {
        status: 'failed_user_busy',
        retryable: true,
        description: 'the line was busy',
      })
    }
    if (line === 'no_answer') {
      return unanswered(time, timings.noAnswerMs, {
        status: 'failed_no_answer',
        retryable: true,
        description: 'no one answered',
      })
    }
    if (line === 'unallocated') {
      return unanswered(time, timings.unallocatedMs, {
        status: 'failed_unallocated_number',
        retryable: false,
        description: 'the number is not allocated',
      })
    }
    if (signal.aborted) {
      return cancelledCall([], null, 0) // before the document is read
    }
    const negotiated = negotiatedOn(call, line)
    const times = answeredCallTimes(negotiated.bitRate, await this.#pageOctets(call))
    if (!(await time.spend(timings.answerMs)) || !(await time.spend(times.trainingMs))) {
      return cancelledCall([], null, time.elapsedMs)
    }
    progress.onConnected?.(negotiated)
    const confirmed: number[] = []
    for (const [index, page] of call.pages.entries()) {
      if (!(await time.spend(times.pagesMs[index] ?? 0))) {
        return cancelledCall(confirmed, negotiated, time.elapsedMs)
      }
      confirmed.push(page)
      progress.onPageConfirmed?.(page)
      if (line === 'drops_after_first_page' && confirmed.length < call.pages.length) {
        return {
          status: 'partially_sent',
          pagesConfirmed: confirmed,
          durationMs: time.elapsedMs,
          negotiated,
          retryable: true,
          description: `the call dropped after page ${page}`,
        }
      }
    }
    // Every page is confirmed: the fax is through, and an abort during the hang-up changes nothing.
    await time.spend(times.hangUpMs)
    return {
      status: 'success',
      pagesConfirmed: confirmed,
      durationMs: time.elapsedMs,
      negotiated,
      retryable: false,
      description: 'OK',
    }
  }

  /** The coded size of each page of the call, in octets: measured in the document, or typical. */
  async #pageOctets(call: OutgoingCall): Promise<number[]> {
    if (this.#files === undefined || this.#timeScale === 0) {
      return call.pages.map(() => TYPICAL_PAGE_OCTETS[call.resolution])
    }
    const document = listTiffPages(await readAllBytes(this.#files.get(call.documentKey)))
    return call.pages.map((page) => {
      const stored = document[page - 1]
      if (stored === undefined) {
        throw new Error(
          `page ${page} is not in ${call.documentKey}, which has ${document.length} pages`,
        )
      }
      return stored.strips.reduce((octets, strip) => octets + strip.byteCount, 0)
    })
  }
}

/** A call that ends before anyone answers, after `ms` (at time scale 1), as `outcome` says. */
async function unanswered(
  time: CallTime,
  ms: number,
  outcome: Pick<CallResult, 'status' | 'retryable' | 'description'>,
): Promise<CallResult> {
  if (!(await time.spend(ms))) {
    return cancelledCall([], null, time.elapsedMs)
  }
  return { ...outcome, pagesConfirmed: [], durationMs: time.elapsedMs, negotiated: null }
}

/**
 * What the simulated machine agrees on. T.30 means the CSI to be the station's international
 * number; machines often send a name instead, and these say what they are. MMR coding (T.6)
 * is used with error correction only, as T.30 requires. The machine takes both resolutions.
 */
function negotiatedOn(call: OutgoingCall, line: TestLine): Negotiated {
  return {
    remoteStationId: `FAXD SIMULATED ${call.to.slice(-4)}`,
    bitRate: line === 'slow' ? LINE_BIT_RATE.slow : LINE_BIT_RATE.usual,
    coding: 'mmr',
    ecm: true,
    resolution: call.resolution,
  }
}
