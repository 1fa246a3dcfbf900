/**
 * getFile: the pages of a fax as sent or received, as the TIFF-F that was stored (tiff) or as a
 * PDF made from it (pdf), a sent fax's pages with the header lines they were sent with. The record is looked up as getFax looks it up, so another user's fax
 * is `fax_not_found`; a record without pages (a fax that failed before any page existed) is
 * `file_not_available`. Without a format asked for, the caller's account data decides
 * (`default_file_type`), and PDF when it says nothing.
 */
import type { Account } from '../domain/account.js'
import { DomainError } from '../domain/domain-error.js'
import type { Actor, Services } from './context.js'
import { getFax } from './get-fax.js'
import { sentPageHeaders } from './sent-page-headers.js'

export const FAX_FILE_FORMATS = ['pdf', 'tiff'] as const
export type FaxFileFormat = (typeof FAX_FILE_FORMATS)[number]

export interface FaxFile {
  readonly format: FaxFileFormat
  readonly bytes: Uint8Array
  /** "fax-<fax id>.pdf" or ".tiff". */
  readonly fileName: string
}

export async function getFaxFile(
  services: Services,
  actor: Actor,
  userId: string,
  faxId: string,
  format: FaxFileFormat | null,
): Promise<FaxFile> {
  const fax = await getFax(services, actor, userId, faxId)
  if (fax.documentKey === null) {
    throw new DomainError('file_not_available', 'This fax has no pages to download')
  }
  const chosen = format ?? defaultFileType(actor.account)
  const headers = await sentPageHeaders(services, fax)
  const bytes =
    chosen === 'tiff'
      ? await services.documents.pagesAsTiff(fax.documentKey, headers)
      : await services.documents.pagesAsPdf(fax.documentKey, headers)
  return { format: chosen, bytes, fileName: `fax-${fax.id}.${chosen}` }
}

/** The account's `default_file_type` (tiff or pdf, checked when it was set), else pdf. */
export function defaultFileType(account: Account): FaxFileFormat {
  return account.accountData['default_file_type'] === 'tiff' ? 'tiff' : 'pdf'
}
