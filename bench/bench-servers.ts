/**
 * The servers the API benchmark drives, each listening on 127.0.0.1 on a free port: a bare
 * Fastify route that only validates the PayloadOutbox schema; faxd's real app in the bench's
 * process; and a whole `faxd serve` process with its logging. Each faxd runs on SQLite (a fresh
 * data folder) or PostgreSQL (a fresh schema, dropped on close), with an account, a number, a
 * token, SEEDED_FAXES fax records, one uploaded document and one outbox entry. Also the
 * machine's description.
 */
import { randomBytes } from 'node:crypto'
import { webhookTargetPolicy } from '../src/webhooks/target-guard.js'
import { spawn } from 'node:child_process'
import { mkdtemp, open, readFile, rm, statfs } from 'node:fs/promises'
import { createServer } from 'node:net'
import { availableParallelism, loadavg, release, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import SQLite from 'better-sqlite3'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { AJV_OPTIONS, createApp, JSON_BODY_LIMIT_BYTES } from '../src/api/create-app.js'
import {
  outboxCommentSchema,
  outboxCoverPageSchema,
  outboxOptionsSchema,
  payloadOutboxSchema,
  retryOptionsSchema,
} from '../src/api/schemas/payload-outbox.js'
import { DOCUMENT_KINDS } from '../src/domain/document-kind.js'
import { FileStoreRenderer } from '../src/rendering/file-store-renderer.js'
import { RenderProcessPool } from '../src/rendering/render-process-pool.js'
import { FileStoreFaxDocuments } from '../src/reports/file-store-fax-documents.js'
import { LETTER } from '../src/rendering/fax-geometry.js'
import { MAX_PICTURE_PIXELS } from '../src/rendering/render-settings.js'
import { systemClock } from '../src/shared/clock.js'
import { PasswordHashing } from '../src/shared/secrets.js'
import { FsFileStore } from '../src/storage/files/fs-file-store.js'
import { openStore, SQLITE_FILE_NAME, type StoreOptions } from '../src/storage/sql/open-store.js'
import { openPostgresDatabase } from '../src/storage/sql/postgres-database.js'
import type { Database } from '../src/storage/sql/schema.js'
import { openSqliteDatabase } from '../src/storage/sql/sqlite-database.js'
import { addNumber } from '../src/use-cases/add-number.js'
import type { OperatorServices, Services } from '../src/use-cases/context.js'
import { createAccount } from '../src/use-cases/create-account.js'
import { createPersonalToken } from '../src/use-cases/create-personal-token.js'
import { adminStatement, DATABASE_URL } from './postgres-admin.js'

export type Engine = 'sqlite' | 'postgres'

export const SENDER_NUMBER = '+4930123456'

export interface RunningServer {
  /** http://127.0.0.1:<port> */
  readonly origin: string
  close(): Promise<void>
}

export interface FaxdServer extends RunningServer {
  readonly engine: Engine
  /** `app`: faxd's app in the bench's own process; `process`: a `faxd serve` of its own. */
  readonly kind: 'app' | 'process'
  readonly token: string
  /** The path of the uploaded document, for `files`. */
  readonly filePath: string
  /** An outbox entry of the sender's, for GET …/outbox/{id}. */
  readonly outboxEntryId: string
  /** Rows stored so far, to check that every 201 stored its entry. */
  countRows(): Promise<{ entries: number; deliveries: number }>
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  return `http://127.0.0.1:${port}`
}

/**
 * Validation only: the PayloadOutbox schemas registered as createApp registers them, with the
 * same Ajv options, and a handler that answers 201 {}. Fastify's own JSON parser.
 */
export async function startBareRoute(): Promise<RunningServer> {
  const app = Fastify({
    logger: false,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    ajv: { customOptions: AJV_OPTIONS },
  })
  for (const schema of [
    retryOptionsSchema,
    outboxOptionsSchema,
    outboxCommentSchema,
    outboxCoverPageSchema,
    payloadOutboxSchema,
  ]) {
    app.addSchema(schema)
  }
  app.post('/v3/accounts/:user_id/outbox', {
    schema: { body: { $ref: 'PayloadOutbox#' } },
    handler: async (_request, reply) => reply.status(201).send({}),
  })
  const origin = await listen(app)
  return { origin, close: () => app.close() }
}

/** Fax records of the sender's, for GET …/faxes: more than one page of the list. */
export const SEEDED_FAXES = 200

export interface Setup {
  readonly dataDir: string
  readonly schema: string
  readonly storeOptions: StoreOptions
  /** A second handle on the database, to count rows. */
  readonly database: Kysely<Database>
  drop(): Promise<void>
}

/** A fresh database of the engine: a data folder, and on PostgreSQL a schema of its own. */
export async function freshDatabase(engine: Engine): Promise<Setup> {
  const dataDir = await mkdtemp(join(tmpdir(), 'faxd-bench-'))
  const schema = `bench_${randomBytes(6).toString('hex')}`
  if (engine === 'postgres') {
    await adminStatement(`CREATE SCHEMA ${schema}`)
  }
  const storeOptions: StoreOptions =
    engine === 'postgres'
      ? { databaseUrl: DATABASE_URL, dataDir, postgresSchema: schema }
      : { dataDir }
  let database: Kysely<Database> | null = null
  return {
    dataDir,
    schema,
    storeOptions,
    get database() {
      database ??=
        engine === 'postgres'
          ? openPostgresDatabase({ url: DATABASE_URL, searchPath: schema })
          : openSqliteDatabase(join(dataDir, SQLITE_FILE_NAME))
      return database
    },
    async drop() {
      await database?.destroy()
      if (engine === 'postgres') {
        await adminStatement(`DROP SCHEMA ${schema} CASCADE`)
      }
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/** The sender: an account with a number, a token, and SEEDED_FAXES fax records. */
async function seedSender(services: OperatorServices): Promise<string> {
  const account = await createAccount(services, {
    email: `bench.${Date.now()}@example.test`,
    type: 'individual',
    adminUid: null,
    password: null,
  })
  await addNumber(services, { number: SENDER_NUMBER, ownerUid: account.uid, assignTo: [] })
  const startedAtMs = Date.now() - SEEDED_FAXES * 60_000
  for (let i = 0; i < SEEDED_FAXES; i += 1) {
    await services.store.faxes.add({
      id: randomBytes(12).toString('hex'),
      ownerUid: account.uid,
      direction: i % 3 === 0 ? 'incoming' : 'outgoing',
      from: SENDER_NUMBER,
      to: '+15551234567',
      status: 'success',
      pages: 2,
      durationSeconds: 70,
      comment: '',
      isRead: false,
      isSpam: false,
      startedAtMs: startedAtMs + i * 60_000,
      submittedAtMs: startedAtMs + i * 60_000,
      updatedAtMs: startedAtMs + i * 60_000 + 70_000,
      maxRetry: 0,
      retryDelaySeconds: 0,
      documentKey: null,
      description: 'OK',
      header: null,
    })
  }
  const { token } = await createPersonalToken(services, {
    uid: account.uid,
    scopes: null,
    expiresInDays: null,
  })
  return token
}

/**
 * A faxd that listens, made ready for the bench through its API as a client would: the sender's
 * document uploaded and one outbox entry sent.
 */
async function readyServer(
  setup: Setup,
  engine: Engine,
  kind: FaxdServer['kind'],
  origin: string,
  token: string,
  close: () => Promise<void>,
): Promise<FaxdServer> {
  const filePath = await upload(origin, token)
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const sent = await fetch(`${origin}/v3/accounts/self/outbox`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ from: SENDER_NUMBER, to: ['+15559999999'], files: [filePath] }),
  })
  if (sent.status !== 201) {
    throw new Error(`sendFax failed: ${sent.status} ${await sent.text()}`)
  }
  const listed = await fetch(`${origin}/v3/accounts/self/outbox?limit=1`, { headers })
  const { records } = (await listed.json()) as { records: { id: string }[] }
  const outboxEntryId = records[0]?.id
  if (outboxEntryId === undefined) {
    throw new Error('the outbox is empty after a sendFax')
  }
  return {
    engine,
    kind,
    origin,
    token,
    filePath,
    outboxEntryId,
    close,
    countRows: rowCounter(setup),
  }
}

function rowCounter(setup: Setup): FaxdServer['countRows'] {
  return async () => {
    const entries = await setup.database
      .selectFrom('outbox_entries')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    const deliveries = await setup.database
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    return { entries: Number(entries.n), deliveries: Number(deliveries.n) }
  }
}

/** faxd's whole app, in this process, on a fresh database of the engine, ready for a sender. */
export async function startFaxd(engine: Engine): Promise<FaxdServer> {
  return startFaxdOn(await freshDatabase(engine), engine, seedSender)
}

/**
 * faxd's whole app, in this process, on `setup`'s database; `prepare` makes the sender (and
 * whatever else the bench needs) and answers its token.
 */
export async function startFaxdOn(
  setup: Setup,
  engine: Engine,
  prepare: (services: Services) => Promise<string>,
): Promise<FaxdServer> {
  const store = await openStore(setup.storeOptions)
  const files = new FsFileStore(join(setup.dataDir, 'files'))
  const renderProcesses = new RenderProcessPool({
    timeoutMs: 600_000,
    maxMemoryBytes: 2048 * 1024 * 1024,
    sandbox: { kind: 'bubblewrap', program: 'bwrap', hidden: [setup.dataDir] },
  })
  const services: Services = {
    store,
    files,
    clock: systemClock,
    passwords: new PasswordHashing(),
    webhookTargets: webhookTargetPolicy(true),
    documentKinds: new Set(DOCUMENT_KINDS),
    pages: new FileStoreRenderer(
      files,
      { paper: LETTER, maxPages: 250, maxPicturePixels: MAX_PICTURE_PIXELS, office: undefined },
      async (job, onProgress, signal) => renderProcesses.render(job, onProgress, signal),
      async () => renderProcesses.close(),
    ),
    documents: new FileStoreFaxDocuments(files),
  }
  const app = await createApp({ services })
  const close = async (): Promise<void> => {
    await app.close()
    await services.pages.close()
    await store.close()
    await setup.drop()
  }
  try {
    const origin = await listen(app)
    return await readyServer(setup, engine, 'app', origin, await prepare(services), close)
  } catch (error) {
    await close()
    throw error
  }
}

/**
 * `faxd serve` as an operator runs it (bin/faxd.js, the build in dist/ when it is fresh), on a
 * fresh database of the engine, with its request logging as shipped (LOG_LEVEL info) written to
 * a file, and no embedded worker (nothing renders or sends during the bench) unless `env` says
 * otherwise: it is added to the process's environment last.
 */
export async function startFaxdProcess(
  engine: Engine,
  env: Readonly<Record<string, string>> = {},
): Promise<FaxdServer & { readonly pid: number; readonly dataDir: string }> {
  const setup = await freshDatabase(engine)
  const store = await openStore(setup.storeOptions)
  let token: string
  try {
    token = await seedSender({ store, clock: systemClock, passwords: new PasswordHashing() })
  } finally {
    await store.close()
  }
  const port = await freeTcpPort()
  const log = await open(join(setup.dataDir, 'faxd.log'), 'w')
  const child = spawn(process.execPath, [FAXD_BIN, 'serve'], {
    env: {
      ...process.env,
      FAXD_DATA: setup.dataDir,
      DATABASE_URL: engine === 'postgres' ? inSchema(DATABASE_URL, setup.schema) : '',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      FAXD_EMBEDDED_WORKER: '0',
      ...env,
    },
    stdio: ['ignore', log.fd, log.fd],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const close = async (): Promise<void> => {
    child.kill('SIGTERM')
    await exited
    await log.close()
    await setup.drop()
  }
  try {
    const origin = `http://127.0.0.1:${port}`
    await untilHealthy(origin, exited)
    const server = await readyServer(setup, engine, 'process', origin, token, close)
    return { ...server, pid: child.pid ?? 0, dataDir: setup.dataDir }
  } catch (error) {
    await close()
    const output = await readFile(join(setup.dataDir, 'faxd.log'), 'utf8').catch(() => '')
    throw new Error(`faxd serve did not start: ${String(error)}\n${output.slice(-2000)}`)
  }
}

/** The database URL with the schema as the connections' search_path (libpq's `options`). */
function inSchema(databaseUrl: string, schema: string): string {
  const url = new URL(databaseUrl)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return url.toString()
}

const FAXD_BIN = fileURLToPath(new URL('../bin/faxd.js', import.meta.url))
const START_WITHIN_MS = 60_000

async function untilHealthy(origin: string, exited: Promise<void>): Promise<void> {
  let gone = false
  void exited.then(() => {
    gone = true
  })
  const deadline = Date.now() + START_WITHIN_MS
  while (Date.now() < deadline && !gone) {
    const ok = await fetch(`${origin}/healthz`)
      .then((response) => response.ok)
      .catch(() => false)
    if (ok) {
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(gone ? 'it exited' : `no answer from /healthz within ${START_WITHIN_MS} ms`)
}

async function freeTcpPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Uploads a small PDF through the API, as a client would. */
async function upload(origin: string, token: string): Promise<string> {
  const form = new FormData()
  const pdf = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'
  form.append('fax_file', new Blob([pdf], { type: 'application/pdf' }), 'bench.pdf')
  const response = await fetch(`${origin}/v3/accounts/self/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  })
  const body = (await response.json()) as { path?: string }
  if (response.status !== 200 || typeof body.path !== 'string') {
    throw new Error(`upload failed: ${response.status} ${JSON.stringify(body)}`)
  }
  return body.path
}

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly os: string
  readonly node: string
  readonly postgres: string
  readonly sqlite: string
  /** The file system that holds the SQLite file (it decides what an fsync costs). */
  readonly sqliteFileSystem: string
  /** 1-minute load average when the run started: other work on the machine skews the figures. */
  readonly loadAverageAtStart: number
}

const FILE_SYSTEMS: Readonly<Record<number, string>> = {
  0xef53: 'ext4',
  0x01021994: 'tmpfs',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x794c7630: 'overlayfs',
  0x6969: 'nfs',
}

export async function describeMachine(): Promise<Machine> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '')
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown'
  const memory = new SQLite(':memory:')
  const sqlite = (memory.prepare('select sqlite_version() as v').get() as { v: string }).v
  memory.close()
  const fsType = (await statfs(tmpdir())).type
  return {
    cpu,
    cores: availableParallelism(),
    os: `Linux ${release()}`,
    node: process.version,
    postgres: (await adminStatement('SHOW server_version')) ?? 'unknown',
    sqlite: `${sqlite} (better-sqlite3, WAL, synchronous=NORMAL + fdatasync of the WAL before each answer)`,
    sqliteFileSystem: `${FILE_SYSTEMS[fsType] ?? `0x${fsType.toString(16)}`} (${tmpdir()})`,
    loadAverageAtStart: loadavg()[0] ?? 0,
  }
}
