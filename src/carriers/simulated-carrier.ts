/**
 * The simulated carrier: calls to the reserved test numbers (test-numbers.ts) end the way each
 * number says, after the time a real call would take (simulated-timings.ts) times `timeScale`.
 * Time passes only through the injected Wait, so the carrier does no I/O of its own and tests
 * run instantly. The document is never read: `call.pages` says which pages there are.
 *
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
import { cancelledCall } from './cancelled-call.js'
import { CallTime, checkTimeScale } from './call-time.js'
import { SIMULATED_TIMINGS } from './simulated-timings.js'
import { TEST_NUMBERS, type TestLine } from './test-numbers.js'
import { timerWait, type Wait } from './wait.js'

export interface SimulatedCarrierOptions {
  /** Multiplies every modelled duration: 1 (the default) realistic, 0 instant, 0.01 fast. */
  readonly timeScale?: number
  /** How time passes; timerWait by default. */
  readonly wait?: Wait
}

export class SimulatedCarrier implements Carrier {
  readonly name = 'simulated'
  readonly #timeScale: number
  readonly #wait: Wait

  constructor(options: SimulatedCarrierOptions = {}) {
    this.#timeScale = checkTimeScale(options.timeScale ?? 1)
    this.#wait = options.wait ?? timerWait
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
    if (!(await time.spend(timings.answerMs)) || !(await time.spend(timings.trainingMs))) {
      return cancelledCall([], null, time.elapsedMs)
    }
    const negotiated = negotiatedOn(call.to, line)
    progress.onConnected?.(negotiated)
    const pageMs = (line === 'slow' ? timings.slowLinePageMs : timings.pageMs)[call.resolution]
    const confirmed: number[] = []
    for (const page of call.pages) {
      if (!(await time.spend(pageMs))) {
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
    await time.spend(timings.hangUpMs)
    return {
      status: 'success',
      pagesConfirmed: confirmed,
      durationMs: time.elapsedMs,
      negotiated,
      retryable: false,
      description: 'OK',
    }
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
 * is used with error correction only, as T.30 requires.
 */
function negotiatedOn(number: string, line: TestLine): Negotiated {
  return {
    remoteStationId: `FAXD SIMULATED ${number.slice(-4)}`,
    bitRate: line === 'slow' ? 7200 : 14400,
    coding: 'mmr',
    ecm: true,
  }
}
