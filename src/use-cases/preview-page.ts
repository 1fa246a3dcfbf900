/**
 * A page of an outbox entry or of a fax as a PNG, for the web console (beyond Fax.Plus). The
 * entry or fax is looked up as getOutboxFax and getFax look it up, so a caller sees previews of
 * exactly what it may read. An entry whose pages are still being made answers `pages_not_ready`.
 */
import { DomainError } from '../domain/domain-error.js'
import type { Actor, Services } from './context.js'
import { getFax } from './get-fax.js'
import { findOutboxEntry } from './get-outbox-entry.js'

export interface PreviewRequest {
  readonly userId: string
  /** From 1. */
  readonly page: number
  /** Most pixels across; the page is drawn with square pixels. */
  readonly width: number
}

export async function previewOutboxPage(
  services: Services,
  actor: Actor,
  outboxId: string,
  request: PreviewRequest,
): Promise<Uint8Array> {
  const entry = await findOutboxEntry(services, actor, request.userId, outboxId)
  if (entry.documentKey === null) {
    throw new DomainError(
      'pages_not_ready',
      `The pages of this fax are not ready yet (status ${entry.status}); try again shortly`,
    )
  }
  return pageOf(services, entry.documentKey, request)
}

export async function previewFaxPage(
  services: Services,
  actor: Actor,
  faxId: string,
  request: PreviewRequest,
): Promise<Uint8Array> {
  const fax = await getFax(services, actor, request.userId, faxId)
  if (fax.documentKey === null) {
    throw new DomainError('page_not_found', 'This fax has no pages')
  }
  return pageOf(services, fax.documentKey, request)
}

async function pageOf(
  services: Services,
  documentKey: string,
  request: PreviewRequest,
): Promise<Uint8Array> {
  const png = await services.pages.preview(documentKey, request.page, request.width)
  if (png === null) {
    throw new DomainError('page_not_found', `There is no page ${request.page}`)
  }
  return png
}
