/**
 * The high-speed modems a Group 3 fax sends its pages with, and the V.21 channel its T.30
 * frames go over. T.30 §5.3 and Table 2 name the modulations (V.27 ter, V.29, V.17); spandsp's
 * `fallback_sequence[]` (t30.c) gives the order a sender steps down in after FTT or RTN.
 */

export type ModemKind = 'v27ter' | 'v29' | 'v17'

/** A modulation at one signalling rate: what a DCS selects and a training indicator names. */
export interface FastModem {
  readonly kind: ModemKind
  readonly bitRate: 2400 | 4800 | 7200 | 9600 | 12000 | 14400
}

/** V.21 channel 2: the 300 bit/s FSK channel of every T.30 control frame. */
export const V21_BIT_RATE = 300

export const V17_14400: FastModem = { kind: 'v17', bitRate: 14400 }
export const V17_12000: FastModem = { kind: 'v17', bitRate: 12000 }
export const V17_9600: FastModem = { kind: 'v17', bitRate: 9600 }
export const V17_7200: FastModem = { kind: 'v17', bitRate: 7200 }
export const V29_9600: FastModem = { kind: 'v29', bitRate: 9600 }
export const V29_7200: FastModem = { kind: 'v29', bitRate: 7200 }
export const V27TER_4800: FastModem = { kind: 'v27ter', bitRate: 4800 }
export const V27TER_2400: FastModem = { kind: 'v27ter', bitRate: 2400 }

/**
 * The rates a sender tries, fastest first; after FTT (failure to train), RTN or RTP it moves to
 * the next one the receiver also has (spandsp `fallback_sequence[]`).
 */
export const FALLBACK_SEQUENCE: readonly FastModem[] = [
  V17_14400,
  V17_12000,
  V17_9600,
  V29_9600,
  V17_7200,
  V29_7200,
  V27TER_4800,
  V27TER_2400,
]

export function sameModem(a: FastModem, b: FastModem): boolean {
  return a.kind === b.kind && a.bitRate === b.bitRate
}

export function modemName(modem: FastModem): string {
  const kind = modem.kind === 'v27ter' ? 'V.27ter' : modem.kind === 'v29' ? 'V.29' : 'V.17'
  return `${kind} ${modem.bitRate}`
}

/**
 * How long a modem's training sequence lasts before its data, in milliseconds: V.17 long
 * training (after DCS, before TCF and the first page) or short (the pages after), V.29, V.27ter
 * (spandsp t38_core.c `modem_startup_time[]`: 1393, 142, 234, 943 and 708 ms).
 */
export function trainingMs(modem: FastModem, short: boolean): number {
  switch (modem.kind) {
    case 'v17':
      return short ? 142 : 1393
    case 'v29':
      return 234
    case 'v27ter':
      return modem.bitRate === 2400 ? 943 : 708
  }
}

/** The flags before the first frame of a V.21 transmission: 1 s (T.30 §5.3.1, "1 s ± 15%"). */
export const V21_PREAMBLE_MS = 1000

/** The flags before the first ECM frame of a high-speed transmission (spandsp: 200 ms). */
export const FAST_HDLC_PREAMBLE_MS = 200

/**
 * The training check: "TCF ... a series of 0s for 1.5 seconds ± 10%" sent at the rate the DCS
 * chose (T.30 §5.3.6.2.3).
 */
export const TCF_MS = 1500

/** Octets of TCF at a rate: 1.5 s of zero bits. */
export function tcfOctets(modem: FastModem): number {
  return Math.round((modem.bitRate * TCF_MS) / 1000 / 8)
}
