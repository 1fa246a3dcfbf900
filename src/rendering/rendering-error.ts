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

/**
 * Any error of a render as the failure its fax ends with: a RenderingError as it is; anything
 * else (a renderer that threw, a bug) as failed_convert_to_tiff_issue, saying what happened.
 */
export function asRenderingError(error: unknown): RenderingError {
  if (error instanceof RenderingError) {
    return error
  }
  const reason = error instanceof Error ? error.message : String(error)
  return new RenderingError(
    'failed_convert_to_tiff_issue',
    `the pages could not be prepared: ${reason}`,
    { cause: error },
  )
}

/** Pages a fax may have, and how many are taken by what comes before the document at hand. */
export interface PageBudget {
  readonly limit: number
  readonly used: number
}

/** Fails a document whose pages do not fit in what is left of the fax's page budget. */
export function checkPageBudget(what: string, pages: number, budget: PageBudget): void {
  if (budget.used + pages <= budget.limit) {
    return
  }
  const message =
    budget.used === 0
      ? `the ${what} has ${pages} pages; a fax may have at most ${budget.limit}`
      : `with the ${what}'s ${pages} pages the fax would have ${budget.used + pages}; a fax may have at most ${budget.limit}`
  throw new RenderingError('failed_separate_file_pages_issue', message)
}

/**
 * Fails a page longer than Legal that would be split over more fax pages (placeOnFaxPages) than a
 * whole fax may have, before any of them is drawn: `what` is "page 3 of the PDF", say.
 */
export function checkSplitPage(what: string, parts: number, limit: number): void {
  if (parts > limit) {
    throw new RenderingError(
      'failed_separate_file_pages_issue',
      `${what} is so long that it would make ${parts} fax pages; a fax may have at most ${limit}`,
    )
  }
}
