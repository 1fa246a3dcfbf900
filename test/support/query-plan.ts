/**
 * How a database runs a query, as text to look for an index name in: SQLite answers EXPLAIN
 * QUERY PLAN; PostgreSQL answers EXPLAIN with sequential and bitmap scans turned off for the
 * transaction, so that what is left to compare is an ordered index scan against an index scan
 * and a sort, or one index against another.
 */
import { type CompiledQuery, type Kysely, sql } from 'kysely'
import type { Database } from '../../src/storage/sql/schema.js'
import type { Engine } from './test-database.js'

export async function queryPlan(
  db: Kysely<Database>,
  engine: Engine,
  compiled: CompiledQuery,
): Promise<string> {
  if (engine === 'sqlite') {
    const rows = await db.executeQuery<{ detail: string }>({
      ...compiled,
      sql: `explain query plan ${compiled.sql}`,
    })
    return rows.rows.map((row) => row.detail).join('\n')
  }
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx)
    await sql`set local enable_bitmapscan = off`.execute(trx)
    const rows = await trx.executeQuery<{ 'QUERY PLAN': string }>({
      ...compiled,
      sql: `explain ${compiled.sql}`,
    })
    return rows.rows.map((row) => row['QUERY PLAN']).join('\n')
  })
}
