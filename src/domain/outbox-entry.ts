/**
 * An outbox entry: one accepted sendFax request, waiting to be rendered and sent. It fans out
 * into one delivery per destination; a delivery's id is the id `return_ids` hands back and the
 * id of the fax record the delivery becomes.
 */
import type { DialString, E164 } from './fax-number.js'
import type { HeaderLine } from './header-line.js'

export const OUTBOX_STATUSES = [
  'submitted',
  'converting',
  'scheduled_for_sending',
  'sending',
] as const
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number]

export const RESOLUTIONS = ['fine', 'superfine'] as const
export type Resolution = (typeof RESOLUTIONS)[number]

export const COVER_PAGE_FLAGS = ['urgent', 'for_review', 'please_reply', 'confidential'] as const
export type CoverPageFlag = (typeof COVER_PAGE_FLAGS)[number]

export interface CoverPage {
  readonly nameTo: string
  readonly nameFrom: string
  readonly subject: string
  readonly flags: readonly CoverPageFlag[]
  readonly message: string | null
  readonly includeCompanyLogo: boolean
}

export interface RetryPolicy {
  /** Retries after the first attempt, 0–3. */
  readonly count: number
  readonly delaySeconds: number
}

export interface FaxReference {
  readonly faxId: string
  readonly ownerUid: string
}

export interface StatusChange {
  readonly status: OutboxStatus
  readonly atMs: number
}

export interface OutboxEntry {
  readonly id: string
  readonly uid: string
  readonly status: OutboxStatus
  /**
   * The `from` field (one number, a comma-separated list, or no_number), each number normalised
   * to E.164 (DialString.text).
   */
  readonly from: string
  /** The destinations in the order given, each normalised (DialString.text). */
  readonly to: readonly string[]
  /** Upload paths, in sending order. */
  readonly files: readonly string[]
  readonly fromFax: FaxReference | null
  readonly commentText: string
  readonly commentTags: readonly string[]
  readonly enhancement: boolean
  readonly retry: RetryPolicy
  readonly partiallySentRetry: boolean
  readonly resolution: Resolution
  readonly coverPage: CoverPage | null
  readonly sendAtMs: number
  readonly submittedAtMs: number
  readonly statusChanges: readonly StatusChange[]
  readonly pageCount: number
  /** FileStore key of the rendered TIFF-F; null until the pages are ready. */
  readonly documentKey: string | null
  readonly clientIp: string
  /** The account's header line when the fax was sent (domain/header-line.ts); null: none. */
  readonly headerLine: HeaderLine | null
}

export interface Delivery {
  readonly id: string
  readonly outboxId: string
  /** sendFax's `to` for it, parsed: the number to call and the digits to dial after. */
  readonly destination: DialString
  /** The number this destination is sent from, picked from `from`; null for no_number. */
  readonly fromNumber: E164 | null
}

export const MAX_DESTINATIONS = 4000
export const MAX_FILES = 10
export const MAX_TOTAL_FILE_BYTES = 150 * 1024 * 1024
