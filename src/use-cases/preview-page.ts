/**
 * A page of an outbox entry, of a fax, or of an uploaded document not yet sent, as a PNG, for
 * the web console (beyond Fax.Plus). The entry or fax is looked up as getOutboxFax and getFax
 * look it up, the upload as sendFax finds its files, so a caller sees previews of exactly what it
 * may read. An entry whose pages are still being made answers `pages_not_ready`.
 */
import { DomainError } from '../domain/domain-error.js'
import type { Actor, Services } from './context.js'
import { getFax } from './get-fax.js'
import { findOutboxEntry } from './get-outbox-entry.js'
import { resolveUser } from './resolve-user.js'
import type { Resolution } from '../domain/outbox-entry.js'

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

export interface UploadPreviewRequest extends PreviewRequest {
  /** The path uploadFile answered (`/transient-…`). */
  readonly path: string
  readonly resolution: Resolution
  readonly enhancement: boolean
}

/**
 * A page of an uploaded document as sendFax would render it (without a cover page), and how
 * many pages it makes: what a sender checks before sending. The document is rendered once, in
 * the render sandbox, and its pages drawn from memory for the next pages asked.
 */
export async function previewUploadPage(
  services: Services,
  actor: Actor,
  request: UploadPreviewRequest,
): Promise<{ png: Uint8Array; pages: number }> {
  const owner = await resolveUser(services, actor, request.userId)
  const upload = await services.store.uploads.get(request.path)
  if (upload === null || upload.uid !== owner.uid) {
    throw new DomainError('file_not_found', `No uploaded file has the path ${request.path}`)
  }
  const draft = await services.pages.previewDraft(
    {
      owner: owner.uid,
      documentKeys: [upload.storageKey],
      resolution: request.resolution,
      enhancement: request.enhancement,
    },
    request.page,
    request.width,
  )
  if (!draft.ok) {
    throw new DomainError('document_not_renderable', draft.description)
  }
  if (draft.png === null) {
    throw new DomainError(
      'page_not_found',
      `There is no page ${request.page}: the document makes ${draft.pages}`,
    )
  }
  return { png: draft.png, pages: draft.pages }
}
