/**
 * What passes between the T.30 engine and the line under it (a T.38 terminal, or later a modem):
 * the engine asks for one transmission at a time and is told when it is over; the line tells the
 * engine what it received. Both directions are plain data, so the engine does no I/O and keeps
 * no timers: time reaches it only as `advance(ms)`.
 *
 * Frames are in T.38 wire form, the form of every hex example in the brief and in captures: each
 * octet holds its first-sent bit in the most significant bit (T.38 §6.2, "the first bit
 * transmitted ... is the most significant bit"), and a frame is address, control, FCF and FIF
 * without flags, bit stuffing or FCS. Image octets (TCF, T.4 data, ECM frame contents) are in
 * the same order, which is TIFF FillOrder 1: what the codec writes goes out unchanged.
 */
import type { FastModem } from './modems.js'

/**
 * One transmission the engine asks the line for. The line answers `transmitted()` when its last
 * bit is sent. The line itself puts the quiet gap before each transmission (T.30 §5.3.2.3: 75 ms
 * "between the end of one signal and the start of the next") and the 200 ms before CED.
 */
export type Transmission =
  /**
   * A calling tone (CNG, repeated 0.5 s on and 3 s off) or the answer tone (CED, about 3 s).
   * CNG lasts until the next transmission starts; the line answers `transmitted()` for it at once.
   */
  | { readonly kind: 'tone'; readonly tone: 'cng' | 'ced' }
  /**
   * HDLC frames in one burst: at 300 bit/s over V.21 (a T.30 command or response, after a 1 s
   * preamble of flags) or at high speed (ECM image frames, after training and 200 ms of flags).
   * The last frame of the list ends the burst (hdlc-fcs-OK-sig-end on T.38).
   */
  | {
      readonly kind: 'frames'
      readonly modem: 'v21' | FastModem
      /** V.17's short training (pages after the first); ignored for V.21. */
      readonly shortTraining: boolean
      readonly frames: readonly Uint8Array[]
    }
  /** Non-ECM image data at high speed: the TCF's zeros, or a T.4 page ending with RTC. */
  | {
      readonly kind: 'image'
      readonly modem: FastModem
      readonly shortTraining: boolean
      readonly data: Uint8Array
    }

/**
 * What the engine expects to hear next, so that a line with real modems can listen for the
 * right one. A T.38 line gets the modulation with every packet and may ignore it.
 */
export type Reception =
  | { readonly kind: 'v21' }
  | { readonly kind: 'fast'; readonly modem: FastModem; readonly hdlc: boolean }
