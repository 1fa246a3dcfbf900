/**
 * Upload of a document to send later. The bytes go to the FileStore under a fresh key while their
 * first octets are kept aside; the kind of document is then sniffed from those octets (never from
 * the name or the claimed MIME type), and a kind this server cannot render is refused and its
 * bytes deleted before anything is recorded. The answer is the opaque path
 * (`/transient-<uuid>`, as the Fax.Plus docs show it) that sendFax takes in `files`. A file that
 * passes 150 MB is refused as it arrives.
 */
import type { DocumentKind } from '../domain/document-kind.js'
import { DOCUMENT_FORMAT_NAMES, SNIFF_BYTES, sniffDocumentKind } from '../domain/document-kind.js'
import { DomainError } from '../domain/domain-error.js'
import { MAX_TOTAL_FILE_BYTES } from '../domain/outbox-entry.js'
import type { UploadedFile } from '../domain/uploaded-file.js'
import { newUuid } from '../shared/ids.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'

export interface UploadRequest {
  readonly userId: string
  readonly fileName: string
  readonly mimeType: string
  readonly content: AsyncIterable<Uint8Array>
  /**
   * Called once the bytes are stored, before they are recorded: what the rest of the request
   * must hold (the API checks that no second file follows). If it throws, the bytes are
   * deleted and nothing is recorded.
   */
  readonly beforeRecording?: () => Promise<void>
}

export async function uploadFile(
  services: Services,
  actor: Actor,
  request: UploadRequest,
): Promise<UploadedFile> {
  const user = await resolveUser(services, actor, request.userId)
  const id = newUuid()
  const storageKey = `uploads/${user.uid}/${id}`
  const head = new HeadOfStream(SNIFF_BYTES)
  const { sizeBytes } = await services.files.put(
    storageKey,
    head.tap(request.content),
    MAX_TOTAL_FILE_BYTES,
  )
  const file: UploadedFile = {
    path: `/transient-${id}`,
    uid: user.uid,
    fileName: request.fileName,
    mimeType: request.mimeType,
    sizeBytes,
    storageKey,
    createdAtMs: services.clock.now(),
  }
  try {
    refuseUnrenderable(head.octets(), services.documentKinds)
    await request.beforeRecording?.()
    await services.store.uploads.add(file)
  } catch (error) {
    await services.files.delete(storageKey)
    throw error
  }
  return file
}

function refuseUnrenderable(head: Uint8Array, accepted: ReadonlySet<DocumentKind>): void {
  const kind = sniffDocumentKind(head)
  if (kind !== undefined && accepted.has(kind)) {
    return
  }
  const formats = [...accepted].map((each) => DOCUMENT_FORMAT_NAMES[each]).join(', ')
  const what =
    head.length === 0
      ? 'The file is empty'
      : kind === undefined
        ? 'The file is not a document faxd can send'
        : `${DOCUMENT_FORMAT_NAMES[kind]} files cannot be sent from this server`
  throw new DomainError('unsupported_file_type', `${what}; send one of: ${formats}`)
}

/** Passes a stream through unchanged, keeping a copy of its first `limit` octets. */
class HeadOfStream {
  readonly #limit: number
  readonly #chunks: Uint8Array[] = []
  #kept = 0

  constructor(limit: number) {
    this.#limit = limit
  }

  async *tap(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    for await (const chunk of source) {
      if (this.#kept < this.#limit) {
        const part = chunk.subarray(0, this.#limit - this.#kept)
        this.#chunks.push(part.slice())
        this.#kept += part.length
      }
      yield chunk
    }
  }

  octets(): Uint8Array {
    const out = new Uint8Array(this.#kept)
    let at = 0
    for (const chunk of this.#chunks) {
      out.set(chunk, at)
      at += chunk.length
    }
    return out
  }
}
