/**
 * The servers the sendFax benchmark drives, each listening on 127.0.0.1 on a free port: a bare
 * Fastify route that only validates the PayloadOutbox schema, and faxd's real app on SQLite (a
 * fresh data folder) or PostgreSQL (a fresh schema, dropped on close), with an account, a
 * number, a token and one uploaded document ready to send. Also the machine's description.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, statfs } from 'node:fs/promises'
import { availableParallelism, loadavg, release, tmpdir } from 'node:os'
import { join } from 'node:path'
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
import { inIsolation } from '../src/rendering/isolated-renderer.js'
import { FileStoreFaxDocuments } from '../src/reports/file-store-fax-documents.js'
import { LETTER } from '../src/rendering/fax-geometry.js'
import { MAX_PICTURE_PIXELS } from '../src/rendering/render-settings.js'
import { systemClock } from '../src/shared/clock.js'
import { FsFileStore } from '../src/storage/files/fs-file-store.js'
import { openStore, SQLITE_FILE_NAME } from '../src/storage/sql/open-store.js'
import { openPostgresDatabase } from '../src/storage/sql/postgres-database.js'
import type { Database } from '../src/storage/sql/schema.js'
import { openSqliteDatabase } from '../src/storage/sql/sqlite-database.js'
import { addNumber } from '../src/use-cases/add-number.js'
import type { Services } from '../src/use-cases/context.js'
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
  readonly token: string
  /** The path of the uploaded document, for `files`. */
  readonly filePath: string
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

/** faxd's whole app on a fresh database of the engine, ready for a sender. */
export async function startFaxd(engine: Engine): Promise<FaxdServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'faxd-bench-'))
  const schema = `bench_${randomBytes(6).toString('hex')}`
  if (engine === 'postgres') {
    await adminStatement(`CREATE SCHEMA ${schema}`)
  }
  const store = await openStore(
    engine === 'postgres'
      ? { databaseUrl: DATABASE_URL, dataDir, postgresSchema: schema }
      : { dataDir },
  )
  const files = new FsFileStore(join(dataDir, 'files'))
  const services: Services = {
    store,
    files,
    clock: systemClock,
    documentKinds: new Set(DOCUMENT_KINDS),
    pages: new FileStoreRenderer(
      files,
      { paper: LETTER, maxPages: 250, maxPicturePixels: MAX_PICTURE_PIXELS, office: undefined },
      inIsolation({
        timeoutMs: 600_000,
        maxMemoryBytes: 2048 * 1024 * 1024,
        sandbox: { kind: 'bubblewrap', program: 'bwrap', hidden: [dataDir] },
      }),
    ),
    documents: new FileStoreFaxDocuments(files),
  }
  const app = await createApp({ services })
  const database: Kysely<Database> =
    engine === 'postgres'
      ? openPostgresDatabase({ url: DATABASE_URL, searchPath: schema })
      : openSqliteDatabase(join(dataDir, SQLITE_FILE_NAME))
  const close = async (): Promise<void> => {
    await app.close()
    await database.destroy()
    await store.close()
    if (engine === 'postgres') {
      await adminStatement(`DROP SCHEMA ${schema} CASCADE`)
    }
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    const origin = await listen(app)
    const account = await createAccount(services, {
      email: `bench.${Date.now()}@example.test`,
      type: 'individual',
      adminUid: null,
      password: null,
    })
    await addNumber(services, { number: SENDER_NUMBER, ownerUid: account.uid, assignTo: [] })
    const { token } = await createPersonalToken(services, {
      uid: account.uid,
      scopes: null,
      expiresInDays: null,
    })
    const filePath = await upload(origin, token)
    return {
      engine,
      origin,
      token,
      filePath,
      close,
      async countRows() {
        const entries = await database
          .selectFrom('outbox_entries')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
        const deliveries = await database
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
        return { entries: Number(entries.n), deliveries: Number(deliveries.n) }
      },
    }
  } catch (error) {
    await close()
    throw error
  }
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
    sqlite: `${sqlite} (better-sqlite3, WAL, synchronous=FULL)`,
    sqliteFileSystem: `${FILE_SYSTEMS[fsType] ?? `0x${fsType.toString(16)}`} (${tmpdir()})`,
    loadAverageAtStart: loadavg()[0] ?? 0,
  }
}
