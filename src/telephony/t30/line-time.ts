/**
 * How long a fax call holds the line, from the answer to the hang-up, when nothing goes wrong:
 * the "line-rate floor" of a call. Every signal T.30 sends is counted at the length the line
 * needs for it — tones, V.21 control bursts (a 1 s preamble, then each frame's octets at 300
 * bit/s), training, TCF, and the pages' coded octets at the negotiated rate — and nothing else:
 * no retransmission, no RTN or PPR, no fallback, no time a station takes to think. A real call
 * is longer (spandsp against itself: 22.7 s where this gives 20.7 s; brief §8.5, §8.6).
 *
 * A call is three parts, exported so that a benchmark can print each one:
 *
 * - pre-message (preMessageMs): after the answer, phase A's silence and CED, then phase B:
 *   CSI + DIS, TSI + DCS, training and TCF, CFR (brief §1.7: about 10.8 s to CFR);
 * - a page (pageMs): phase C, its coded octets after short training (with ECM: in 256-octet FCD
 *   frames after 200 ms of flags, three RCP, one partial page per 256 frames), then phase D: the
 *   post-message command (MPS/EOP, or PPS with ECM) and the receiver's MCF;
 * - release (RELEASE_MS): phase E, DCN.
 *
 * Octets on the line are counted as the modem sends them: each HDLC frame with its 16-bit FCS
 * and one closing flag, without bit stuffing (which adds at most one bit in six). Over T.38 the
 * frames go without FCS and flags, but the far gateway's modem sends them.
 *
 * The checks of the brief (§8.6), which line-time.test.ts keeps: a 1-page sparse letter at fine
 * (8,224 octets, MMR with ECM, 14,400 bit/s) 20.7 s, against "≈ 20 s" (spandsp measured 22.7 s);
 * 10 such pages 91.1 s, against "≈ 89 s" (measured 96.5 s); a typical 25,000-octet page 17.3 s
 * of the call ("about 17 s").
 */
import { MAX_FRAMES_PER_BLOCK } from './ecm-blocks.js'
import {
  FALLBACK_SEQUENCE,
  FAST_HDLC_PREAMBLE_MS,
  type FastModem,
  TCF_MS,
  trainingMs,
  V21_BIT_RATE,
  V21_PREAMBLE_MS,
} from './modems.js'

/** What decides a call's time on the line. */
export interface LineCall {
  /**
   * The rate of the pages, bit/s, as the DCS chose it: one of the rates of spandsp's fallback
   * sequence (2400 … 14,400). The modem is the first of that sequence at the rate: V.17 from
   * 7200 up, V.27 ter below.
   */
  readonly bitRate: number
  /** T.30 Annex A error correction (DCS bit 27). */
  readonly ecm: boolean
  /**
   * Each page's coded size in octets, as it goes on the line: the codec's MH/MR (RTC and any
   * fill for a minimum scan-line time included) or MMR (EOFB included).
   */
  readonly pageOctets: readonly number[]
}

/** A call's time on the line, part by part, in milliseconds. */
export interface LineTime {
  /** From the answer to the end of CFR: phase A's silence and CED, and phase B. */
  readonly preMessageMs: number
  /** Each page: phase C (its image) and phase D (its post-message command and MCF). */
  readonly pagesMs: readonly number[]
  /** Phase E: DCN. */
  readonly releaseMs: number
  readonly totalMs: number
}

/**
 * The answering station's silence before CED: 0.2 s (brief §1.1, from spandsp
 * `modem_connect_tones.c`; measured in §1.7: CED begins at 0.2 s).
 */
export const ANSWER_SILENCE_MS = 200

/**
 * CED, the 2100 Hz answer tone: T.30 allows 3.3 ± 0.7 s (brief §1.1); spandsp sends 3 s, and
 * the measured call of brief §1.7 has it from 0.2 s to 3.2 s.
 */
export const CED_MS = 3_000

/**
 * The quiet gap before each signal: "75 ± 20 ms" between the end of one signal and the start of
 * the next (T.30 §5.3.2.3; brief §1.7: DCS → 75 ms → training).
 */
export const SIGNAL_GAP_MS = 75

/**
 * What HDLC adds to a frame's address, control, FCF and FIF on the line: the 16-bit FCS and
 * the closing flag (brief §1.2: "then a 16-bit FCS"; T.38 drops both, a modem sends them).
 */
export const HDLC_FRAME_EXTRA_OCTETS = 3

/**
 * The frames of a call, in octets from the address to the end of the FIF, as the measured
 * frames of brief §1.2 have them.
 */
export const FRAME_OCTETS = {
  /** CSI and TSI: address, control, FCF and the 20-character identity. */
  identity: 23,
  /** DIS: `ff c8 01 20 77 1f 01 01 89 01 01 01 18`, spandsp's (brief §1.2). */
  dis: 13,
  /** DCS with ECM and MMR: `ff c8 c1 00 46 1f 22` (brief §1.2). */
  dcsEcm: 7,
  /** DCS without ECM: `ff c8 c1 00 47 1e` (brief §1.2). */
  dcs: 6,
  /** PPS: `ff c8 fd f2 00 00 04`: FCF2, page, block, frames − 1 (brief §1.2). */
  pps: 7,
  /** CFR, MPS, EOP, MCF, DCN, RCP: address, control, FCF. */
  simple: 3,
  /** FCD: address, control, FCF, frame number, and 256 octets of page (brief §1.5). */
  fcd: 4 + 256,
} as const

/** Octets of page per FCD frame: 256 (DCS bit 28 = 0, what faxd sends; brief §1.3). */
export const ECM_FRAME_DATA_OCTETS = 256

/** RCP is sent three times after a partial page's frames (T.4 Annex A; brief §1.5). */
export const RCP_REPEATS = 3

/**
 * One V.21 transmission of `frameOctets` frames: the 1 s preamble of flags (T.30 §5.3.1,
 * "1 s ± 15 %"), then every frame, with its FCS and flag, at 300 bit/s.
 */
export function v21BurstMs(frameOctets: readonly number[]): number {
  const octets = frameOctets.reduce((sum, size) => sum + size + HDLC_FRAME_EXTRA_OCTETS, 0)
  return V21_PREAMBLE_MS + octetsMs(octets, V21_BIT_RATE)
}

/**
 * From the answer to the end of CFR: 0.2 s of silence, CED, then phase B — the answerer's CSI
 * and DIS in one V.21 burst, the caller's TSI and DCS in another, long training and 1.5 s of
 * TCF at the chosen rate, and CFR — each signal after a 75 ms gap. spandsp's optional TEP
 * (0.215 s before V.17 training, brief §1.7) is not counted, nor NSF.
 */
export function preMessageMs(bitRate: number, ecm: boolean): number {
  const modem = modemAt(bitRate)
  return (
    ANSWER_SILENCE_MS +
    CED_MS +
    SIGNAL_GAP_MS +
    v21BurstMs([FRAME_OCTETS.identity, FRAME_OCTETS.dis]) +
    SIGNAL_GAP_MS +
    v21BurstMs([FRAME_OCTETS.identity, ecm ? FRAME_OCTETS.dcsEcm : FRAME_OCTETS.dcs]) +
    SIGNAL_GAP_MS +
    trainingMs(modem, false) +
    TCF_MS +
    SIGNAL_GAP_MS +
    v21BurstMs([FRAME_OCTETS.simple])
  )
}

/**
 * Phase C of one page: the page at the rate after short training — every page, the first too,
 * as spandsp trains short once CFR has confirmed the TCF (t30.c: "Successful training means we
 * should change to short training"). With ECM each partial page (up to 256 frames) is one
 * transmission: training, 200 ms of flags, its FCD frames (the last padded to 256 octets, brief
 * §1.5), three RCP; without ECM the coded octets go as they are.
 */
export function pageImageMs(bitRate: number, ecm: boolean, octets: number): number {
  const modem = modemAt(bitRate)
  checkOctets(octets)
  const startMs = SIGNAL_GAP_MS + trainingMs(modem, true)
  if (!ecm) {
    return startMs + octetsMs(octets, bitRate)
  }
  let total = 0
  for (const frames of ecmBlockFrames(octets)) {
    const frameOctets =
      frames * (FRAME_OCTETS.fcd + HDLC_FRAME_EXTRA_OCTETS) +
      RCP_REPEATS * (FRAME_OCTETS.simple + HDLC_FRAME_EXTRA_OCTETS)
    total += startMs + FAST_HDLC_PREAMBLE_MS + octetsMs(frameOctets, bitRate)
  }
  return total
}

/**
 * Phase D after one page: the post-message command and the receiver's MCF, each a V.21 burst
 * after a 75 ms gap. With ECM that is PPS (with MPS or EOP, or NULL after a partial page that
 * the page goes on from) and MCF, once per partial page; without, MPS or EOP and MCF.
 */
export function postPageMs(ecm: boolean, octets: number): number {
  checkOctets(octets)
  const response = SIGNAL_GAP_MS + v21BurstMs([FRAME_OCTETS.simple])
  if (!ecm) {
    return SIGNAL_GAP_MS + v21BurstMs([FRAME_OCTETS.simple]) + response
  }
  const blocks = ecmBlockFrames(octets).length
  return blocks * (SIGNAL_GAP_MS + v21BurstMs([FRAME_OCTETS.pps]) + response)
}

/** One page, image and post-message exchange: pageImageMs + postPageMs. */
export function pageMs(bitRate: number, ecm: boolean, octets: number): number {
  return pageImageMs(bitRate, ecm, octets) + postPageMs(ecm, octets)
}

/** Phase E: DCN, one V.21 burst after a 75 ms gap (the line is then released). */
export const RELEASE_MS = SIGNAL_GAP_MS + v21BurstMs([FRAME_OCTETS.simple])

/** The part of a call that does not depend on its pages: pre-message and release. */
export function fixedCallMs(bitRate: number, ecm: boolean): number {
  return preMessageMs(bitRate, ecm) + RELEASE_MS
}

/** A whole call, part by part. */
export function lineTime(call: LineCall): LineTime {
  const pre = preMessageMs(call.bitRate, call.ecm)
  const pagesMs = call.pageOctets.map((octets) => pageMs(call.bitRate, call.ecm, octets))
  const totalMs = pre + pagesMs.reduce((sum, ms) => sum + ms, 0) + RELEASE_MS
  return { preMessageMs: pre, pagesMs, releaseMs: RELEASE_MS, totalMs }
}

/** The modem a DCS at `bitRate` selects first (spandsp `fallback_sequence[]`). */
function modemAt(bitRate: number): FastModem {
  const modem = FALLBACK_SEQUENCE.find((candidate) => candidate.bitRate === bitRate)
  if (modem === undefined) {
    const rates = [...new Set(FALLBACK_SEQUENCE.map((m) => m.bitRate))].join(', ')
    throw new RangeError(`no fax modem sends pages at ${bitRate} bit/s (only ${rates})`)
  }
  return modem
}

/** The frames of each partial page of an ECM page: 256 a block, the rest in the last. */
function ecmBlockFrames(octets: number): number[] {
  const frames = Math.max(1, Math.ceil(octets / ECM_FRAME_DATA_OCTETS))
  const blocks: number[] = []
  for (let left = frames; left > 0; left -= MAX_FRAMES_PER_BLOCK) {
    blocks.push(Math.min(left, MAX_FRAMES_PER_BLOCK))
  }
  return blocks
}

function octetsMs(octets: number, bitRate: number): number {
  return (octets * 8 * 1000) / bitRate
}

function checkOctets(octets: number): void {
  if (!Number.isInteger(octets) || octets < 0) {
    throw new RangeError(`a page's coded size is a whole number of octets ≥ 0, not ${octets}`)
  }
}
