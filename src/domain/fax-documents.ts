/**
 * The port through which use cases turn a fax record's pages into the files Fax.Plus offers for
 * download: the pages as a PDF (getFile with format pdf) and the one-page confirmation report
 * (getFaxReport). The pages are the TIFF-F stored in the FileStore under the record's
 * `documentKey`; the implementation reads them there (src/reports/file-store-fax-documents.ts).
 */
import type { FaxRecord } from './fax.js'

/**
 * The header line's text each page of a sent fax carried (domain/header-line.ts), by page
 * number from 1; null for a page sent without one.
 */
export type PageHeaders = (page: number) => string | null

/** What the confirmation report says about a fax. */
export interface FaxReportInput {
  readonly fax: FaxRecord
  /** The account the fax belongs to, printed beside its own number (sender or recipient). */
  readonly account: { readonly name: string; readonly email: string } | null
  /** The header lines its pages were sent with; null: the pages as stored. */
  readonly headers: PageHeaders | null
}

/**
 * Every file shows the pages as the recipient got them: with `headers`, each page carries the
 * header line it was sent with, drawn as the call drew it; without, the pages are as stored.
 */
export interface FaxDocuments {
  /** The pages of a stored TIFF-F, as a TIFF-F (the stored file itself without headers). */
  pagesAsTiff(documentKey: string, headers: PageHeaders | null): Promise<Uint8Array>
  /** The pages of a stored TIFF-F as a PDF, one PDF page per fax page. */
  pagesAsPdf(documentKey: string, headers: PageHeaders | null): Promise<Uint8Array>
  /** A one-page PDF confirmation report, with a thumbnail of page 1 when the fax has pages. */
  report(input: FaxReportInput): Promise<Uint8Array>
}
