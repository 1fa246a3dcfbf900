/**
 * A whole faxd API on a real store (SQLite or PostgreSQL, a fresh database per call), real
 * files in a temp folder and a manual clock. Requests go through Fastify's inject (no socket)
 * unless a test listens. `snapshot()` takes in every row of every table and the stored files,
 * so a test can check that a refused request changed nothing.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { webhookTargetPolicy } from '../../src/webhooks/target-guard.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DOCUMENT_KINDS, type DocumentKind } from '../../src/domain/document-kind.js'
import { LETTER } from '../../src/rendering/fax-geometry.js'
import { FileStoreRenderer, type RunRender } from '../../src/rendering/file-store-renderer.js'
import type { Isolation } from '../../src/rendering/isolated-renderer.js'
import { RenderProcessPool } from '../../src/rendering/render-process-pool.js'
import type { Sandbox } from '../../src/sandbox/sandbox.js'
import { FileStoreFaxDocuments } from '../../src/reports/file-store-fax-documents.js'
import { MAX_PICTURE_PIXELS, type RenderSettings } from '../../src/rendering/render-settings.js'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { createApp } from '../../src/api/create-app.js'
import type { Account, AccountType } from '../../src/domain/account.js'
import { ManualClock } from '../../src/shared/clock.js'
import { FsFileStore } from '../../src/storage/files/fs-file-store.js'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../src/storage/sql/schema.js'
import { addNumber } from '../../src/use-cases/add-number.js'
import type { Services } from '../../src/use-cases/context.js'
import { createAccount } from '../../src/use-cases/create-account.js'
import { createPersonalToken } from '../../src/use-cases/create-personal-token.js'
import { createLogger } from '../../src/shared/logger.js'
import { LogCapture } from './log-capture.js'
import { TEST_PASSWORDS } from './test-passwords.js'
import { multipartBody } from './multipart.js'
import { type Engine, type TestStore, openTestStore } from './test-database.js'

export interface TestUser {
  readonly account: Account
  /** A personal access token with every scope. */
  readonly token: string
}

export interface TestApp {
  readonly app: FastifyInstance
  readonly services: Services
  readonly clock: ManualClock
  readonly testStore: TestStore
  readonly filesDir: string
  /**
   * Every line the app logged (at trace level) and every secret its traffic carried; close()
   * fails when a line holds one of them.
   */
  readonly logs: LogCapture
  user(options?: {
    type?: AccountType
    adminUid?: string
    password?: string
    numbers?: string[]
  }): Promise<TestUser>
  token(uid: string, options?: { scopes?: string[]; expiresInDays?: number }): Promise<string>
  request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    options?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>
  /** Uploads `content` (default: a small PDF-looking file) as `user` through the API; answers the path. */
  upload(user: TestUser, content?: Uint8Array, fileName?: string): Promise<string>
  /** Every row of every table and the list of stored files, for before/after comparisons. */
  snapshot(): Promise<string>
  close(): Promise<void>
}

/** Every table of the store, for snapshots and row counts. */
export const STORE_TABLES = [
  'accounts',
  'numbers',
  'number_assignments',
  'access_tokens',
  'oauth_clients',
  'oauth_codes',
  'uploaded_files',
  'outbox_entries',
  'outbox_status_changes',
  'deliveries',
  'jobs',
  'webhooks',
  'webhook_deliveries',
  'fax_attempts',
  'faxes',
] as const satisfies readonly (keyof Database)[]

let emailCounter = 0

/** The renderer's settings in tests: the service's defaults (LibreOffice is installed by test.sh). */
export const TEST_RENDER_SETTINGS: RenderSettings = {
  paper: LETTER,
  maxPages: 250,
  maxPicturePixels: MAX_PICTURE_PIXELS,
  office: { program: 'soffice', timeoutMs: 120_000, maxMemoryBytes: 2048 * 1024 * 1024 },
}
/**
 * The sandbox of renders run as the service runs them: in a child process, in bubblewrap
 * (test.sh installs bubblewrap; a machine without it fails the rendering tests rather than skip
 * them). openTestApp renders this way with `renderIn: 'sandbox'`.
 */
export const TEST_SANDBOX: Extract<Sandbox, { kind: 'bubblewrap' }> = {
  kind: 'bubblewrap',
  program: 'bwrap',
  hidden: [],
}
export const TEST_RENDER_ISOLATION: Isolation = {
  timeoutMs: 300_000,
  maxMemoryBytes: 2048 * 1024 * 1024,
  sandbox: TEST_SANDBOX,
}

/**
 * renderInProcess (render-to-tiff.ts), loaded at the first render: PDFium, the canvas and sharp
 * cost a test file about 0.3 CPU-seconds to load, and most of the files that open an app render
 * nothing.
 */
export const renderInTestProcess: RunRender = async (job, onProgress, signal) => {
  const { renderInProcess } = await import('../../src/rendering/render-to-tiff.js')
  return renderInProcess(job, onProgress, signal)
}

/** Renders as the service makes them: in render processes, sandboxed, kept for their owner. */
function renderInProcesses(files: FsFileStore): FileStoreRenderer {
  const pool = new RenderProcessPool(TEST_RENDER_ISOLATION)
  return new FileStoreRenderer(
    files,
    TEST_RENDER_SETTINGS,
    async (job, onProgress, signal) => pool.render(job, onProgress, signal),
    async () => pool.close(),
  )
}

export interface TestAppOptions {
  /** The document kinds the server renders (default: all, as where LibreOffice is installed). */
  readonly documentKinds?: ReadonlySet<DocumentKind>
  /**
   * Where renders run: in the test's own process (the default: the same rendering, without the
   * cost of a process per fax, for tests of what the pages say), or as the service runs them,
   * in a sandboxed child process (for tests of the isolation itself).
   */
  readonly renderIn?: 'process' | 'sandbox'
  /** FAXD_TRUSTED_PROXIES of the app (default none). */
  readonly trustedProxies?: readonly string[]
  /** FAXD_WEBHOOK_ALLOW_PRIVATE of the app (default true: the tests' receivers are on loopback). */
  readonly webhookAllowPrivate?: boolean
}

export async function openTestApp(
  engine: Engine = 'sqlite',
  options: TestAppOptions = {},
): Promise<TestApp> {
  const testStore = await openTestStore(engine)
  const filesDir = await mkdtemp(join(tmpdir(), 'faxd-files-'))
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 12, 0, 0))
  const files = new FsFileStore(filesDir)
  const services: Services = {
    store: testStore.store,
    files,
    clock,
    documentKinds: options.documentKinds ?? new Set(DOCUMENT_KINDS),
    pages:
      options.renderIn === 'sandbox'
        ? renderInProcesses(files)
        : new FileStoreRenderer(files, TEST_RENDER_SETTINGS, renderInTestProcess),
    documents: new FileStoreFaxDocuments(files),
    passwords: TEST_PASSWORDS,
    // Test receivers listen on loopback: allowed unless a test asks for the operator's default.
    webhookTargets: webhookTargetPolicy(options.webhookAllowPrivate ?? true),
  }
  const logs = new LogCapture()
  const app = await createApp({
    services,
    logger: createLogger('trace', logs),
    trustedProxies: options.trustedProxies ?? [],
  })
  logs.watch(app)
  await app.ready()

  const token: TestApp['token'] = async (uid, options = {}) => {
    const { token: secret } = await createPersonalToken(services, {
      uid,
      scopes: options.scopes ?? null,
      expiresInDays: options.expiresInDays ?? null,
    })
    logs.addSecret(secret)
    return secret
  }

  return {
    app,
    services,
    clock,
    testStore,
    filesDir,
    logs,
    token,
    async user(options = {}) {
      emailCounter += 1
      const account = await createAccount(services, {
        email: `user${emailCounter}.${Date.now()}@example.test`,
        type: options.adminUid ? 'corporate_member' : (options.type ?? 'individual'),
        adminUid: options.adminUid ?? null,
        password: options.password ?? null,
      })
      if (options.password) {
        logs.addSecret(options.password)
      }
      for (const number of options.numbers ?? []) {
        if (account.accountType === 'corporate_member') {
          throw new Error('give members numbers through their admin')
        }
        await addNumber(services, { number, ownerUid: account.uid, assignTo: [] })
      }
      return { account, token: await token(account.uid) }
    },
    async request(method, url, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) }
      if (options.token) {
        headers['authorization'] = `Bearer ${options.token}`
      }
      if (options.body !== undefined) {
        headers['content-type'] ??= 'application/json'
      }
      return app.inject({
        method,
        url,
        headers,
        ...(options.body === undefined
          ? {}
          : {
              payload:
                typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
            }),
      })
    },
    async upload(
      user,
      content = Buffer.from('%PDF-1.4\n% faxd test document\n'),
      fileName = 'letter.pdf',
    ) {
      const { payload, headers } = multipartBody('fax_file', fileName, 'application/pdf', content)
      const response = await app.inject({
        method: 'POST',
        url: '/v3/accounts/self/files',
        headers: { ...headers, authorization: `Bearer ${user.token}` },
        payload,
      })
      if (response.statusCode !== 200) {
        throw new Error(`upload failed: ${response.statusCode} ${response.body}`)
      }
      return response.json<{ path: string }>().path
    },
    async snapshot() {
      const db = testStore.database()
      const parts: string[] = []
      for (const table of STORE_TABLES) {
        parts.push(`${table}: ${await tableContents(db, engine, table)}`)
      }
      parts.push(`files: ${(await listFiles(filesDir)).join(',')}`)
      return parts.join('\n')
    },
    async close() {
      await app.close()
      await services.pages.close()
      await testStore.cleanup()
      await rm(filesDir, { recursive: true, force: true })
      logs.assertNoLeaks()
    },
  }
}

/**
 * Every row of a table as one text, made by the database itself (reading the rows into objects
 * and writing them as JSON cost the suite half a minute): on PostgreSQL the MD5 of the rows as
 * text, sorted; on SQLite the rows as a JSON array, in rowid order. Equal texts mean equal
 * contents; a changed, added or removed row changes the text.
 */
async function tableContents(
  db: Kysely<Database>,
  engine: Engine,
  table: (typeof STORE_TABLES)[number],
): Promise<string> {
  if (engine === 'postgres') {
    const { rows } = await sql<{ digest: string }>`
      select md5(coalesce(string_agg(t::text, E'\n' order by t::text), '')) as digest
      from ${sql.table(table)} as t`.execute(db)
    return rows[0]?.digest ?? ''
  }
  const columns = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(
    db,
  )
  const values = sql.join(columns.rows.map((column) => sql.ref(column.name)))
  const { rows } = await sql<{ contents: string }>`
    select json_group_array(json_array(${values})) as contents from ${sql.table(table)}`.execute(db)
  return rows[0]?.contents ?? ''
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort()
}
