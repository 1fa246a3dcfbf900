/**
 * Which T.38 code points name which modem: the data type a modem's octets travel under, and
 * the indicator that announces its training (T.38 Annex A; T.30 §5.3 for the modulations). The
 * T.30 engine speaks of `FastModem`s (modems.ts) and V.21; IFPs of names like 'v17-14400'.
 * V.33, V.34 and V.8 have code points but no FastModem: the engine never chooses them.
 */
import {
  V17_12000,
  V17_14400,
  V17_7200,
  V17_9600,
  V27TER_2400,
  V27TER_4800,
  V29_7200,
  V29_9600,
  type FastModem,
} from '../t30/modems.js'
import { IfpError, type DataType, type Indicator } from './ifp.js'

/** What carries a T.30 signal: the V.21 control channel or one high-speed modem. */
export type LineModem = 'v21' | FastModem

interface CodePoints {
  readonly modem: FastModem
  readonly dataType: DataType
  /** V.17 has a long training (before TCF and the first page) and a short one (later pages). */
  readonly longTraining: Indicator
  readonly shortTraining: Indicator
}

// prettier-ignore
const FAST_MODEMS: readonly CodePoints[] = [
  { modem: V27TER_2400, dataType: 'v27-2400', longTraining: 'v27-2400-training', shortTraining: 'v27-2400-training' },
  { modem: V27TER_4800, dataType: 'v27-4800', longTraining: 'v27-4800-training', shortTraining: 'v27-4800-training' },
  { modem: V29_7200, dataType: 'v29-7200', longTraining: 'v29-7200-training', shortTraining: 'v29-7200-training' },
  { modem: V29_9600, dataType: 'v29-9600', longTraining: 'v29-9600-training', shortTraining: 'v29-9600-training' },
  { modem: V17_7200, dataType: 'v17-7200', longTraining: 'v17-7200-long-training', shortTraining: 'v17-7200-short-training' },
  { modem: V17_9600, dataType: 'v17-9600', longTraining: 'v17-9600-long-training', shortTraining: 'v17-9600-short-training' },
  { modem: V17_12000, dataType: 'v17-12000', longTraining: 'v17-12000-long-training', shortTraining: 'v17-12000-short-training' },
  { modem: V17_14400, dataType: 'v17-14400', longTraining: 'v17-14400-long-training', shortTraining: 'v17-14400-short-training' },
]

function codePointsOf(modem: FastModem): CodePoints {
  const found = FAST_MODEMS.find(
    (c) => c.modem.kind === modem.kind && c.modem.bitRate === modem.bitRate,
  )
  if (found === undefined) {
    throw new IfpError(
      'bad-argument',
      `T.38 has no code point for ${modem.kind} at ${modem.bitRate}`,
    )
  }
  return found
}

/** The data type a modem's octets are sent under. */
export function dataTypeOf(modem: LineModem): DataType {
  return modem === 'v21' ? 'v21' : codePointsOf(modem).dataType
}

/** The indicator that starts a modem's training (its long or short form for V.17). */
export function trainingIndicatorOf(modem: FastModem, shortTraining: boolean): Indicator {
  const points = codePointsOf(modem)
  return shortTraining ? points.shortTraining : points.longTraining
}

/** The modem a data type names; undefined for V.8, V.33 and V.34. */
export function modemOfDataType(dataType: DataType): LineModem | undefined {
  if (dataType === 'v21') {
    return 'v21'
  }
  return FAST_MODEMS.find((c) => c.dataType === dataType)?.modem
}

/**
 * The modem whose signal an indicator announces: 'v21' for the V.21 preamble, a FastModem for
 * a training indicator; undefined for the others (no-signal, tones, V.8, V.33, V.34).
 */
export function modemOfIndicator(indicator: Indicator): LineModem | undefined {
  if (indicator === 'v21-preamble') {
    return 'v21'
  }
  return FAST_MODEMS.find((c) => c.longTraining === indicator || c.shortTraining === indicator)
    ?.modem
}
