/**
 * Opens the service's Store: PostgreSQL when the database URL says postgres:// or
 * postgresql://, otherwise SQLite at <dataDir>/faxd.sqlite. Migrates to the newest schema
 * before handing the store out; closing the store closes the database.
 */
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import type { Store } from '../../domain/ports.js'
import { hasErrorCode } from '../../shared/error-code.js'
import { migrateToLatest } from './migrate.js'
import { openPostgresDatabase } from './postgres-database.js'
import type { Database } from './schema.js'
import type { SqlEngine } from './sql-engine.js'
import { createSqlStore } from './sql-store.js'
import { openSqliteDatabase } from './sqlite-database.js'

export interface StoreOptions {
  readonly databaseUrl?: string
  readonly dataDir: string
  /** PostgreSQL only: the schema to work in (its search_path). */
  readonly postgresSchema?: string
}

export const SQLITE_FILE_NAME = 'faxd.sqlite'

export async function openStore(options: StoreOptions): Promise<Store> {
  return (await openStoreWithDatabase(options)).store
}

/**
 * The Store, and its database handle for what shares the store's connections (the database file
 * store, sql-file-store.ts); closing the store closes the handle.
 */
export async function openStoreWithDatabase(
  options: StoreOptions,
): Promise<{ store: Store; db: Kysely<Database>; engine: SqlEngine }> {
  const { db, engine } = openDatabase(options)
  try {
    await migrateToLatest(db, engine)
  } catch (error) {
    await db.destroy()
    throw hasErrorCode(error, MISSING_DATABASE) && options.databaseUrl !== undefined
      ? new DatabaseMissingError(options.databaseUrl, { cause: error })
      : error
  }
  return { store: createSqlStore(db, engine), db, engine }
}

function openDatabase(options: StoreOptions): { db: Kysely<Database>; engine: SqlEngine } {
  const url = options.databaseUrl
  if (url !== undefined && isPostgresUrl(url)) {
    return {
      db: openPostgresDatabase({ url, searchPath: options.postgresSchema }),
      engine: 'postgres',
    }
  }
  return { db: openSqliteDatabase(join(options.dataDir, SQLITE_FILE_NAME)), engine: 'sqlite' }
}

/** PostgreSQL's SQLSTATE invalid_catalog_name: "database … does not exist". */
const MISSING_DATABASE = '3D000'

/** DATABASE_URL names a database that the PostgreSQL server does not have; says how to make it. */
export class DatabaseMissingError extends Error {
  override readonly name = 'DatabaseMissingError'
  constructor(databaseUrl: string, options?: ErrorOptions) {
    const url = new URL(databaseUrl)
    const name = decodeURIComponent(url.pathname.slice(1)) || '(none)'
    const user = decodeURIComponent(url.username) || process.env['USER'] || 'postgres'
    const host = url.hostname || 'localhost'
    const port = url.port || '5432'
    super(
      `the database ${JSON.stringify(name)} that DATABASE_URL names does not exist on the ` +
        `PostgreSQL server at ${host}:${port}: create it (createdb -h ${host} -p ${port} ` +
        `-U ${user} ${name}, or in psql: CREATE DATABASE "${name}";), then start faxd again; ` +
        'faxd makes its tables itself',
      options,
    )
  }
}

export function isPostgresUrl(url: string): boolean {
  return url.startsWith('postgres://') || url.startsWith('postgresql://')
}
