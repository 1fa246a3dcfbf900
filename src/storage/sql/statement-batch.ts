/**
 * Statements run together: on PostgreSQL written to the server at once and answered together,
 * one round trip for the lot instead of one each (the pipelined client, postgres-named-
 * statements.ts); on SQLite, which has no round trips, one after the other. Either way they run
 * in the order given, inside the caller's transaction, and the first that fails fails the batch
 * (on PostgreSQL its transaction is then aborted, so none after it has any effect).
 *
 * For statements whose values do not depend on what an earlier one of the batch answers: a
 * transaction's locks and reads, then its writes.
 */
import { CompiledQuery, type Transaction } from 'kysely'
import type { Database } from './schema.js'
import type { SqlEngine } from './sql-engine.js'

/**
 * The text of a query that is a batch of statements, its one value the list of them. Not SQL:
 * a client that does not know it (any other than NamedStatementsClient) refuses it as a syntax
 * error rather than running part of it.
 */
export const STATEMENT_BATCH = '-- faxd: statement batch'

/** One statement of a batch as the client receives it: its text and its values. */
export interface BatchedStatement {
  readonly text: string
  readonly values: readonly unknown[]
}

type RowsOf<Queries extends readonly CompiledQuery<unknown>[]> = {
  -readonly [K in keyof Queries]: Queries[K] extends CompiledQuery<infer Row> ? Row[] : never
}

/**
 * Runs `queries` together in the transaction `db`; answers each one's rows, in order. (Outside
 * a transaction each statement would commit alone, and those after a failure would still run.)
 */
export async function executeTogether<const Queries extends readonly CompiledQuery<unknown>[]>(
  db: Transaction<Database>,
  engine: SqlEngine,
  queries: Queries,
): Promise<RowsOf<Queries>> {
  if (engine === 'sqlite') {
    const answers: unknown[][] = []
    for (const query of queries) {
      answers.push((await db.executeQuery(query)).rows)
    }
    return answers as RowsOf<Queries>
  }
  const batch: BatchedStatement[] = queries.map((query) => ({
    text: query.sql,
    values: query.parameters,
  }))
  const answer = await db.executeQuery<unknown[]>(CompiledQuery.raw(STATEMENT_BATCH, [batch]))
  return answer.rows as RowsOf<Queries>
}
