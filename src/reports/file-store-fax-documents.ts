/**
 * FaxDocuments over the FileStore: reads a fax's TIFF-F from the store and makes the PDF of its
 * pages (src/codec/pdf-fax-writer.ts) or the confirmation report (fax-report.ts), whose
 * thumbnail is page 1 of the same file. The report is set on the paper faxd is configured for.
 */
import { faxImageOfTiffPage, tiffToPdf } from '../codec/pdf-fax-writer.js'
import { listTiffPages } from '../codec/tiff-read.js'
import type { FaxDocuments, FaxReportInput } from '../domain/fax-documents.js'
import { type FileStore, readAllBytes } from '../domain/ports.js'
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

  async pagesAsPdf(documentKey: string): Promise<Uint8Array> {
    return tiffToPdf(await readAllBytes(this.#files.get(documentKey)))
  }

  async report(input: FaxReportInput): Promise<Uint8Array> {
    const key = input.fax.documentKey
    let firstPage = null
    if (key !== null) {
      const tiff = await readAllBytes(this.#files.get(key))
      const page = listTiffPages(tiff)[0]
      firstPage = page === undefined ? null : faxImageOfTiffPage(tiff, page)
    }
    return writeFaxReport(input, firstPage, this.#paper === 'a4' ? A4_PAPER : LETTER_PAPER)
  }
}
