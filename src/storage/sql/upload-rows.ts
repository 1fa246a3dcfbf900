/** Uploaded files between the `uploaded_files` table and the domain. */
import type { Insertable, Selectable } from 'kysely'
import type { UploadedFile } from '../../domain/uploaded-file.js'
import type { UploadedFilesTable } from './schema.js'

export function uploadFromRow(row: Selectable<UploadedFilesTable>): UploadedFile {
  return {
    path: row.path,
    uid: row.uid,
    fileName: row.file_name,
    mimeType: row.mime_type,
    sizeBytes: row.size_bytes,
    storageKey: row.storage_key,
    createdAtMs: row.created_at,
  }
}

export function uploadToRow(file: UploadedFile): Insertable<UploadedFilesTable> {
  return {
    path: file.path,
    uid: file.uid,
    file_name: file.fileName,
    mime_type: file.mimeType,
    size_bytes: file.sizeBytes,
    storage_key: file.storageKey,
    created_at: file.createdAtMs,
  }
}
