/**
 * How long each part of a simulated call takes at time scale 1, in the five phases of ITU-T
 * T.30: "A – Call set-up", "B – Pre-message procedure", "C – Message transmission", "D –
 * Post-message procedure", "E – Call release". Until someone answers (phase A) the parts are
 * fixed; once the remote machine has answered, the call takes what the line needs at its rate
 * (src/telephony/t30/line-time.ts, the line-rate floor of brief §8): phase B (CED, CSI and DIS,
 * TSI and DCS, training, TCF, CFR), each page with ECM and MMR at the line's rate with its PPS
 * and MCF, and DCN. The carrier scales every part by its time scale.
 */
import type { Resolution } from '../domain/outbox-entry.js'
import { pageMs, preMessageMs, RELEASE_MS } from '../telephony/t30/line-time.js'

export const SIMULATED_TIMINGS = {
  /** Phase A on a line that answers: dialling, ringing, the remote machine picks up. */
  answerMs: 4_000,
  /** Dialling until the busy tone (Q.850 cause 17, "user busy"). */
  busyMs: 2_000,
  /** Ringing until the caller gives up (Q.850 cause 19, "no answer from user (user alerted)"). */
  noAnswerMs: 45_000,
  /** Dialling until the network refuses (Q.850 cause 1, "unallocated (unassigned) number"). */
  unallocatedMs: 3_000,
} as const

/** The rate the pages go at, bit/s: V.17 at 14,400, or 7200 on the slow test line. */
export const LINE_BIT_RATE = { usual: 14_400, slow: 7_200 } as const

/**
 * The coded size of a page the carrier cannot measure (it was given no FileStore to read the
 * document from), in octets of MMR: a typical page of faxd's own rendering, not a measurement
 * of the fax at hand. Fine: faxd's 79 fixture pages average 24,884 octets, `fifty-pages.pdf`
 * 24,770 a page; superfine: 36,431 a page of `fifty-pages.pdf` (docs/benchmarks.md). So a
 * typical page takes about 17 s of a call at 14,400 bit/s, as brief §8.3 reckons.
 */
export const TYPICAL_PAGE_OCTETS: Readonly<Record<Resolution, number>> = {
  fine: 25_000,
  superfine: 36_000,
}

/** The parts of a call that is answered, after phase A, each in milliseconds at time scale 1. */
export interface AnsweredCallTimes {
  /** Phase B, from the answer to the end of CFR: the fax is connected. */
  readonly trainingMs: number
  /** Each page (phases C and D): its image, then its PPS and the receiver's MCF. */
  readonly pagesMs: readonly number[]
  /** Phase E: DCN, then on hook. */
  readonly hangUpMs: number
}

/**
 * The line model's time for pages of these sizes at this rate, with ECM (the carrier's calls
 * are MMR, which T.30 sends only with ECM), each part rounded to a tenth of a second so that
 * durations read as docs/test-numbers.md gives them.
 */
export function answeredCallTimes(
  bitRate: number,
  pageOctets: readonly number[],
): AnsweredCallTimes {
  return {
    trainingMs: tenths(preMessageMs(bitRate, true)),
    pagesMs: pageOctets.map((octets) => tenths(pageMs(bitRate, true, octets))),
    hangUpMs: tenths(RELEASE_MS),
  }
}

function tenths(ms: number): number {
  return Math.round(ms / 100) * 100
}
