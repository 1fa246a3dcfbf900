/**
 * A fax record: a fax that was sent (direction outgoing) or received (incoming), with a final
 * Fax.Plus status. Records appear once delivery exists; until then the archive is empty.
 */
import type { ListPlace } from './list-place.js'

export const FAX_STATUSES = [
  'success',
  'partially_sent',
  'partially_received',
  'insufficient_credit',
  'failed',
  'failed_internal_process_error',
  'failed_user_busy',
  'failed_no_answer',
  'failed_unallocated_number',
  'failed_office_converter_issue',
  'failed_separate_file_pages_issue',
  'failed_render_header_issue',
  'failed_invalid_number_format',
  'failed_mimetype_not_supported',
  'failed_destination_not_supported',
  'failed_image_preparation',
  'failed_to_send',
  'failed_normal_temporary_failure',
  'failed_unknown_converter_issue',
  'failed_normal_clearing',
  'failed_convert_to_tiff_issue',
  'failed_fs_49',
  'failed_fs_2',
] as const
export type FaxStatus = (typeof FAX_STATUSES)[number]

export type FaxDirection = 'outgoing' | 'incoming'
export const FAX_CATEGORIES = ['inbox', 'sent', 'spam'] as const
export type FaxCategory = (typeof FAX_CATEGORIES)[number]

export interface FaxRecord {
  readonly id: string
  readonly ownerUid: string
  readonly direction: FaxDirection
  readonly from: string
  readonly to: string
  readonly status: FaxStatus
  readonly pages: number
  readonly durationSeconds: number
  readonly comment: string
  readonly isRead: boolean
  readonly isSpam: boolean
  readonly startedAtMs: number
  readonly submittedAtMs: number | null
  readonly updatedAtMs: number
  readonly maxRetry: number | null
  readonly retryDelaySeconds: number | null
  /** FileStore key of the pages as sent or received (TIFF-F); null when there are none. */
  readonly documentKey: string | null
  /** Why the fax has its status, in a sentence ("OK", or what went wrong). */
  readonly description: string
  /** The header line's text on the pages of its last attempt (outgoing); null: none. */
  readonly header: string | null
}

export interface FaxQuery {
  readonly ownerUid: string
  readonly category: FaxCategory | null
  readonly afterMs: number | null
  readonly beforeMs: number | null
  /** Only records that come after this place, newest first (start time, then id): a page's end. */
  readonly below: ListPlace | null
  readonly limit: number
}
