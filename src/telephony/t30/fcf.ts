/**
 * T.30 facsimile control fields (T.30 §5.3.6.1), as their octet looks on a T.38 line: the
 * first-sent bit is the most significant, so the "X" bit of T.30 ("set to 1 by the station which
 * receives a valid DIS ... 0 otherwise", §5.3.6.1) is 0x80, and the values below are the
 * seven bits after it. DIS, CSI and NSF have no X bit: the same seven bits with the first bit
 * set are DTC, CIG and NSC.
 */

export const FCF = {
  // Initial identification, from the called station.
  DIS: 0x01,
  CSI: 0x02,
  NSF: 0x04,
  // The same from the calling station that wants to receive (polling).
  DTC: 0x81,
  CIG: 0x82,
  NSC: 0x84,
  // Commands to send.
  DCS: 0x41,
  TSI: 0x42,
  // Pre-message responses.
  CFR: 0x21,
  FTT: 0x22,
  // Post-message commands.
  EOM: 0x71,
  MPS: 0x72,
  EOR: 0x73,
  EOP: 0x74,
  RR: 0x76,
  PPS: 0x7d,
  CTC: 0x48,
  // Post-message responses.
  MCF: 0x31,
  RTN: 0x32,
  RTP: 0x33,
  PIN: 0x34,
  PIP: 0x35,
  RNR: 0x37,
  ERR: 0x38,
  PPR: 0x3d,
  CTR: 0x23,
  // Either way.
  DCN: 0x5f,
  CRP: 0x58,
  // ECM image frames, at high speed (T.4 Annex A).
  FCD: 0x60,
  RCP: 0x61,
} as const

export type FcfName = keyof typeof FCF

/** The X bit: set in frames from the station that received a valid DIS. */
export const X_BIT = 0x80

/** The three initial-identification FCFs whose first bit is part of the code, not an X bit. */
const IDENTIFICATION = new Set<number>([FCF.DIS, FCF.CSI, FCF.NSF, FCF.DTC, FCF.CIG, FCF.NSC])

/** The FCF of a received frame with its X bit cleared (DIS/DTC and their kin keep theirs). */
export function fcfCode(octet: number): number {
  return IDENTIFICATION.has(octet) ? octet : octet & ~X_BIT
}

const NAMES = new Map<number, FcfName>(
  (Object.entries(FCF) as [FcfName, number][]).map(([name, code]) => [code, name]),
)

/** The name of a control field for logs ("DCS", "MCF"), or its hex when unknown. */
export function fcfName(octet: number): string {
  return NAMES.get(fcfCode(octet)) ?? `FCF 0x${octet.toString(16).padStart(2, '0')}`
}
