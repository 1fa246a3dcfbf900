/**
 * Opens a PostgreSQL connection pool. int8 (bigint) values, such as the millisecond times,
 * are parsed to numbers by this pool's own type parsers; the global pg parsers are untouched.
 * An optional schema becomes the connections' search_path. Errors that mean the server cannot
 * be reached now become StoreUnavailableError (store-unavailable-dialect.ts). Each connection
 * prepares a query text once and reuses it (postgres-named-statements.ts). Kysely's introspection
 * reads the current schema only (postgres-schema-introspector.ts).
 */
import { Kysely } from 'kysely'
import pg from 'pg'
import { NamedStatementsClient } from './postgres-named-statements.js'
import { OneSchemaPostgresDialect } from './postgres-schema-introspector.js'
import type { Database } from './schema.js'
import { StoreUnavailableDialect } from './store-unavailable-dialect.js'

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const CONNECTION_TIMEOUT_MS = 5_000

export interface PostgresOptions {
  readonly url: string
  readonly searchPath?: string
}

export function openPostgresDatabase(options: PostgresOptions): Kysely<Database> {
  const types = new pg.TypeOverrides()
  types.setTypeParser(pg.types.builtins.INT8, parseInt8)
  const pool = new pg.Pool({
    Client: NamedStatementsClient,
    connectionString: options.url,
    types,
    // A server that does not answer (a dropped network, not a refused port) fails a request
    // after this long instead of holding it until the client gives up.
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
    ...(options.searchPath === undefined ? {} : { options: searchPathOption(options.searchPath) }),
  })
  // An idle connection that the server closes (a restart, an administrator's
  // pg_terminate_backend, DROP DATABASE … WITH (FORCE)) is reported on the pool. The pool has
  // already dropped it and the next query opens another; without a listener Node would take the
  // event for an uncaught exception and end the process. A query in flight still fails itself.
  pool.on('error', () => {})
  // The pool listens only while a connection is idle. A connection that ends while it is checked
  // out (a query in flight, a transaction between statements) fails its queries, then reports
  // 'error' on the client itself: without this listener that too would end the process
  // (issue 11, item 6). The pool drops such a client when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => {})
  })
  return new Kysely<Database>({
    dialect: new StoreUnavailableDialect(new OneSchemaPostgresDialect({ pool })),
  })
}

function searchPathOption(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`${JSON.stringify(schema)} is not a plain PostgreSQL schema name`)
  }
  return `-c search_path=${schema}`
}

function parseInt8(text: string): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value)) {
    throw new Error(`bigint ${text} does not fit a JavaScript number`)
  }
  return value
}
