/**
 * FileStore in the database itself (FAXD_FILE_STORE=postgres): every node that shares the
 * PostgreSQL database shares the files, and a backup of the database holds them too
 * (docs/scaling.md). Tables of migration 0016: `stored_files` names each key's file and
 * `stored_file_chunks` holds its bytes, CHUNK_BYTES a row.
 *
 * A put first spools its source to a temp file of this machine, checking the size as it goes, so
 * that no database connection waits on a slow upload; then one transaction writes the chunks
 * under a new file id and points the key at them, dropping what the key held before. A key
 * holds the whole document or what it held before; a crash at any moment leaves at most a temp
 * file of this machine. Two puts of one key at the same moment: one of them fails (the key is
 * the primary key); faxd's keys are new names.
 *
 * A get reads the key's file id and then its chunks a few at a time, each read on its own (no
 * connection held between them); a file replaced or deleted meanwhile fails the read, saying so,
 * rather than giving bytes of two files.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { DomainError } from '../../domain/domain-error.js'
import type { FileStore } from '../../domain/ports.js'
import type { Clock } from '../../shared/clock.js'
import { checkedKey } from '../files/file-store-keys.js'
import { CompiledStatement, insertCompiled, type Slots } from './compiled-statement.js'
import type { Database } from './schema.js'

/** Bytes per chunk row: a few rows per page of a fax, few round trips per document. */
export const CHUNK_BYTES = 256 * 1024

/** Chunk rows read per statement by a get. */
const CHUNKS_PER_READ = 4

export class SqlFileStore implements FileStore {
  readonly #db: Kysely<Database>
  readonly #clock: Clock

  constructor(db: Kysely<Database>, clock: Clock) {
    this.#db = db
    this.#clock = clock
  }

  async put(
    key: string,
    source: AsyncIterable<Uint8Array>,
    maxBytes: number,
  ): Promise<{ sizeBytes: number }> {
    checkedKey(key)
    const folder = await mkdtemp(join(tmpdir(), 'faxd-file-'))
    try {
      const spool = join(folder, 'spool')
      const sizeBytes = await spoolTo(spool, source, maxBytes)
      const fileId = randomBytes(16).toString('hex')
      await this.#db.transaction().execute(async (trx) => {
        let position = 0
        for await (const data of createReadStream(spool, { highWaterMark: CHUNK_BYTES })) {
          await insertCompiled(trx, 'stored_file_chunks', [
            { file_id: fileId, position, data: data as Buffer },
          ])
          position += 1
        }
        await dropFile(trx, key)
        await insertCompiled(trx, 'stored_files', [
          {
            key,
            file_id: fileId,
            size_bytes: sizeBytes,
            chunks: position,
            stored_at: this.#clock.now(),
          },
        ])
      })
      return { sizeBytes }
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  }

  get(key: string): AsyncIterable<Uint8Array> {
    checkedKey(key)
    const db = this.#db
    return (async function* () {
      // The file and its first chunks in one statement: a page or a document is most often one.
      const first = await fileWithFirstChunks.execute(db, { key, limit: CHUNKS_PER_READ })
      const [file] = first
      if (file === undefined) {
        throw Object.assign(new Error(`no document under ${JSON.stringify(key)}`), {
          code: 'ENOENT',
        })
      }
      let position = 0
      let read = 0
      let intact = true
      let rows: readonly { position: number | null; data: Uint8Array | null }[] = first
      while (intact && position < file.chunks) {
        if (position > 0) {
          rows = await chunksFrom.execute(db, {
            fileId: file.file_id,
            position,
            limit: CHUNKS_PER_READ,
          })
        }
        intact = rows.length > 0
        for (const row of rows) {
          if (row.position !== position || row.data === null) {
            intact = false
            break
          }
          read += row.data.byteLength
          position += 1
          yield row.data
        }
      }
      if (!intact || read !== Number(file.size_bytes)) {
        throw new Error(
          `the document under ${JSON.stringify(key)} was replaced or deleted while it was read`,
        )
      }
    })()
  }

  async delete(key: string): Promise<void> {
    checkedKey(key)
    await this.#db.transaction().execute(async (trx) => dropFile(trx, key))
  }
}

/** The file under a key with its chunks below `limit`, in order; no row when there is none. */
const fileWithFirstChunks = new CompiledStatement((db, $: Slots<'key' | 'limit'>) =>
  db
    .selectFrom('stored_files')
    .leftJoin('stored_file_chunks', (join) =>
      join
        .onRef('stored_file_chunks.file_id', '=', 'stored_files.file_id')
        .on('stored_file_chunks.position', '<', $.limit),
    )
    .select([
      'stored_files.file_id',
      'stored_files.size_bytes',
      'stored_files.chunks',
      'stored_file_chunks.position',
      'stored_file_chunks.data',
    ])
    .where('stored_files.key', '=', $.key)
    .orderBy('stored_file_chunks.position'),
)

const chunksFrom = new CompiledStatement((db, $: Slots<'fileId' | 'position' | 'limit'>) =>
  db
    .selectFrom('stored_file_chunks')
    .select(['position', 'data'])
    .where('file_id', '=', $.fileId)
    .where('position', '>=', $.position)
    .orderBy('position')
    .limit($.limit),
)

/** Removes the key and its chunks, in the caller's transaction; nothing when it has none. */
async function dropFile(trx: Kysely<Database>, key: string): Promise<void> {
  const dropped = await trx
    .deleteFrom('stored_files')
    .where('key', '=', key)
    .returning('file_id')
    .executeTakeFirst()
  if (dropped !== undefined) {
    await trx.deleteFrom('stored_file_chunks').where('file_id', '=', dropped.file_id).execute()
  }
}

/** Writes `source` to `path`, stopping with files_too_large past `maxBytes`; answers its size. */
async function spoolTo(
  path: string,
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<number> {
  const file = await open(path, 'wx')
  try {
    let size = 0
    for await (const chunk of source) {
      size += chunk.byteLength
      if (size > maxBytes) {
        throw new DomainError('files_too_large', `the file is larger than ${maxBytes} bytes`)
      }
      let offset = 0
      while (offset < chunk.byteLength) {
        const { bytesWritten } = await file.write(chunk, offset, chunk.byteLength - offset)
        offset += bytesWritten
      }
    }
    return size
  } finally {
    await file.close()
  }
}
