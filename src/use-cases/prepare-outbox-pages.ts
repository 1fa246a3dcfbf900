/**
 * The render step of an outbox entry (design.md, the path of one fax): the entry is marked
 * `converting`; its cover page, uploaded files in order, then the `from_fax` document become one
 * TIFF-F in the FileStore; the page count is stored and the entry is `scheduled_for_sending`.
 * When the documents cannot be rendered, the fax ends there: each destination gets a fax record
 * with the Fax.Plus status and its reason, under the id `return_ids` gave for it, and the entry
 * leaves the outbox. Run again after a crash, it renders again; a cancelled entry is left alone.
 */
import type { CoverPage, OutboxEntry } from '../domain/outbox-entry.js'
import type { FaxRecord, FaxStatus } from '../domain/fax.js'
import type { Services } from './context.js'

export type PreparedOutcome =
  | { readonly outcome: 'ready'; readonly pages: number }
  | { readonly outcome: 'failed'; readonly status: FaxStatus; readonly description: string }
  | { readonly outcome: 'gone' }

export type RenderServices = Pick<Services, 'store' | 'files' | 'clock' | 'pages'>

/**
 * Makes the pages of outbox entry `outboxId`. `signal` stops the render (the worker lost the
 * job, or is stopping): its reason is thrown and the entry stays converting, for the job's next
 * run to render again.
 */
export async function prepareOutboxPages(
  services: RenderServices,
  outboxId: string,
  signal?: AbortSignal,
): Promise<PreparedOutcome> {
  const { store, clock } = services
  const entry = await store.outbox.beginConverting(outboxId, clock.now())
  if (entry === null) {
    return { outcome: 'gone' }
  }
  const documents = await documentKeys(services, entry)
  if (!documents.ok) {
    return fail(services, entry, 'failed_separate_file_pages_issue', documents.description)
  }
  const outputKey = `outbox/${entry.uid}/${entry.id}.tif`
  const result = await services.pages.render(
    {
      owner: entry.uid,
      documentKeys: documents.keys,
      cover:
        entry.coverPage === null
          ? null
          : {
              cover: entry.coverPage,
              date: printedDate(clock.now()),
              logoKey: await logoKey(services, entry.uid, entry.coverPage),
            },
      resolution: entry.resolution,
      enhancement: entry.enhancement,
      outputKey,
    },
    undefined,
    signal,
  )
  if (!result.ok) {
    return fail(services, entry, result.status, result.description)
  }
  const stored = await store.outbox.finishConverting(
    entry.id,
    { documentKey: outputKey, pageCount: result.pages },
    clock.now(),
  )
  if (!stored) {
    // Cancelled while its pages were being made: nothing refers to them.
    await services.files.delete(outputKey)
    return { outcome: 'gone' }
  }
  return { outcome: 'ready', pages: result.pages }
}

async function documentKeys(
  services: RenderServices,
  entry: OutboxEntry,
): Promise<{ ok: true; keys: string[] } | { ok: false; description: string }> {
  const keys: string[] = []
  for (const path of entry.files) {
    const upload = await services.store.uploads.get(path)
    if (upload === null) {
      return { ok: false, description: `the uploaded file ${path} is no longer there` }
    }
    keys.push(upload.storageKey)
  }
  if (entry.fromFax !== null) {
    const fax = await services.store.faxes.get(entry.fromFax.faxId)
    if (fax?.documentKey === null || fax?.documentKey === undefined) {
      return {
        ok: false,
        description: `the fax ${entry.fromFax.faxId} in from_fax has no pages to send`,
      }
    }
    keys.push(fax.documentKey)
  }
  return { ok: true, keys }
}

/**
 * The account's `company_logo` names one of its uploads (a path from the upload endpoint); it is
 * drawn when the cover page asks for it.
 */
async function logoKey(
  services: RenderServices,
  uid: string,
  cover: CoverPage,
): Promise<string | null> {
  if (!cover.includeCompanyLogo) {
    return null
  }
  const account = await services.store.accounts.get(uid)
  const logo = account?.accountData['company_logo']
  if (typeof logo !== 'string' || logo === '') {
    return null
  }
  const upload = await services.store.uploads.get(logo)
  return upload?.uid === uid ? upload.storageKey : null
}

/**
 * Ends an outbox entry that will never get its pages (the render kept breaking): its fax records
 * say why. False when the entry is already gone or sending.
 */
export async function endOutboxEntry(
  services: RenderServices,
  outboxId: string,
  status: FaxStatus,
  description: string,
): Promise<boolean> {
  const entry = await services.store.outbox.get(outboxId)
  if (entry === null) {
    return false
  }
  return (await fail(services, entry, status, description)).outcome === 'failed'
}

async function fail(
  services: RenderServices,
  entry: OutboxEntry,
  status: FaxStatus,
  description: string,
): Promise<PreparedOutcome> {
  const now = services.clock.now()
  const deliveries = await services.store.outbox.listDeliveries(entry.id)
  const records: FaxRecord[] = deliveries.map((delivery) => ({
    id: delivery.id,
    ownerUid: entry.uid,
    direction: 'outgoing',
    from: delivery.fromNumber ?? '',
    to: delivery.destination.text,
    status,
    pages: 0,
    durationSeconds: 0,
    comment: entry.commentText,
    isRead: false,
    isSpam: false,
    startedAtMs: now,
    submittedAtMs: entry.submittedAtMs,
    updatedAtMs: now,
    maxRetry: entry.retry.count,
    retryDelaySeconds: entry.retry.delaySeconds,
    documentKey: null,
    description,
    header: null,
  }))
  const ended = await services.store.outbox.failConverting(entry.id, records)
  return ended ? { outcome: 'failed', status, description } : { outcome: 'gone' }
}

/** "2026-11-27 18:40 UTC": when the cover was drawn. */
export function printedDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
