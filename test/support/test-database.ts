/**
 * Stores for the contract suites, one fresh database per call, on each engine: SQLite in a new
 * temp folder, PostgreSQL in a new schema `t_<random hex>` on FAXD_TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test). An unreachable PostgreSQL fails the test; it is
 * never skipped. `cleanup` removes the folder or drops the schema.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, before, beforeEach } from 'node:test'
import { type Kysely, sql } from 'kysely'
import pg from 'pg'
import type { Store } from '../../src/domain/ports.js'
import { openStore, SQLITE_FILE_NAME } from '../../src/storage/sql/open-store.js'
import { openPostgresDatabase } from '../../src/storage/sql/postgres-database.js'
import type { Database } from '../../src/storage/sql/schema.js'
import { openSqliteDatabase } from '../../src/storage/sql/sqlite-database.js'

export const ENGINES = ['sqlite', 'postgres'] as const
export type Engine = (typeof ENGINES)[number]

export const TEST_DATABASE_URL =
  process.env.FAXD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface TestStore {
  readonly store: Store
  /**
   * A second handle on the same database, for arranging and inspecting rows that the ports do
   * not expose (an entry's status, its job). Opened on first use; closed by cleanup.
   */
  database(): Kysely<Database>
  /**
   * Opens another Store on the same database, as a restarted service would; closed by cleanup.
   * On PostgreSQL, `databaseUrl` reaches the same server another way (through a proxy).
   */
  openAgain(via?: { readonly databaseUrl: string }): Promise<Store>
  cleanup(): Promise<void>
}

export async function openTestStore(engine: Engine): Promise<TestStore> {
  return engine === 'sqlite' ? openSqliteTestStore() : openPostgresTestStore()
}

/**
 * Gives every test of the enclosing describe a fresh, empty store. Returns a getter for the
 * current test's store. On SQLite each test opens its own (a file: cheap). On PostgreSQL the
 * describe opens one schema and each test starts from it emptied (TRUNCATE of every table):
 * making a schema and running every migration for each test cost the suite half a minute.
 * Neither store keeps state outside the database, so an emptied one is as good as a new one.
 */
export function freshStoreForEachTest(engine: Engine): () => TestStore {
  let current: TestStore | undefined
  if (engine === 'postgres') {
    let shared: TestStore | undefined
    before(async () => {
      shared = await openTestStore(engine)
    })
    beforeEach(async () => {
      current = undefined
      if (shared !== undefined) {
        await emptyEveryTable(shared.database())
        current = shared
      }
    })
    after(async () => {
      current = undefined
      await shared?.cleanup()
    })
  } else {
    beforeEach(async () => {
      current = await openTestStore(engine)
    })
    afterEach(async () => {
      const finished = current
      current = undefined
      await finished?.cleanup()
    })
  }
  return () => {
    if (current === undefined) {
      throw new Error('no test store: opening it failed before this test')
    }
    return current
  }
}

/**
 * Every row of every table of the store's schema gone; the migrations' own tables kept, and the
 * credential version's one row raised (TRUNCATE fires no row trigger, and a store that lives on
 * from the last test must not answer from its credential cache).
 */
async function emptyEveryTable(db: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ tablename: string }>`
    select tablename from pg_tables
    where schemaname = current_schema() and tablename not like 'kysely_%'
      and tablename <> 'credential_version'`.execute(db)
  if (rows.length > 0) {
    await sql`truncate table ${sql.join(rows.map((row) => sql.table(row.tablename)))} cascade`.execute(
      db,
    )
  }
  await sql`update credential_version set version = version + 1 where id = 1`.execute(db)
}

async function openSqliteTestStore(): Promise<TestStore> {
  const dataDir = await mkdtemp(join(tmpdir(), 'faxd-test-'))
  return trackedTestStore({
    openStore: (via) => {
      if (via !== undefined) {
        throw new Error('an SQLite test store is a file: it has no other address')
      }
      return openStore({ dataDir })
    },
    openDatabase: () => openSqliteDatabase(join(dataDir, SQLITE_FILE_NAME)),
    removeDatabase: () => rm(dataDir, { recursive: true, force: true }),
  })
}

async function openPostgresTestStore(): Promise<TestStore> {
  const schema = `t_${randomBytes(8).toString('hex')}`
  await withAdminClient((client) => client.query(`CREATE SCHEMA ${schema}`))
  const options = { databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir(), postgresSchema: schema }
  return trackedTestStore({
    openStore: (via) => openStore({ ...options, ...via }),
    openDatabase: () => openPostgresDatabase({ url: TEST_DATABASE_URL, searchPath: schema }),
    removeDatabase: async () => {
      await withAdminClient((client) => client.query(`DROP SCHEMA ${schema} CASCADE`))
    },
  })
}

interface DatabaseLifecycle {
  openStore(via?: { readonly databaseUrl: string }): Promise<Store>
  openDatabase(): Kysely<Database>
  removeDatabase(): Promise<void>
}

async function trackedTestStore(lifecycle: DatabaseLifecycle): Promise<TestStore> {
  const stores: Store[] = []
  let database: Kysely<Database> | undefined
  const cleanup = async (): Promise<void> => {
    await database?.destroy()
    await Promise.all(stores.map((store) => store.close()))
    await lifecycle.removeDatabase()
  }
  const openAgain = async (via?: { readonly databaseUrl: string }): Promise<Store> => {
    const store = await lifecycle.openStore(via)
    stores.push(store)
    return store
  }
  try {
    const store = await openAgain()
    return {
      store,
      database: () => (database ??= lifecycle.openDatabase()),
      openAgain,
      cleanup,
    }
  } catch (error) {
    await cleanup()
    throw error
  }
}

/** Runs `work` with a short-lived connection of its own. */
async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
  try {
    await client.connect()
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${withoutPassword(TEST_DATABASE_URL)}: ${String(error)}. ` +
        'The storage contract suites run on PostgreSQL too: start it, or point ' +
        'FAXD_TEST_DATABASE_URL at one.',
      { cause: error },
    )
  }
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') {
      parsed.password = '***'
    }
    return parsed.toString()
  } catch {
    return '(an unparsable URL)'
  }
}
