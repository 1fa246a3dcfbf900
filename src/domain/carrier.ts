/**
 * The port every way of delivering a fax sits behind: the loopback carrier (a destination that is
 * a number on this server), the simulated carrier (the reserved test numbers of
 * docs/test-numbers.md), and the SIP/T.38 carrier to come. A call is one attempt of one delivery:
 * the carrier reports the call's progress page by page as it goes, and answers how it ended.
 * How it ended is an outcome, never an error; a carrier throws only when it could not even try
 * (a fault of its own), and the attempt is then made again later.
 */
import type { FaxStatus } from './fax.js'
import type { E164 } from './fax-number.js'
import type { Resolution } from './outbox-entry.js'

/** One attempt to send a fax to one destination. */
export interface OutgoingCall {
  /** The delivery (the fax id `return_ids` gave) and which attempt this is, from 1. */
  readonly deliveryId: string
  readonly attempt: number
  /** The sending number, E.164; null for a corporate member sending with `no_number`. */
  readonly from: E164 | null
  /** The number to dial, E.164. */
  readonly to: E164
  /** Digits to dial once the call is answered (after `*` in sendFax's `to`), or ''. */
  readonly postDialDigits: string
  /** FileStore key of the TIFF-F with every page of the fax. */
  readonly documentKey: string
  readonly resolution: Resolution
  /**
   * The pages to send this time, numbered from 1 in the document: all of them, or with
   * `partially_sent_retry` only those no earlier attempt got confirmed.
   */
  readonly pages: readonly number[]
  /** The sender's owner account, for carriers that deliver inside this server. */
  readonly senderUid: string
  /**
   * The header line's text for this attempt's pages (domain/header-line.ts), drawn over the top
   * of each with "PAGE x/y"; null: none.
   */
  readonly header: string | null
  /** Pages in the document: the y of "PAGE x/y". */
  readonly pageCount: number
}

/**
 * The vertical resolutions a DCS can choose for the pages (bits 15 and 41): standard 3.85
 * lines/mm, fine 7.7, superfine 15.4. A page goes lower than it was rendered when the receiver
 * has not the resolution asked for.
 */
export const LINE_RESOLUTIONS = ['standard', 'fine', 'superfine'] as const
export type LineResolution = (typeof LINE_RESOLUTIONS)[number]

/** What the two fax machines agreed on (T.30 DIS/DCS), once the call is up. */
export interface Negotiated {
  /** The remote station's identity (T.30 CSI), as it sent it, trimmed; '' when it sent none. */
  readonly remoteStationId: string
  /** Signalling rate in bit/s (e.g. 14400). */
  readonly bitRate: number
  readonly coding: 'mh' | 'mr' | 'mmr'
  /** Error correction mode (T.30 Annex A). */
  readonly ecm: boolean
  /** The resolution the pages go at (DCS); absent when the carrier does not say. */
  readonly resolution?: LineResolution
}

export interface CallProgress {
  /**
   * The call is answered and negotiated; again, with the new values, if the machines agree
   * anew later in the call (a slower rate after a failed training, say).
   */
  onConnected?(negotiated: Negotiated): void
  /** The receiver confirmed a page (T.30 MCF); `page` is its number in the document. */
  onPageConfirmed?(page: number): void
}

export interface CallResult {
  /** success, partially_sent, or a failed_… status of the Fax.Plus list. */
  readonly status: FaxStatus
  /** The pages the receiver confirmed, numbered in the document. */
  readonly pagesConfirmed: readonly number[]
  /** From dialling to hang-up. */
  readonly durationMs: number
  readonly negotiated: Negotiated | null
  /** Whether another attempt could turn out differently (busy, no answer, dropped call). */
  readonly retryable: boolean
  /** A sentence for the fax record, e.g. "the line was busy". */
  readonly description: string
}

export interface Carrier {
  /** Its name in logs and attempt records: 'loopback', 'simulated', 'sip'. */
  readonly name: string
  /** True when this carrier takes calls to `destination`. */
  handles(destination: E164): Promise<boolean>
  /** Makes the call; `signal` aborts it (the sender cancelled, or the worker is stopping). */
  call(call: OutgoingCall, progress: CallProgress, signal: AbortSignal): Promise<CallResult>
}
