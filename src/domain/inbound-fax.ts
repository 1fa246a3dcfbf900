/**
 * A fax arriving at a number of this server: the ports the carriers that answer calls deliver
 * through (loopback now, a SIP trunk next). LocalNumbers answers whose number a destination is;
 * InboundFaxes turns a received call into the owner's incoming fax (the record, its pages, the
 * `fax_received` webhook), which is the work of a use case, not of the carrier.
 */

import type { FaxStatus } from './fax.js'
import type { E164 } from './fax-number.js'

/** The numbers of this server that take calls. */
export interface LocalNumbers {
  /** The account that owns `number` (E.164), while the number is active; null otherwise. */
  ownerOf(number: E164): Promise<{ readonly uid: string } | null>
}

/**
 * How a received call ended, as a Fax.Plus status: every page the sender meant to send came
 * (T.30: EOP answered), or the call ended before that and the pages that did come are kept.
 */
export type InboundFaxStatus = Extract<FaxStatus, 'success' | 'partially_received'>

/** A fax that reached a number of this server: the pages received and how the call went. */
export interface InboundFax {
  /** The number called, E.164. */
  readonly to: E164
  /** The caller's number, E.164; null when the sender sent with `no_number`. */
  readonly from: E164 | null
  /** The account that owns `to`, whose inbox the fax goes to. */
  readonly ownerUid: string
  /** FileStore key of the pages as received (TIFF-F). */
  readonly documentKey: string
  /** The pages received, numbered in that document (1 … n); at least one. */
  readonly pages: readonly number[]
  readonly status: InboundFaxStatus
  /**
   * The sending fax's identity as it sent it (T.30 TSI: Transmitting Subscriber
   * Identification, up to 20 characters), '' when it sent none. Not checked against `from`.
   */
  readonly remoteStationId: string
  /** How long the call lasted, from answer to hang-up. */
  readonly durationMs: number
  /** Why the fax has its status, in a sentence: 'OK', or why the call ended early. */
  readonly description: string
  readonly receivedAtMs: number
  /**
   * Unique to the call, so that a call delivered twice files one fax: the record's id is derived
   * from it (`sha256('inbound:' + callKey)`, 24 hex digits), and a second fax with the same key
   * is not filed. A loopback call's key is the sending delivery's id (24 hex digits) alone, as
   * before callKey existed, so that the faxes already filed keep their ids; a call from a SIP
   * trunk's is `sip:<Call-ID>`. The two cannot meet: a delivery id has no colon.
   */
  readonly callKey: string
}

export interface InboundFaxes {
  /**
   * Files the fax in its owner's inbox; fails when it could not (the sender then retries). A fax
   * whose callKey was filed before is not filed again, and that is not a failure.
   */
  receive(fax: InboundFax): Promise<void>
}
