/**
 * Upload of a document to send later. The bytes go to the FileStore under a fresh key, then the
 * upload is recorded; the answer is the opaque path (`/transient-<uuid>`, as the Fax.Plus docs show it) that sendFax takes in `files`. A file that
 * passes 150 MB is refused as it arrives, before anything is recorded.
 */
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
}

export async function uploadFile(
  services: Services,
  actor: Actor,
  request: UploadRequest,
): Promise<UploadedFile> {
  const user = await resolveUser(services, actor, request.userId)
  const id = newUuid()
  const storageKey = `uploads/${user.uid}/${id}`
  const { sizeBytes } = await services.files.put(storageKey, request.content, MAX_TOTAL_FILE_BYTES)
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
    await services.store.uploads.add(file)
  } catch (error) {
    await services.files.delete(storageKey)
    throw error
  }
  return file
}
