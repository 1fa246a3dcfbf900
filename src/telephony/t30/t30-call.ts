/**
 * What the T.30 engine gives out (its outputs and its result) and what the two halves of the
 * procedure, page-sender.ts and page-receiver.ts, may do to the call they are part of.
 */
import type { Capabilities, Selection } from './capability-bits.js'
import type { CompletionCode } from './completion-code.js'
import type { Reception, Transmission } from './line-signals.js'
import type { LocalCapabilities } from './negotiation.js'
import type { ReceivedPage } from './received-page.js'
import type { T30Timers } from './timers.js'

/** The settings the two stations agreed on for the pages. */
export interface T30Negotiated {
  readonly remoteId: string
  readonly remoteCapabilities: Capabilities
  readonly selection: Selection
}

export interface T30Result {
  readonly code: CompletionCode
  readonly description: string
  /** Sending: the pages the receiver confirmed (MCF or RTP), as indexes into `pages`. */
  readonly pagesConfirmed: readonly number[]
  /** Receiving: how many pages arrived and were accepted. */
  readonly pagesReceived: number
  /** The remote station's identity (its CSI or TSI), '' when it sent none. */
  readonly remoteId: string
  /** The settings of the last pages, null when the call never got that far. */
  readonly negotiated: T30Negotiated | null
  /** Engine time from `start()` to the end. */
  readonly durationMs: number
}

export type T30Output =
  | { readonly type: 'transmit'; readonly transmission: Transmission }
  | { readonly type: 'receive'; readonly reception: Reception }
  | { readonly type: 'negotiated'; readonly negotiated: T30Negotiated }
  | { readonly type: 'page-confirmed'; readonly page: number }
  | { readonly type: 'page-received'; readonly page: ReceivedPage; readonly index: number }
  | { readonly type: 'log'; readonly message: string }
  | { readonly type: 'ended'; readonly result: T30Result }

/**
 * What the two halves of the procedure can do to the call; the engine implements it and hands
 * itself to them, so that neither half knows the other.
 */
export interface T30Call {
  readonly local: LocalCapabilities
  readonly timers: T30Timers
  readonly localId: string
  /** The X bit of this station's frames: set in the station that received a valid DIS. */
  readonly xBit: boolean
  readonly now: number
  /** Sends transmissions one after the other, then calls `then` when the last has gone. */
  send(transmissions: readonly Transmission[], then?: () => void): void
  /** One frame (or a burst of frames) over V.21, the last marked final. */
  sendFrames(frames: readonly { fcf: number; fif?: ArrayLike<number> }[], then?: () => void): void
  /** Starts (or replaces) the one running wait. */
  wait(name: string, ms: number, expire: () => void): void
  stopWaiting(): void
  expect(reception: Reception): void
  emit(output: T30Output): void
  log(message: string): void
  /** Sends DCN, then ends the call with `code`. */
  disconnect(code: CompletionCode): void
  /** Ends the call at once. */
  end(code: CompletionCode): void
  readonly remoteId: string
  setNegotiated(selection: Selection): void
  /** Phase B's identification is over (T1 stops). */
  identified(): void
  /** The called station's CSI and DIS, repeated each T4 until a command comes. */
  sendIdentification(): void
}
