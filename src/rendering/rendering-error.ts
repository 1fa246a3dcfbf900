/**
 * Why a document could not become fax pages, as the Fax.Plus status the fax ends with and a
 * sentence for the fax record's description. Every failure of a renderer is translated into
 * one of these before it leaves this folder.
 */
import type { FaxStatus } from '../domain/fax.js'

export type RenderingFailure = Extract<
  FaxStatus,
  | 'failed_mimetype_not_supported'
  | 'failed_office_converter_issue'
  | 'failed_unknown_converter_issue'
  | 'failed_image_preparation'
  | 'failed_separate_file_pages_issue'
  | 'failed_convert_to_tiff_issue'
  | 'failed_render_header_issue'
>

export class RenderingError extends Error {
  override readonly name = 'RenderingError'
  readonly status: RenderingFailure

  constructor(status: RenderingFailure, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.status = status
  }
}
