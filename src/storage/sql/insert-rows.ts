/**
 * Many rows into one table, a multi-row INSERT per ROWS_PER_INSERT rows: few statements, each
 * compiled once per shape (compiled-statement.ts) and binding far fewer parameters than either
 * engine allows (PostgreSQL 65,535, SQLite 32,766).
 */
import type { Insertable, Kysely } from 'kysely'
import { insertCompiled, MAX_COMPILED_INSERT_ROWS } from './compiled-statement.js'
import type { Database } from './schema.js'

/**
 * Rows per statement. The widest table written this way, `faxes`, has 18 columns: 100 rows bind
 * 1,800 parameters.
 */
export const ROWS_PER_INSERT = MAX_COMPILED_INSERT_ROWS

/** Inserts `rows` in order, inside the caller's transaction when `db` is one. */
export async function insertRows<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    await insertCompiled(db, table, rows.slice(start, start + ROWS_PER_INSERT))
  }
}
