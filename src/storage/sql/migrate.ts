/**
 * Brings a database to the newest schema with Kysely's Migrator. The migrations live in code
 * (src/storage/sql/migrations) and are listed here in order; the same list serves both engines.
 *
 * On PostgreSQL the Migrator's own tables are pinned to the current schema: left unpinned,
 * Kysely looks for them in every schema of the database, so a second faxd schema (or a test
 * schema) would make it skip creating them. The Migrator looks for them through
 * `db.introspection`, which on PostgreSQL reads the current schema alone
 * (postgres-schema-introspector.ts): Kysely's own failed when another faxd migrated meanwhile.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely'
import type { SqlEngine } from './sql-engine.js'
import * as initial from './migrations/0001-initial.js'
import * as renderedDocuments from './migrations/0002-rendered-documents.js'
import * as jobQueue from './migrations/0003-job-queue.js'
import * as webhookDeliveries from './migrations/0004-webhook-deliveries.js'
import * as transmission from './migrations/0005-transmission.js'
import * as callProgress from './migrations/0006-call-progress.js'
import * as lineLimits from './migrations/0007-line-limits.js'
import * as callFence from './migrations/0008-call-fence.js'
import * as jobDelivery from './migrations/0009-job-delivery.js'
import * as callNegotiated from './migrations/0010-call-negotiated.js'
import * as signInSecurity from './migrations/0011-sign-in-security.js'
import * as webhookSecretRotation from './migrations/0012-webhook-secret-rotation.js'
import * as faxListIndexes from './migrations/0013-fax-list-indexes.js'
import * as credentialVersion from './migrations/0014-credential-version.js'
import * as leanWriteIndexes from './migrations/0015-lean-write-indexes.js'
import * as storedFiles from './migrations/0016-stored-files.js'
import * as callRestarts from './migrations/0017-call-restarts.js'
import * as claimIndexes from './migrations/0018-claim-indexes.js'
import * as publicClients from './migrations/0019-public-clients.js'
import * as headerLine from './migrations/0020-header-line.js'
import type { SchemaStatus } from '../../domain/ports.js'
import type { Database } from './schema.js'

const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-rendered-documents': renderedDocuments,
  '0003-job-queue': jobQueue,
  '0004-webhook-deliveries': webhookDeliveries,
  '0005-transmission': transmission,
  '0006-call-progress': callProgress,
  '0007-line-limits': lineLimits,
  '0008-call-fence': callFence,
  '0009-job-delivery': jobDelivery,
  '0010-call-negotiated': callNegotiated,
  '0011-sign-in-security': signInSecurity,
  '0012-webhook-secret-rotation': webhookSecretRotation,
  '0013-fax-list-indexes': faxListIndexes,
  '0014-credential-version': credentialVersion,
  '0015-lean-write-indexes': leanWriteIndexes,
  '0016-stored-files': storedFiles,
  '0017-call-restarts': callRestarts,
  '0018-claim-indexes': claimIndexes,
  '0019-public-clients': publicClients,
  '0020-header-line': headerLine,
}

const inCodeMigrations: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
}

/**
 * Runs the migrations the database has not had yet: all of them, or (for a test of one
 * migration) those up to and including `upTo`.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  engine: SqlEngine,
  upTo?: string,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: inCodeMigrations,
    migrationTableSchema: engine === 'postgres' ? await currentSchema(db) : undefined,
  })
  const { error, results } =
    upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo)
  if (error !== undefined) {
    // Kysely's words for a migration the database has had and this code does not list.
    const unknown = /previously executed migration (\S+) is missing/.exec(
      error instanceof Error ? error.message : '',
    )
    if (unknown !== null) {
      throw new DatabaseNewerError(unknown[1]!, { cause: error })
    }
    const failed = results?.find((result) => result.status === 'Error')?.migrationName
    const what = failed === undefined ? 'migrating the database' : `migration ${failed}`
    const reason = error instanceof Error ? error.message : JSON.stringify(error)
    throw new Error(`${what} failed: ${reason}`, { cause: error })
  }
}

/**
 * The database was migrated by a newer faxd: it has had a migration this code does not know, and
 * this code would misread what the newer one wrote. Nothing is changed.
 */
export class DatabaseNewerError extends Error {
  override readonly name = 'DatabaseNewerError'
  constructor(migration: string, options?: ErrorOptions) {
    super(
      `the database was migrated by a newer faxd (migration ${migration}, which this faxd does ` +
        'not know): run the faxd that migrated it, or upgrade this one (docs/operating.md, ' +
        '"Upgrades"); nothing was changed',
      options,
    )
  }
}

/**
 * How the database's schema stands against this code's migrations: those it has not had yet
 * (`missing`: it needs migrating), and those it has had that this code does not know
 * (`unknown`: a newer faxd migrated it, and this process is out of date).
 */
export async function schemaStatus(db: Kysely<Database>): Promise<SchemaStatus> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db)
  const applied = new Set(rows.map((row) => row.name))
  return {
    missing: Object.keys(MIGRATIONS).filter((name) => !applied.has(name)),
    unknown: [...applied].filter((name) => !(name in MIGRATIONS)).sort(),
  }
}

/** The schema unqualified names resolve to, from the connection's search_path. */
async function currentSchema(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
    db,
  )
  const schema = rows[0]?.schema
  if (schema === undefined || schema === null) {
    throw new Error('no schema on the PostgreSQL search_path exists')
  }
  return schema
}
