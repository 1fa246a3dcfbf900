/**
 * Building and reading T.30 HDLC frames (T.30 §5.3.5–5.3.6) in T.38 wire form: address 0xFF,
 * control 0x03 ("not the final frame") or 0x13 ("final frame") — 0xC0 and 0xC8 with the
 * first-sent bit in the MSB — then the FCF and the facsimile information field. Flags, bit
 * stuffing and the FCS are the line's business (T.38 carries frames without them).
 */
import { reverseBits } from './bit-order.js'
import { FCF, X_BIT, fcfCode } from './fcf.js'

export const ADDRESS = 0xff
export const CONTROL_NOT_FINAL = 0xc0
export const CONTROL_FINAL = 0xc8

/** A frame as the engine reads it: its FCF (X bit cleared), X bit and information field. */
export interface ControlFrame {
  readonly fcf: number
  readonly x: boolean
  readonly final: boolean
  readonly fif: Uint8Array
}

/** Builds a frame. `final` marks the last frame of a transmission. */
export function buildFrame(
  fcf: number,
  fif: ArrayLike<number>,
  x: boolean,
  final: boolean,
): Uint8Array {
  const frame = new Uint8Array(3 + fif.length)
  frame[0] = ADDRESS
  frame[1] = final ? CONTROL_FINAL : CONTROL_NOT_FINAL
  frame[2] = x ? fcf | X_BIT : fcf
  frame.set(Array.from(fif), 3)
  return frame
}

/** Reads a frame; null when it is too short or its address or control field is wrong. */
export function parseFrame(frame: Uint8Array): ControlFrame | null {
  if (frame.length < 3 || frame[0] !== ADDRESS) {
    return null
  }
  const control = frame[1]
  if (control !== CONTROL_FINAL && control !== CONTROL_NOT_FINAL) {
    return null
  }
  const raw = frame[2]!
  const fcf = fcfCode(raw)
  return {
    fcf,
    x: fcf !== raw,
    final: control === CONTROL_FINAL,
    fif: frame.subarray(3),
  }
}

/** Octets in CSI, TSI and CIG: "20 numeric digits" (T.30 §5.3.6.2.4). */
export const IDENTITY_OCTETS = 20

/**
 * The information field of CSI, TSI or CIG. T.30 §5.3.6.2.4: the digits are sent last first
 * ("the least significant digit ... shall be transmitted first"), padded with spaces to 20;
 * each is an ASCII octet sent least significant bit first, so in wire form it is bit-reversed.
 * Only the characters T.30 Table 3 allows are kept: digits, '+' and space.
 */
export function encodeIdentity(text: string): Uint8Array {
  // Right-aligned in the 20 places, so that sent last character first the spaces come last.
  const allowed = text
    .replace(/[^0-9+ ]/g, '')
    .slice(0, IDENTITY_OCTETS)
    .padStart(IDENTITY_OCTETS, ' ')
  const fif = new Uint8Array(IDENTITY_OCTETS)
  for (let i = 0; i < IDENTITY_OCTETS; i++) {
    fif[i] = reverseBits(allowed.charCodeAt(IDENTITY_OCTETS - 1 - i))
  }
  return fif
}

/** Reads CSI/TSI/CIG back into text, trimmed; characters outside printable ASCII become '?'. */
export function decodeIdentity(fif: Uint8Array): string {
  let text = ''
  for (let i = fif.length - 1; i >= 0; i--) {
    const code = reverseBits(fif[i]!)
    text += code >= 0x20 && code < 0x7f ? String.fromCharCode(code) : '?'
  }
  return text.trim()
}

/** A PPS frame's fields after its FCF2 (T.30 §5.3.6.1.7 and T.4 Annex A): numbers sent LSB first. */
export interface PartialPageSignal {
  /** The post-message command it carries: NULL (0), MPS, EOM or EOP, without X bit. */
  readonly command: number
  readonly page: number
  readonly block: number
  readonly frameCount: number
}

export function buildPps(pps: PartialPageSignal, x: boolean): Uint8Array {
  const fcf2 = pps.command === 0 ? 0 : x ? pps.command | X_BIT : pps.command
  return buildFrame(
    FCF.PPS,
    [
      fcf2,
      reverseBits(pps.page & 0xff),
      reverseBits(pps.block & 0xff),
      reverseBits((pps.frameCount - 1) & 0xff),
    ],
    x,
    true,
  )
}

export function parsePps(frame: ControlFrame): PartialPageSignal | null {
  if (frame.fif.length < 4) {
    return null
  }
  const fcf2 = frame.fif[0]!
  return {
    command: fcf2 === 0 ? 0 : fcf2 & ~X_BIT,
    page: reverseBits(frame.fif[1]!),
    block: reverseBits(frame.fif[2]!),
    frameCount: reverseBits(frame.fif[3]!) + 1,
  }
}
