/** UploadRepository on SQL: uploaded documents, by path, in `uploaded_files`. */
import type { Kysely } from 'kysely'
import type { UploadRepository } from '../../domain/ports.js'
import type { UploadedFile } from '../../domain/uploaded-file.js'
import type { Database } from './schema.js'
import type { TransactionRunner } from './transaction-runner.js'
import { uploadFromRow, uploadToRow } from './upload-rows.js'

export class SqlUploadRepository implements UploadRepository {
  readonly #db: Kysely<Database>
  readonly #transactions: TransactionRunner

  constructor(db: Kysely<Database>, transactions: TransactionRunner) {
    this.#db = db
    this.#transactions = transactions
  }

  async add(file: UploadedFile): Promise<void> {
    await this.#transactions.run((trx) =>
      trx.insertInto('uploaded_files').values(uploadToRow(file)).execute(),
    )
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
