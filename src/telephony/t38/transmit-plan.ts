/**
 * What a T.38 terminal sends for one transmission the T.30 engine asks for, and when: the
 * IFPs with their times from the start of the transmission, and the time its last bit has
 * left the line. This follows spandsp's terminal (`t38_terminal.c` `stream_hdlc`,
 * `stream_non_ecm`, `stream_cng`): each transmission starts with no-signal and a quiet gap,
 * then an indicator, then the time the far gateway spends playing the preamble or training,
 * then the data paced at the modem's rate, then no-signal.
 *
 * Times are counted in ticks of 1/144,000 s: every millisecond and every bit at every rate
 * from 300 to 14,400 bit/s is a whole number of ticks, so the plan's times are exact and its
 * length is the real line time (the quiet, the preamble or training, and every bit).
 */
import type { Transmission } from '../t30/line-signals.js'
import {
  FAST_HDLC_PREAMBLE_MS,
  V21_BIT_RATE,
  V21_PREAMBLE_MS,
  trainingMs,
  type FastModem,
} from '../t30/modems.js'
import type { DataType, FieldType, Ifp, Indicator } from './ifp.js'
import { dataTypeOf, trainingIndicatorOf, type LineModem } from './ifp-modems.js'

export const TICKS_PER_MS = 144
const TICKS_PER_SECOND = 1000 * TICKS_PER_MS

/** The quiet gap before each transmission (T.30 §5.3.2.3, as line-signals.ts quotes it). */
export const QUIET_MS = 75
/**
 * Before CED the answerer is silent for 200 ms (T.30 phase A: CED "after 0.2 s of silence",
 * brief §1.1); spandsp waits the same 200 ms after no-signal before CNG (`stream_cng`), and so
 * do we. The CED indicator then stands for 3 s of answer tone (spandsp's CED time).
 */
export const TONE_SILENCE_MS = 200
export const CED_MS = 3000

/** spandsp `INDICATOR_TX_COUNT` and `DATA_END_TX_COUNT`: indicators and ends go 3 times. */
export const INDICATOR_COPIES = 3
export const END_COPIES = 3

/** After each frame's octets the line carries its 16-bit FCS and a closing flag. */
const FCS_AND_FLAG_BITS = 16 + 8

export interface PlannedIfp {
  /** Ticks from the start of the transmission. */
  readonly atTicks: number
  readonly ifp: Ifp
  /** How many times to send it (all copies with the same UDPTL sequence number). */
  readonly copies: number
}

export interface TransmissionPlan {
  readonly ifps: readonly PlannedIfp[]
  /** When the last bit has left the line: the engine hears `transmitted()` then. */
  readonly endTicks: number
}

/** spandsp sends one IFP every 30 ms (`DEFAULT_MICROSECONDS_PER_TX_CHUNK`). */
export const DEFAULT_CHUNK_MS = 30

export function planTransmission(
  transmission: Transmission,
  chunkMs: number = DEFAULT_CHUNK_MS,
): TransmissionPlan {
  const plan = new PlanBuilder()
  plan.indicator(0, 'no-signal')
  const start = QUIET_MS * TICKS_PER_MS
  switch (transmission.kind) {
    case 'tone': {
      const toneAt = TONE_SILENCE_MS * TICKS_PER_MS
      plan.indicator(toneAt, transmission.tone)
      // CNG goes on until the next transmission; the engine may go on at once.
      return plan.finish(transmission.tone === 'ced' ? toneAt + CED_MS * TICKS_PER_MS : toneAt)
    }
    case 'frames': {
      const modem = transmission.modem
      const preambleMs =
        modem === 'v21'
          ? V21_PREAMBLE_MS
          : trainingMs(modem, transmission.shortTraining) + FAST_HDLC_PREAMBLE_MS
      plan.indicator(start, startIndicator(modem, transmission.shortTraining))
      const end = plan.frames(
        start + preambleMs * TICKS_PER_MS,
        modem,
        transmission.frames,
        chunkMs,
      )
      plan.indicator(end, 'no-signal')
      return plan.finish(end)
    }
    case 'image': {
      const modem = transmission.modem
      plan.indicator(start, trainingIndicatorOf(modem, transmission.shortTraining))
      const dataStart = start + trainingMs(modem, transmission.shortTraining) * TICKS_PER_MS
      const end = plan.image(dataStart, modem, transmission.data, chunkMs)
      plan.indicator(end, 'no-signal')
      return plan.finish(end)
    }
  }
}

/** How long a transmission keeps the line, in milliseconds (the chunk size does not matter). */
export function transmissionMs(transmission: Transmission): number {
  return planTransmission(transmission).endTicks / TICKS_PER_MS
}

function startIndicator(modem: LineModem, shortTraining: boolean): Indicator {
  return modem === 'v21' ? 'v21-preamble' : trainingIndicatorOf(modem, shortTraining)
}

function bitRateOf(modem: LineModem): number {
  return modem === 'v21' ? V21_BIT_RATE : modem.bitRate
}

/** Octets per IFP: what the modem sends in one chunk time, at least one. */
export function chunkOctets(modem: LineModem, chunkMs: number): number {
  return Math.max(1, Math.floor((bitRateOf(modem) * chunkMs) / 8000))
}

class PlanBuilder {
  private readonly ifps: PlannedIfp[] = []

  indicator(atTicks: number, indicator: Indicator): void {
    this.ifps.push({ atTicks, ifp: { kind: 'indicator', indicator }, copies: INDICATOR_COPIES })
  }

  /**
   * HDLC frames from `atTicks`: each frame's octets as hdlc-data chunks, each sent when its
   * first bit is due; hdlc-fcs-OK when the FCS would start (hdlc-fcs-OK-sig-end after the last
   * frame); the FCS and a flag before the next frame. Answers when the last flag has gone.
   */
  frames(
    atTicks: number,
    modem: LineModem,
    frames: readonly Uint8Array[],
    chunkMs: number,
  ): number {
    const bitTicks = TICKS_PER_SECOND / bitRateOf(modem)
    const dataType = dataTypeOf(modem)
    if (frames.length === 0) {
      this.data(atTicks, dataType, 'hdlc-sig-end', undefined, END_COPIES)
      return atTicks
    }
    const chunk = chunkOctets(modem, chunkMs)
    let at = atTicks
    frames.forEach((frame, index) => {
      for (let offset = 0; offset < frame.length; offset += chunk) {
        const octets = frame.subarray(offset, offset + chunk)
        this.data(at + offset * 8 * bitTicks, dataType, 'hdlc-data', octets, 1)
      }
      at += frame.length * 8 * bitTicks
      const last = index === frames.length - 1
      this.data(
        at,
        dataType,
        last ? 'hdlc-fcs-OK-sig-end' : 'hdlc-fcs-OK',
        undefined,
        last ? END_COPIES : 1,
      )
      at += FCS_AND_FLAG_BITS * bitTicks
    })
    return at
  }

  /** Non-ECM data from `atTicks`, the last chunk as t4-non-ecm-sig-end. Answers its end. */
  image(atTicks: number, modem: FastModem, data: Uint8Array, chunkMs: number): number {
    const bitTicks = TICKS_PER_SECOND / modem.bitRate
    const dataType = dataTypeOf(modem)
    const chunk = chunkOctets(modem, chunkMs)
    if (data.length === 0) {
      this.data(atTicks, dataType, 't4-non-ecm-sig-end', undefined, END_COPIES)
    }
    for (let offset = 0; offset < data.length; offset += chunk) {
      const last = offset + chunk >= data.length
      const octets = data.subarray(offset, offset + chunk)
      const type = last ? 't4-non-ecm-sig-end' : 't4-non-ecm-data'
      this.data(atTicks + offset * 8 * bitTicks, dataType, type, octets, last ? END_COPIES : 1)
    }
    return atTicks + data.length * 8 * bitTicks
  }

  private data(
    atTicks: number,
    dataType: DataType,
    type: FieldType,
    data: Uint8Array | undefined,
    copies: number,
  ): void {
    const field = data === undefined ? { type } : { type, data }
    this.ifps.push({ atTicks, ifp: { kind: 'data', dataType, fields: [field] }, copies })
  }

  finish(endTicks: number): TransmissionPlan {
    return { ifps: this.ifps, endTicks }
  }
}
