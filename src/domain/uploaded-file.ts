/**
 * A document uploaded with POST /accounts/{user_id}/files. Its `path` is the opaque string the
 * API hands back and sendFax takes in `files`; only the uploading user may send it.
 */
export interface UploadedFile {
  readonly path: string
  readonly uid: string
  readonly fileName: string
  readonly mimeType: string
  readonly sizeBytes: number
  /** Where the bytes live in the FileStore. */
  readonly storageKey: string
  readonly createdAtMs: number
}
