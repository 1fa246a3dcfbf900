/**
 * A fax arriving at a number of this server: the ports the loopback carrier delivers through.
 * LocalNumbers answers whose number a destination is; InboundFaxes turns a delivered call into
 * the owner's incoming fax (the record, its pages, the `fax_received` webhook), which is the work
 * of a use case, not of the carrier.
 */

import type { E164 } from './fax-number.js'

/** The numbers of this server that take calls. */
export interface LocalNumbers {
  /** The account that owns `number` (E.164), while the number is active; null otherwise. */
  ownerOf(number: E164): Promise<{ readonly uid: string } | null>
}

/** A fax that reached a number of this server, every page of it. */
export interface InboundFax {
  /** The number called, E.164. */
  readonly to: E164
  /** The caller's number, E.164; null when the sender sent with `no_number`. */
  readonly from: E164 | null
  /** The account that owns `to`, whose inbox the fax goes to. */
  readonly ownerUid: string
  /** FileStore key of the pages as received (TIFF-F). */
  readonly documentKey: string
  /** The pages received, numbered in that document (1 … n). */
  readonly pages: readonly number[]
  readonly receivedAtMs: number
  /** The sending delivery, so that receiving the same call twice can be recognised. */
  readonly deliveryId: string
}

export interface InboundFaxes {
  /** Files the fax in its owner's inbox; fails when it could not (the sender then retries). */
  receive(fax: InboundFax): Promise<void>
}
