/**
 * A T30LineListener that writes down what a T38Terminal tells the engine, as short readable
 * lines ('carrier v21', 'frame ff c8 01 ok', 'image 54', 'carrier end', 'transmitted'), and
 * keeps the frames and the image octets whole for comparison.
 */
import type { FastModem } from '../../../src/telephony/t30/modems.js'
import type { T30LineListener } from '../../../src/telephony/t38/t38-terminal.js'
import { toHex } from './octets.js'

export class RecordingLine implements T30LineListener {
  readonly calls: string[] = []
  readonly frames: { frame: Uint8Array; ok: boolean }[] = []
  private readonly imageParts: Uint8Array[] = []
  /** Runs on `transmitted()`, after it is written down (to chain the next transmission). */
  onTransmitted: (() => void) | undefined
  /** Runs on each frame, after it is written down (to answer it). */
  onFrame: ((frame: Uint8Array, ok: boolean) => void) | undefined

  transmitted(): void {
    this.calls.push('transmitted')
    this.onTransmitted?.()
  }

  frameReceived(frame: Uint8Array, ok: boolean): void {
    this.calls.push(`frame ${toHex(frame)} ${ok ? 'ok' : 'bad'}`)
    this.frames.push({ frame, ok })
    this.onFrame?.(frame, ok)
  }

  carrierStarted(modem: 'v21' | FastModem): void {
    this.calls.push(`carrier ${modem === 'v21' ? 'v21' : `${modem.kind} ${modem.bitRate}`}`)
  }

  carrierEnded(): void {
    this.calls.push('carrier end')
  }

  imageData(data: Uint8Array): void {
    this.calls.push(`image ${data.length}`)
    this.imageParts.push(data)
  }

  lineError(): void {
    this.calls.push('line error')
  }

  toneHeard(tone: 'cng' | 'ced'): void {
    this.calls.push(`tone ${tone}`)
  }

  /** All image octets received so far, joined. */
  get image(): Uint8Array {
    const joined = new Uint8Array(this.imageParts.reduce((n, p) => n + p.length, 0))
    let at = 0
    for (const part of this.imageParts) {
      joined.set(part, at)
      at += part.length
    }
    return joined
  }
}
