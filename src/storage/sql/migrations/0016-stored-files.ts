/**
 * Documents and pages kept in the database itself (FAXD_FILE_STORE=postgres, src/storage/sql/
 * sql-file-store.ts), for deployments that want nothing to back up but PostgreSQL. A key names
 * one stored file; its bytes are chunks of up to 256 KiB under the file's own id, so that a
 * replacement writes new chunks beside the old ones and switches the key to them in one
 * transaction. Made on SQLite too (one migration set), where nothing uses it.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stored_files')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('file_id', 'text', (c) => c.notNull().unique())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('chunks', 'integer', (c) => c.notNull())
    .addColumn('stored_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('stored_file_chunks')
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('stored_file_chunks_pkey', ['file_id', 'position'])
    .execute()
}
