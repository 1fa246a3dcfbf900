/**
 * FaxDocuments over the FileStore: reads a fax's TIFF-F from the store, draws the header lines
 * its pages were sent with (header-line/stamp-tiff.ts), and makes the PDF of its pages
 * (src/codec/pdf-fax-writer.ts) or the confirmation report (fax-report.ts), whose thumbnail is
 * page 1 of the same file. The report is set on the paper faxd is configured for.
 */
import { faxImageOfTiffPage, tiffToPdf } from '../codec/pdf-fax-writer.js'
import { listTiffPages } from '../codec/tiff-read.js'
import type { FaxDocuments, FaxReportInput, PageHeaders } from '../domain/fax-documents.js'
import { type FileStore, readAllBytes } from '../domain/ports.js'
import { stampTiff } from '../header-line/stamp-tiff.js'
import { A4_PAPER, LETTER_PAPER, writeFaxReport } from './fax-report.js'

export interface FaxDocumentsOptions {
  /** The paper reports are set on (FAXD_PAPER); default letter. */
  readonly paper?: 'letter' | 'a4'
}

export class FileStoreFaxDocuments implements FaxDocuments {
  readonly #files: FileStore
  readonly #paper: 'letter' | 'a4'

  constructor(files: FileStore, options: FaxDocumentsOptions = {}) {
    this.#files = files
    this.#paper = options.paper ?? 'letter'
  }

  async pagesAsTiff(documentKey: string, headers: PageHeaders | null): Promise<Uint8Array> {
    const stored = await readAllBytes(this.#files.get(documentKey))
    return headers === null ? stored : stampTiff(stored, headers)
  }

  async pagesAsPdf(documentKey: string, headers: PageHeaders | null): Promise<Uint8Array> {
    return tiffToPdf(await this.pagesAsTiff(documentKey, headers))
  }

  async report(input: FaxReportInput): Promise<Uint8Array> {
    const key = input.fax.documentKey
    let firstPage = null
    if (key !== null) {
      // Page 1 only, with its header: the thumbnail shows what the recipient got.
      const stored = await readAllBytes(this.#files.get(key))
      const { headers } = input
      const tiff = headers === null ? stored : stampTiff(stored, headers, { firstPages: 1 })
      const page = listTiffPages(tiff)[0]
      firstPage = page === undefined ? null : faxImageOfTiffPage(tiff, page)
    }
    return writeFaxReport(input, firstPage, this.#paper === 'a4' ? A4_PAPER : LETTER_PAPER)
  }
}
