/** UploadRepository on SQL: uploaded documents, by path, in `uploaded_files`. */
import type { Kysely } from 'kysely'
import type { UploadRepository } from '../../domain/ports.js'
import type { UploadedFile } from '../../domain/uploaded-file.js'
import { CompiledStatement, type Slots } from './compiled-statement.js'
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
    const [row] = await uploadByPath.execute(this.#db, { path })
    return row === undefined ? null : uploadFromRow(row)
  }
}

/** An upload by its path (every sendFax reads each of its files). */
const uploadByPath = new CompiledStatement((db, $: Slots<'path'>) =>
  db.selectFrom('uploaded_files').selectAll().where('path', '=', $.path),
)
