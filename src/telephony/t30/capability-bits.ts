/**
 * The facsimile information field of DIS, DTC and DCS (T.30 Table 2): what a station can do, or
 * what the sender chose. Bit n of the table (from 1) is in octet ⌊(n − 1)/8⌋; in wire form its
 * mask is 0x80 >> ((n − 1) mod 8), since bit 1 is sent first. Bits 24, 32, 40, … are "extend
 * field" bits: another octet follows.
 */
import {
  type FastModem,
  V17_14400,
  V17_12000,
  V17_9600,
  V17_7200,
  V29_9600,
  V29_7200,
  V27TER_4800,
  V27TER_2400,
  sameModem,
} from './modems.js'
import type { Coding, VerticalResolution } from './page-format.js'

/** What a DIS or DTC offers. */
export interface Capabilities {
  /** Bit 9: has documents to send (polling). */
  readonly readyToTransmit: boolean
  /** Bit 10: can receive. */
  readonly readyToReceive: boolean
  /** The modems of bits 11–14. */
  readonly modems: ModemSet
  readonly resolutions: readonly VerticalResolution[]
  readonly codings: readonly Coding[]
  readonly ecm: boolean
  /** Bits 21–23: the receiver's minimum scan-line time at standard resolution, in ms. */
  readonly minScanLineMs: number
  /** The "½ T3.85" codes of bits 21–23 (or bit 46): half the time at fine and superfine. */
  readonly halfMinScanAtFine: boolean
  /** Bit 3: T.38 operation. */
  readonly t38: boolean
}

/** DIS bits 11–14: which modulations the station has (T.30 Table 2). */
export type ModemSet = 'v27ter-fallback' | 'v27ter' | 'v29' | 'v27ter+v29' | 'v27ter+v29+v17'

/** What a DCS selects. */
export interface Selection {
  readonly modem: FastModem
  readonly resolution: VerticalResolution
  readonly coding: Coding
  readonly ecm: boolean
  /** Bit 28: 64-octet ECM frames (256 when false). */
  readonly ecmFrame64: boolean
  /** The scan-line time the sender will keep, ms (0 with ECM). */
  readonly minScanLineMs: number
}

class BitField {
  readonly octets: number[]

  constructor(octets: ArrayLike<number> = []) {
    this.octets = Array.from(octets)
  }

  get(bit: number): boolean {
    const octet = this.octets[(bit - 1) >> 3] ?? 0
    return (octet & (0x80 >> ((bit - 1) & 7))) !== 0
  }

  set(bit: number, value = true): void {
    const index = (bit - 1) >> 3
    while (this.octets.length <= index) {
      this.octets.push(0)
    }
    const mask = 0x80 >> ((bit - 1) & 7)
    this.octets[index] = value ? this.octets[index]! | mask : this.octets[index]! & ~mask
  }

  /**
   * The field to send: up to the last octet with a bit set (at least 3), each octet before it
   * carrying the extend bit (bit 24, 32, …), as spandsp's `prune_dcs` does.
   */
  toFif(): Uint8Array {
    for (let bit = 24; bit <= this.octets.length * 8; bit += 8) {
      this.set(bit, false)
    }
    let last = this.octets.length - 1
    while (last > 2 && this.octets[last] === 0) {
      last--
    }
    const octets = this.octets.slice(0, Math.max(3, last + 1))
    while (octets.length < 3) {
      octets.push(0)
    }
    const field = new BitField(octets)
    for (let bit = 24; bit < octets.length * 8; bit += 8) {
      field.set(bit)
    }
    return Uint8Array.from(field.octets)
  }
}

/** Reads only the octets the extend bits reach (T.30: "extend field"), so stray octets are ignored. */
function fieldOf(fif: Uint8Array): BitField {
  let length = Math.min(fif.length, 3)
  while (length < fif.length && length >= 3 && (fif[length - 1]! & 0x01) !== 0) {
    length++
  }
  return new BitField(fif.subarray(0, length))
}

const MODEM_SETS: readonly [ModemSet, string][] = [
  ['v27ter-fallback', '0000'],
  ['v27ter', '0100'],
  ['v29', '1000'],
  ['v27ter+v29', '1100'],
  ['v27ter+v29+v17', '1101'],
]

/** DCS bits 11–14 for each rate (T.30 Table 2; spandsp `fallback_sequence[]`). */
const DCS_RATES: readonly [FastModem, string][] = [
  [V17_14400, '0001'],
  [V17_12000, '0101'],
  [V17_9600, '1001'],
  [V17_7200, '1101'],
  [V29_9600, '1000'],
  [V29_7200, '1100'],
  [V27TER_4800, '0100'],
  [V27TER_2400, '0000'],
]

/** Bits 21–23 (b21 b22 b23) and the time they stand for. */
const DIS_SCAN_TIMES: readonly [string, number, boolean][] = [
  ['000', 20, false],
  ['001', 40, false],
  ['010', 10, false],
  ['100', 5, false],
  ['011', 10, true],
  ['110', 20, true],
  ['101', 40, true],
  ['111', 0, false],
]
const DCS_SCAN_TIMES: readonly [string, number][] = [
  ['000', 20],
  ['001', 40],
  ['010', 10],
  ['100', 5],
  ['111', 0],
]

function readBits(field: BitField, first: number, count: number): string {
  let text = ''
  for (let i = 0; i < count; i++) {
    text += field.get(first + i) ? '1' : '0'
  }
  return text
}

function writeBits(field: BitField, first: number, bits: string): void {
  for (let i = 0; i < bits.length; i++) {
    field.set(first + i, bits[i] === '1')
  }
}

/** Whether a station with `set` has `modem` (the code with V.17 also means V.29 and V.27 ter). */
export function modemSetHas(set: ModemSet, modem: FastModem): boolean {
  switch (modem.kind) {
    case 'v17':
      return set === 'v27ter+v29+v17'
    case 'v29':
      return set === 'v29' || set === 'v27ter+v29' || set === 'v27ter+v29+v17'
    case 'v27ter':
      return modem.bitRate === 2400 || set !== 'v29'
  }
}

export function encodeCapabilities(caps: Capabilities): Uint8Array {
  const field = new BitField([0, 0, 0])
  field.set(3, caps.t38)
  field.set(9, caps.readyToTransmit)
  field.set(10, caps.readyToReceive)
  writeBits(field, 11, MODEM_SETS.find(([set]) => set === caps.modems)![1])
  field.set(15, caps.resolutions.includes('fine') || caps.resolutions.includes('superfine'))
  field.set(16, caps.codings.includes('mr'))
  // Bits 19–20: "unlimited" recording length.
  writeBits(field, 19, '01')
  const scan =
    DIS_SCAN_TIMES.find(
      ([, ms, half]) => ms === caps.minScanLineMs && half === caps.halfMinScanAtFine,
    ) ?? DIS_SCAN_TIMES.find(([, ms]) => ms === caps.minScanLineMs)
  if (scan === undefined) {
    throw new RangeError(`no DIS code for a minimum scan-line time of ${caps.minScanLineMs} ms`)
  }
  writeBits(field, 21, scan[0])
  field.set(27, caps.ecm)
  field.set(31, caps.ecm && caps.codings.includes('mmr'))
  field.set(41, caps.resolutions.includes('superfine'))
  // Bit 45, metric-based resolution, beside superfine: spandsp's own DIS sets the two together.
  field.set(45, caps.resolutions.includes('superfine'))
  return field.toFif()
}

export function decodeCapabilities(fif: Uint8Array): Capabilities {
  const field = fieldOf(fif)
  const modemBits = readBits(field, 11, 4)
  const modems = MODEM_SETS.find(([, bits]) => bits === modemBits)?.[0] ?? 'v27ter'
  const scanBits = readBits(field, 21, 3)
  const scan = DIS_SCAN_TIMES.find(([bits]) => bits === scanBits)!
  const resolutions: VerticalResolution[] = ['standard']
  if (field.get(15)) {
    resolutions.push('fine')
  }
  // Bit 41 lies in the fifth octet, read only when the extend bits reach it.
  if (field.get(41)) {
    resolutions.push('superfine')
  }
  const ecm = field.get(27)
  const codings: Coding[] = ['mh']
  if (field.get(16)) {
    codings.push('mr')
  }
  // T.6 coding goes only with ECM (a DIS may set bit 31 regardless; ignore it then).
  if (ecm && field.get(31)) {
    codings.push('mmr')
  }
  return {
    readyToTransmit: field.get(9),
    readyToReceive: field.get(10),
    modems,
    resolutions,
    codings,
    ecm,
    minScanLineMs: scan[1],
    halfMinScanAtFine: scan[2] || field.get(46),
    t38: field.get(3),
  }
}

export function encodeSelection(selection: Selection): Uint8Array {
  const field = new BitField([0, 0, 0])
  field.set(10)
  writeBits(field, 11, DCS_RATES.find(([modem]) => sameModem(modem, selection.modem))![1])
  field.set(15, selection.resolution !== 'standard')
  field.set(16, selection.coding === 'mr')
  writeBits(field, 19, '01')
  const scan = DCS_SCAN_TIMES.find(([, ms]) => ms === (selection.ecm ? 0 : selection.minScanLineMs))
  if (scan === undefined) {
    throw new RangeError(`no DCS code for a scan-line time of ${selection.minScanLineMs} ms`)
  }
  writeBits(field, 21, scan[0])
  field.set(27, selection.ecm)
  field.set(28, selection.ecm && selection.ecmFrame64)
  field.set(31, selection.coding === 'mmr')
  if (selection.resolution === 'superfine') {
    // Superfine (R8 × 15.4 lines/mm) is bit 41 alone, as spandsp's DCS has it.
    field.set(15, false)
    field.set(41)
  }
  return field.toFif()
}

/** Reads a DCS; null when it selects something this engine cannot receive. */
export function decodeSelection(fif: Uint8Array): Selection | null {
  const field = fieldOf(fif)
  const rateBits = readBits(field, 11, 4)
  const modem = DCS_RATES.find(([, bits]) => bits === rateBits)?.[0]
  const scan = DCS_SCAN_TIMES.find(([bits]) => bits === readBits(field, 21, 3))
  if (modem === undefined || !field.get(10)) {
    return null
  }
  const ecm = field.get(27)
  const coding: Coding = field.get(31) ? 'mmr' : field.get(16) ? 'mr' : 'mh'
  if (coding === 'mmr' && !ecm) {
    return null
  }
  const resolution: VerticalResolution = field.get(41)
    ? 'superfine'
    : field.get(15)
      ? 'fine'
      : 'standard'
  return {
    modem,
    resolution,
    coding,
    ecm,
    ecmFrame64: field.get(28),
    minScanLineMs: scan?.[1] ?? 20,
  }
}
