/** UploadRepository on SQL: uploaded documents, by path, in `uploaded_files`. */
import type { Kysely } from 'kysely'
import type { UploadRepository } from '../../domain/ports.js'
import type { UploadedFile } from '../../domain/uploaded-file.js'
import type { Database } from './schema.js'
import { uploadFromRow, uploadToRow } from './upload-rows.js'

export class SqlUploadRepository implements UploadRepository {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async add(file: UploadedFile): Promise<void> {
    await this.#db.insertInto('uploaded_files').values(uploadToRow(file)).execute()
  }

  async get(path: string): Promise<UploadedFile | null> {
    const row = await this.#db
      .selectFrom('uploaded_files')
      .selectAll()
      .where('path', '=', path)
      .executeTakeFirst()
    return row === undefined ? null : uploadFromRow(row)
  }
}
