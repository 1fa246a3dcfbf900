/**
 * Deliveries through the real send path (`npm run bench:deliveries`), on SQLite and PostgreSQL:
 * how many faxes per second workers get through when every fax is ready to go and the line
 * answers at once.
 *
 * - A delivery: an outbox entry whose pages are rendered, to the simulated test number
 *   +15555550100, with its `send-fax` job due now. Running the job is src/jobs/send-fax-job.ts →
 *   src/use-cases/transmit-delivery.ts: beginCall (one transaction), the carriers (loopback asks
 *   the store whether the number is one of ours; the SimulatedCarrier answers at once with
 *   FAXD_SIMULATED_TIME_SCALE=0), endCall (one transaction: the attempt, the fax record, the
 *   entry removed), then the job is completed. Deliveries/s = fax records made per second from
 *   the workers' start to the last job's completion.
 * - The workers are faxd's own: createWorker (src/main.ts) on openServices, with a Config from
 *   readConfig: time scale 0, 1,000 calls per destination and per sending number (every
 *   delivery goes to the same number), and FAXD_WORKER_CALLS call slots per worker. They run as
 *   in a server (start, then stop once the last job is done), not through drain(), which runs
 *   one job at a time whatever the slots.
 * - Setup, not timed, in a fresh database per case (a temp folder; on PostgreSQL also a schema
 *   `bench_<hex>`): an account with a number, a one-page text file uploaded, BENCH_DELIVERIES
 *   (500; see docs/benchmarks.md for why not more) faxes sent to the test number through the sendFax use case, and their render-fax
 *   jobs drained by a Worker with the render handler only. Its renderer is faxd's for the first
 *   fax of the run (a render process) and then writes a copy of those pages for each entry, so
 *   every entry goes through prepareOutboxPages and owns its TIFF-F as in a real render. No
 *   webhooks are registered, so no deliver-webhook jobs are made.
 * - The cases, per engine: 1 worker with 1 call slot; 4 workers with 1 call slot each (SQLite:
 *   four Workers in one process sharing the store; PostgreSQL: four worker processes, this file
 *   forked); 1 worker with 4 call slots. The PostgreSQL cases all run in forked processes, the
 *   SQLite ones in this process. Each has a reference measured beside it: as many `send-fax`
 *   jobs, in a fresh database, drained by as many Workers with createWorker's kinds, slots,
 *   lease and idle wait, whose handlers do nothing. BENCH_DELIVERIES_ROUNDS (3) rounds; the
 *   median of each case.
 * - Idle waits: per worker, the stretches of 400 ms or more in which it completed no job (from
 *   the start to its first completion, and between two). At time scale 0 a job takes
 *   milliseconds, so such a stretch is a worker that slept through its 500-ms idle wait while
 *   jobs were due, or a process that got no CPU for that long (a loaded machine).
 * - After each case: every job completed once and none released; no job, delivery or outbox
 *   entry left; every entry a fax record with status success and one attempt. Anything else
 *   stops the bench.
 *
 * Prints the machine and markdown tables; writes JSON to .bench/deliveries.json.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Kysely } from 'kysely'
import pino from 'pino'
import type { Config } from '../src/config.js'
import { DEFAULT_JOB_LEASE_MS, readConfig } from '../src/config.js'
import type { JobQueue } from '../src/domain/job-queue.js'
import type {
  PageRenderOutcome,
  PageRenderRequest,
  DraftPreview,
  PageRenderer,
} from '../src/domain/page-renderer.js'
import type { FileStore, Store } from '../src/domain/ports.js'
import { renderFaxJob } from '../src/jobs/render-fax-job.js'
import { Worker } from '../src/jobs/worker.js'
import { createWorker, openServices, WORKER_IDLE_MS, workerSlots } from '../src/main.js'
import { systemClock } from '../src/shared/clock.js'
import { newId24 } from '../src/shared/ids.js'
import { newJobToRow } from '../src/storage/sql/job-rows.js'
import { SQLITE_FILE_NAME } from '../src/storage/sql/open-store.js'
import { openPostgresDatabase } from '../src/storage/sql/postgres-database.js'
import type { Database } from '../src/storage/sql/schema.js'
import { openSqliteDatabase } from '../src/storage/sql/sqlite-database.js'
import type { Services } from '../src/use-cases/context.js'
import { sendFax } from '../src/use-cases/send-fax.js'
import { aBenchSender } from './bench-sender.js'
import { adminStatement, DATABASE_URL } from './postgres-admin.js'

type Engine = 'sqlite' | 'postgres'
/** `send`: real send-fax jobs through createWorker; `noop`: the reference, handlers do nothing. */
type Mode = 'send' | 'noop'

const ENGINES: readonly Engine[] = ['sqlite', 'postgres']
const DELIVERIES = Number(process.env['BENCH_DELIVERIES'] ?? 500)
const ROUNDS = Number(process.env['BENCH_DELIVERIES_ROUNDS'] ?? 3)
/** docs/test-numbers.md: success, instantly at time scale 0. */
const TEST_NUMBER = '+15555550100'
const SENDER_NUMBER = '+4930123456'
const DOCUMENT = 'faxd deliveries benchmark\n\nOne page of plain text, sent to the test number.\n'
/** Faxes sent at once while setting up (they share group commits on SQLite). */
const SEND_BATCH = 50
/** Render jobs one setup Worker runs at once (they only copy pages, see ReusedPages). */
const SETUP_RENDER_SLOTS = 8
/**
 * A worker that completes no job for this long (at least 0.8 × its idle wait) slept through its
 * idle wait, or its process got no CPU: a delivery at time scale 0 takes milliseconds, and so
 * does a no-op job.
 */
const IDLE_GAP_MS = 400
/** A drain that completes no job for this long has stalled: the bench stops. */
const STALL_MS = 60_000
const OUTPUT = '.bench/deliveries.json'
const THIS_FILE = fileURLToPath(import.meta.url)
/** Set in the forked worker processes: `send` or `noop`. */
const WORKER_MODE = process.env['FAXD_DELIVERIES_BENCH_WORKER']

interface WorkerSetup {
  readonly workers: number
  /** FAXD_WORKER_CALLS: send-fax jobs one worker runs at once. */
  readonly calls: number
}

/** The reference of the ratios "× 1 worker, 1 slot". */
const SINGLE: WorkerSetup = { workers: 1, calls: 1 }
const SETUPS: readonly WorkerSetup[] = [SINGLE, { workers: 4, calls: 1 }, { workers: 1, calls: 4 }]

/** One case's database: the folder (FAXD_DATA) and, on PostgreSQL, the schema. */
interface CaseDatabase {
  readonly engine: Engine
  readonly dataDir: string
  readonly schema: string | null
  /** The environment faxd reads its Config from for this case. */
  readonly env: Readonly<Record<string, string>>
  readonly config: Config
  /** faxd's services as `faxd worker` opens them (migrated store, file store, renderer). */
  readonly services: Services
  /** A second handle on the same database, for fills and counts. */
  readonly raw: Kysely<Database>
  close(): Promise<void>
}

/** DATABASE_URL with the schema as the connections' search_path (libpq's `options`). */
function urlWithSchema(schema: string): string {
  const url = new URL(DATABASE_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return url.toString()
}

function caseEnv(dataDir: string, schema: string | null, calls: number): Record<string, string> {
  return {
    FAXD_DATA: dataDir,
    DATABASE_URL: schema === null ? '' : urlWithSchema(schema),
    FAXD_SIMULATED_TIME_SCALE: '0',
    FAXD_CALLS_PER_DESTINATION: '1000',
    FAXD_CALLS_PER_SENDING_NUMBER: '1000',
    FAXD_WEBHOOK_ALLOW_PRIVATE: '1',
    FAXD_WORKER_CALLS: String(calls),
    FAXD_SOFFICE: 'none',
    LOG_LEVEL: 'warn',
  }
}

async function openCaseDatabase(engine: Engine, calls: number): Promise<CaseDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'faxd-deliveries-bench-'))
  const schema = engine === 'postgres' ? `bench_${randomBytes(6).toString('hex')}` : null
  if (schema !== null) {
    await adminStatement(`CREATE SCHEMA ${schema}`)
  }
  const removeAll = async (): Promise<void> => {
    if (schema !== null) {
      await adminStatement(`DROP SCHEMA ${schema} CASCADE`)
    }
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    const env = caseEnv(dataDir, schema, calls)
    const config = readConfig(env)
    const services = await openServices(config)
    const raw =
      schema === null
        ? openSqliteDatabase(join(dataDir, SQLITE_FILE_NAME))
        : openPostgresDatabase({ url: DATABASE_URL, searchPath: schema })
    return {
      engine,
      dataDir,
      schema,
      env,
      config,
      services,
      raw,
      close: async () => {
        await raw.destroy()
        await services.store.close()
        await removeAll()
      },
    }
  } catch (error) {
    await removeAll()
    throw error
  }
}

/**
 * Counts the jobs the workers complete (per worker name) and give back; `onComplete` hears of
 * each completion as it happens.
 */
class JobCounter {
  /** Per worker name: when each of its jobs was completed (performance.now()). */
  readonly completions = new Map<string, number[]>()
  completed = 0
  released = 0
  readonly #onComplete: () => void
  #lastProgressMs = performance.now()
  #waiting: { count: number; resolve: () => void } | null = null

  constructor(onComplete: () => void = () => {}) {
    this.#onComplete = onComplete
  }

  /** The store, with a job queue that tells this counter what happens to the jobs. */
  wrap(store: Store): Store {
    const jobs = store.jobs
    // Every argument passed on as it is: the port may grow optional ones.
    const counting: JobQueue = {
      enqueue: (...args) => jobs.enqueue(...args),
      claim: (...args) => jobs.claim(...args),
      heartbeat: (...args) => jobs.heartbeat(...args),
      complete: async (...args) => {
        const done = await jobs.complete(...args)
        if (done) {
          this.countCompletion(args[1])
          this.#onComplete()
        }
        return done
      },
      release: async (...args) => {
        const released = await jobs.release(...args)
        this.released += released ? 1 : 0
        return released
      },
      depth: (...args) => jobs.depth(...args),
    }
    return { ...store, jobs: counting }
  }

  /** One more job completed by `worker`, here or in a worker process. */
  countCompletion(worker: string): void {
    const now = performance.now()
    const times = this.completions.get(worker) ?? []
    times.push(now)
    this.completions.set(worker, times)
    this.completed++
    this.#lastProgressMs = now
    if (this.#waiting !== null && this.completed >= this.#waiting.count) {
      this.#waiting.resolve()
      this.#waiting = null
    }
  }

  /** How many jobs each worker completed. */
  split(): number[] {
    return [...this.completions.values()].map((times) => times.length)
  }

  /**
   * The stretches, per worker, from `startedMs` to its first completion and between two of its
   * completions, that lasted IDLE_GAP_MS or more: a worker that went to sleep for its idle wait.
   */
  idleWaits(startedMs: number): IdleWaits {
    let count = 0
    let ms = 0
    for (const times of this.completions.values()) {
      let previous = startedMs
      for (const time of times) {
        if (time - previous >= IDLE_GAP_MS) {
          count++
          ms += time - previous
        }
        previous = time
      }
    }
    return { count, seconds: ms / 1000 }
  }

  /** Resolves once `count` jobs are completed; rejects when none completes for STALL_MS. */
  async reach(count: number, what: string): Promise<void> {
    if (this.completed >= count) {
      return
    }
    this.#lastProgressMs = performance.now()
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (performance.now() - this.#lastProgressMs > STALL_MS) {
          clearInterval(check)
          this.#waiting = null
          reject(
            new Error(
              `${what}: stalled at ${this.completed} of ${count} jobs (${this.released} released)`,
            ),
          )
        }
      }, 1000)
      this.#waiting = {
        count,
        resolve: () => {
          clearInterval(check)
          resolve()
        },
      }
    })
  }
}

/** A Worker with createWorker's kinds, slots and timings, whose handlers do nothing. */
function noopWorker(jobs: JobQueue, config: Config, name: string): Worker {
  const nothing = async (): Promise<void> => {}
  return new Worker(
    jobs,
    systemClock,
    { 'render-fax': nothing, 'send-fax': nothing, 'deliver-webhook': nothing },
    {
      name,
      leaseMs: config.jobLeaseMs,
      idleMs: WORKER_IDLE_MS,
      slots: workerSlots(config),
    },
  )
}

function workerLogger(): pino.Logger {
  return pino({ level: 'warn' }, pino.destination(2))
}

function buildWorker(mode: Mode, services: Services, config: Config, name: string): Worker {
  return mode === 'send'
    ? createWorker(services, config, workerLogger())
    : noopWorker(services.store.jobs, config, name)
}

async function* chunks(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes
}

/** The one real render of the run: the TIFF-F of the document and its page count. */
interface RenderedDocument {
  readonly tiff: Uint8Array
  readonly pages: number
  readonly ms: number
}

let renderedOnce: RenderedDocument | null = null

async function readAll(files: FileStore, key: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const part of files.get(key)) {
    parts.push(part)
  }
  return Buffer.concat(parts)
}

/**
 * The renderer of the setup: faxd's own (a render process) for the run's first fax, then the
 * same pages written again under each entry's output key. Every fax of the bench is the same
 * one-page document at the same settings.
 */
class ReusedPages implements PageRenderer {
  /** The first render, shared by every ReusedPages of the run; the others wait for it. */
  static #first: Promise<RenderedDocument> | null = null
  readonly #real: PageRenderer
  readonly #files: FileStore

  constructor(real: PageRenderer, files: FileStore) {
    this.#real = real
    this.#files = files
  }

  async render(request: PageRenderRequest): Promise<PageRenderOutcome> {
    if (request.documentKeys.length !== 1 || request.cover !== null) {
      throw new Error('the bench sends one document without a cover page')
    }
    if (ReusedPages.#first === null) {
      ReusedPages.#first = this.#renderForReal(request)
      const document = await ReusedPages.#first
      return { ok: true, pages: document.pages, bytes: document.tiff.length }
    }
    const document = await ReusedPages.#first
    const { sizeBytes } = await this.#files.put(
      request.outputKey,
      chunks(document.tiff),
      document.tiff.length,
    )
    return { ok: true, pages: document.pages, bytes: sizeBytes }
  }

  async preview(): Promise<Uint8Array | null> {
    return null
  }

  async previewDraft(): Promise<DraftPreview> {
    throw new Error('the bench looks at no draft')
  }

  close(): Promise<void> {
    return this.#real.close()
  }

  async #renderForReal(request: PageRenderRequest): Promise<RenderedDocument> {
    const started = performance.now()
    const outcome = await this.#real.render(request)
    if (!outcome.ok) {
      throw new Error(`the bench document did not render: ${outcome.description}`)
    }
    const tiff = await readAll(this.#files, request.outputKey)
    renderedOnce = { tiff, pages: outcome.pages, ms: performance.now() - started }
    return renderedOnce
  }
}

async function count(
  raw: Kysely<Database>,
  table: 'jobs' | 'deliveries' | 'outbox_entries' | 'faxes' | 'fax_attempts' | 'webhook_deliveries',
): Promise<number> {
  const row = await raw
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/**
 * DELIVERIES outbox entries ready to send, each with its send-fax job due: sent through the
 * sendFax use case, their pages made by render-fax jobs (not timed).
 */
async function prepareDeliveries(database: CaseDatabase): Promise<void> {
  const { services, raw } = database
  const { actor, filePath } = await aBenchSender(services, {
    email: 'deliveries.bench@example.test',
    number: SENDER_NUMBER,
    text: DOCUMENT,
  })
  for (let sent = 0; sent < DELIVERIES; sent += SEND_BATCH) {
    const batch = Math.min(SEND_BATCH, DELIVERIES - sent)
    await Promise.all(
      Array.from({ length: batch }, () =>
        sendFax(services, actor, {
          userId: 'self',
          from: SENDER_NUMBER,
          to: [TEST_NUMBER],
          files: [filePath],
          fromFax: null,
          commentText: '',
          commentTags: [],
          enhancement: true,
          retry: null,
          partiallySentRetry: false,
          sendTime: null,
          returnIds: false,
          resolution: 'fine',
          coverPage: null,
        }),
      ),
    )
  }
  const counter = new JobCounter()
  const store = counter.wrap(services.store)
  const renders = new Worker(
    store.jobs,
    services.clock,
    {
      'render-fax': renderFaxJob({
        ...services,
        store,
        pages: new ReusedPages(services.pages, services.files),
      }),
    },
    {
      name: 'bench-setup',
      leaseMs: DEFAULT_JOB_LEASE_MS,
      idleMs: WORKER_IDLE_MS,
      slots: { 'render-fax': SETUP_RENDER_SLOTS },
    },
  )
  renders.start()
  try {
    await counter.reach(DELIVERIES, `${database.engine}: setup renders`)
  } finally {
    await renders.stop()
  }
  const ready = await raw
    .selectFrom('outbox_entries')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('status', '=', 'scheduled_for_sending')
    .where('document_key', 'is not', null)
    .where('page_count', '=', 1)
    .executeTakeFirstOrThrow()
  const dueJobs = await raw
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('kind', '=', 'send-fax')
    .where('run_at', '<=', Date.now())
    .executeTakeFirstOrThrow()
  const jobs = await count(raw, 'jobs')
  const deliveries = await count(raw, 'deliveries')
  if (
    Number(ready.count) !== DELIVERIES ||
    Number(dueJobs.count) !== DELIVERIES ||
    jobs !== DELIVERIES ||
    deliveries !== DELIVERIES ||
    counter.released !== 0
  ) {
    throw new Error(
      `${database.engine}: setup left ${ready.count} entries ready, ${dueJobs.count} due send-fax ` +
        `jobs of ${jobs}, ${deliveries} deliveries (${counter.released} renders given back); ` +
        `wanted ${DELIVERIES} of each`,
    )
  }
}

/** DELIVERIES due send-fax jobs with nothing behind them, for the no-op reference. */
async function fillNoopJobs(raw: Kysely<Database>): Promise<void> {
  const nowMs = Date.now()
  const rows = Array.from({ length: DELIVERIES }, (_, i) =>
    newJobToRow(
      { id: newId24(), kind: 'send-fax', payload: { deliveryId: 'none' }, runAtMs: nowMs - 1 - i },
      null,
      nowMs,
    ),
  )
  for (let start = 0; start < rows.length; start += 500) {
    await raw
      .insertInto('jobs')
      .values(rows.slice(start, start + 500))
      .execute()
  }
}

/** After a drain: what must be true of the database, or the bench stops. */
async function checkDrained(database: CaseDatabase, mode: Mode, what: string): Promise<void> {
  const { raw } = database
  const jobs = await count(raw, 'jobs')
  const problems: string[] = []
  if (jobs !== 0) {
    problems.push(`${jobs} jobs left`)
  }
  if (mode === 'send') {
    const deliveries = await count(raw, 'deliveries')
    const entries = await count(raw, 'outbox_entries')
    const faxes = await count(raw, 'faxes')
    const attempts = await count(raw, 'fax_attempts')
    const webhookDeliveries = await count(raw, 'webhook_deliveries')
    const successes = await raw
      .selectFrom('faxes')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('status', '=', 'success')
      .where('direction', '=', 'outgoing')
      .where('to_number', '=', TEST_NUMBER)
      .where('pages', '=', 1)
      .executeTakeFirstOrThrow()
    if (deliveries !== 0 || entries !== 0) {
      problems.push(`${deliveries} deliveries and ${entries} outbox entries left`)
    }
    if (faxes !== DELIVERIES || Number(successes.count) !== DELIVERIES) {
      problems.push(`${faxes} fax records, ${successes.count} of them sent with success`)
    }
    if (attempts !== DELIVERIES) {
      problems.push(`${attempts} attempts`)
    }
    if (webhookDeliveries !== 0) {
      problems.push(`${webhookDeliveries} webhook deliveries`)
    }
  }
  if (problems.length > 0) {
    throw new Error(`${what}: ${problems.join('; ')} (of ${DELIVERIES})`)
  }
}

interface IdleWaits {
  /** Stretches of IDLE_GAP_MS or more in which a worker completed nothing. */
  readonly count: number
  /** Their length, summed over the workers. */
  readonly seconds: number
}

interface Drained {
  readonly ms: number
  readonly split: number[]
  readonly idleWaits: IdleWaits
}

interface DrainRun {
  /** Making the database and its jobs (not timed in the rates). */
  readonly setupSeconds: number
  readonly seconds: number
  readonly perSecond: number
  /** How many jobs each worker completed. */
  readonly split: readonly number[]
  readonly idleWaits: IdleWaits
}

/** SQLite: the Workers in this process, sharing the case's store. */
async function drainHere(
  database: CaseDatabase,
  mode: Mode,
  setup: WorkerSetup,
  what: string,
): Promise<Drained> {
  const counter = new JobCounter()
  const services = { ...database.services, store: counter.wrap(database.services.store) }
  const workers = Array.from({ length: setup.workers }, (_, i) =>
    buildWorker(mode, services, database.config, `bench-${i + 1}`),
  )
  const started = performance.now()
  for (const worker of workers) {
    worker.start()
  }
  let ms: number
  try {
    await counter.reach(DELIVERIES, what)
    ms = performance.now() - started
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()))
  }
  if (counter.completed !== DELIVERIES || counter.released !== 0) {
    throw new Error(`${what}: ${counter.completed} jobs completed, ${counter.released} released`)
  }
  return { ms, split: counter.split(), idleWaits: counter.idleWaits(started) }
}

/** What a forked worker process says, in order: 'ready', 'done' per job, then its totals. */
type WorkerMessage = 'ready' | 'done' | { completed: number; released: number }

/**
 * PostgreSQL: `setup.workers` worker processes (this file, forked). They are forked as soon as
 * the case's schema exists and start loading while the setup runs; drain() starts them together.
 */
class WorkerProcesses {
  readonly #what: string
  readonly #counter = new JobCounter()
  readonly #children: ChildProcess[] = []
  readonly #ready: Promise<void>[] = []
  readonly #totals: Promise<{ completed: number; released: number }>[] = []
  readonly #exits: Promise<number | null>[] = []

  constructor(database: CaseDatabase, mode: Mode, setup: WorkerSetup, what: string) {
    this.#what = what
    for (let i = 0; i < setup.workers; i++) {
      const name = `bench-${i + 1}`
      const child = fork(THIS_FILE, [], {
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          FAXD_DELIVERIES_BENCH_WORKER: mode,
          FAXD_DELIVERIES_BENCH_NAME: name,
          FAXD_DELIVERIES_BENCH_ENV: JSON.stringify(database.env),
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
      this.#children.push(child)
      const exit = new Promise<number | null>((resolve) => child.once('exit', resolve))
      this.#exits.push(exit)
      const exitedEarly = exit.then((code) => {
        throw new Error(`${what}: worker process ${i + 1} exited (${code}) before it was done`)
      })
      const ready = new Promise<void>((resolve) => {
        child.on('message', (message: WorkerMessage) => {
          if (message === 'ready') {
            resolve()
          } else if (message === 'done') {
            this.#counter.countCompletion(name)
          }
        })
      })
      const totals = new Promise<{ completed: number; released: number }>((resolve) => {
        child.on('message', (message: WorkerMessage) => {
          if (typeof message === 'object') {
            resolve(message)
          }
        })
      })
      this.#ready.push(Promise.race([ready, exitedEarly]))
      this.#totals.push(Promise.race([totals, exitedEarly]))
    }
    // Awaited in drain(); until then (a failed setup) an early exit must not go unhandled.
    void Promise.allSettled([...this.#ready, ...this.#totals])
  }

  async drain(): Promise<Drained> {
    const counter = this.#counter
    await Promise.all(this.#ready)
    const started = performance.now()
    for (const child of this.#children) {
      child.send('go')
    }
    await counter.reach(DELIVERIES, this.#what)
    const ms = performance.now() - started
    for (const child of this.#children) {
      child.send('stop')
    }
    const results = await Promise.all(this.#totals)
    await Promise.all(this.#exits)
    const completed = results.reduce((sum, r) => sum + r.completed, 0)
    const released = results.reduce((sum, r) => sum + r.released, 0)
    if (completed !== DELIVERIES || released !== 0) {
      throw new Error(`${this.#what}: ${completed} jobs completed, ${released} released`)
    }
    return { ms, split: results.map((r) => r.completed), idleWaits: counter.idleWaits(started) }
  }

  /** Ends the processes still running (after a failure). */
  kill(): void {
    for (const child of this.#children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill()
      }
    }
  }
}

/** A forked worker process: faxd's services and one Worker, started by "go", stopped by "stop". */
async function workerProcess(mode: Mode): Promise<void> {
  const send = process.send?.bind(process)
  const envText = process.env['FAXD_DELIVERIES_BENCH_ENV']
  if (send === undefined || envText === undefined) {
    throw new Error('a deliveries bench worker runs forked by the bench')
  }
  const config = readConfig(JSON.parse(envText) as Record<string, string>)
  const opened = await openServices(config)
  // Each completion is reported as it happens: the parent stops the clock at the last one.
  const counter = new JobCounter(() => send('done'))
  const worker = buildWorker(
    mode,
    { ...opened, store: counter.wrap(opened.store) },
    config,
    process.env['FAXD_DELIVERIES_BENCH_NAME'] ?? 'bench',
  )
  const next = (): Promise<unknown> =>
    new Promise((resolve) => {
      process.once('message', resolve)
    })
  try {
    send('ready')
    await next()
    worker.start()
    await next()
    await worker.stop()
    await new Promise<void>((resolve, reject) => {
      send({ completed: counter.completed, released: counter.released }, (error: Error | null) =>
        error ? reject(error) : resolve(),
      )
    })
  } finally {
    await opened.store.close()
  }
  process.disconnect()
}

function describeSetup(engine: Engine, setup: WorkerSetup): string {
  const slots = `${setup.calls} call slot${setup.calls === 1 ? '' : 's'}`
  if (setup.workers === 1) {
    return `1 ${engine === 'sqlite' ? 'Worker' : 'worker process'}, ${slots}`
  }
  return engine === 'sqlite'
    ? `${setup.workers} Workers in one process, ${slots} each`
    : `${setup.workers} worker processes, ${slots} each`
}

/** One drain in a fresh database: set up, timed, checked, removed. */
async function drain(engine: Engine, mode: Mode, setup: WorkerSetup): Promise<DrainRun> {
  const what = `${engine}, ${mode}, ${describeSetup(engine, setup)}`
  const setupStarted = performance.now()
  const database = await openCaseDatabase(engine, setup.calls)
  const processes = engine === 'postgres' ? new WorkerProcesses(database, mode, setup, what) : null
  try {
    if (mode === 'send') {
      await prepareDeliveries(database)
    } else {
      await fillNoopJobs(database.raw)
    }
    const setupSeconds = (performance.now() - setupStarted) / 1000
    const { ms, split, idleWaits } =
      processes === null ? await drainHere(database, mode, setup, what) : await processes.drain()
    await checkDrained(database, mode, what)
    return {
      setupSeconds,
      seconds: ms / 1000,
      perSecond: DELIVERIES / (ms / 1000),
      split,
      idleWaits,
    }
  } finally {
    processes?.kill()
    await database.close()
  }
}

interface CaseResult {
  readonly engine: Engine
  readonly mode: Mode
  readonly workers: number
  readonly callSlots: number
  readonly how: string
  readonly deliveries: number
  /** The median run's jobs/s. */
  readonly perSecond: number
  readonly runs: readonly DrainRun[]
}

function median(runs: readonly DrainRun[]): DrainRun | undefined {
  const sorted = [...runs].sort((a, b) => a.perSecond - b.perSecond)
  return sorted[(sorted.length - 1) >> 1]
}

/** Each case ROUNDS times; within a round, each real case right after its no-op reference. */
async function measure(): Promise<CaseResult[]> {
  const cases = ENGINES.flatMap((engine) =>
    SETUPS.flatMap((setup) =>
      (['noop', 'send'] as const).map((mode) => ({ engine, mode, setup, runs: [] as DrainRun[] })),
    ),
  )
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of cases) {
      process.stdout.write(
        `  round ${round}, ${ENGINE_NAMES[c.engine]}, ${c.mode === 'send' ? 'deliveries' : 'no-op'}, ${describeSetup(c.engine, c.setup)}: `,
      )
      const run = await drain(c.engine, c.mode, c.setup)
      const { count: waits, seconds: waited } = run.idleWaits
      console.log(
        `${Math.round(run.perSecond)}/s in ${run.seconds.toFixed(1)} s after ${run.setupSeconds.toFixed(1)} s of setup (${run.split.join(' + ')}); ` +
          `${waits} idle waits, ${waited.toFixed(1)} s`,
      )
      c.runs.push(run)
    }
  }
  return cases.map(({ engine, mode, setup, runs }) => ({
    engine,
    mode,
    workers: setup.workers,
    callSlots: setup.calls,
    how: describeSetup(engine, setup),
    deliveries: DELIVERIES,
    perSecond: median(runs)?.perSecond ?? Number.NaN,
    runs,
  }))
}

const ENGINE_NAMES: Readonly<Record<Engine, string>> = { sqlite: 'SQLite', postgres: 'PostgreSQL' }

function rate(value: number): string {
  return Math.round(value).toLocaleString('en')
}

function findCase(
  results: readonly CaseResult[],
  engine: Engine,
  mode: Mode,
  setup: WorkerSetup,
): CaseResult | undefined {
  return results.find(
    (r) =>
      r.engine === engine &&
      r.mode === mode &&
      r.workers === setup.workers &&
      r.callSlots === setup.calls,
  )
}

function runRates(r: CaseResult | undefined): string {
  return r?.runs.map((run) => Math.round(run.perSecond)).join(' / ') ?? ''
}

/**
 * Deliveries per second, and as ratios: over the no-op reference of the same engine and worker
 * setup, and over 1 worker with 1 call slot of the same engine (for the no-op reference too).
 */
function throughputTable(results: readonly CaseResult[]): string {
  const rows = results
    .filter((r) => r.mode === 'send')
    .map((r) => {
      const setup = { workers: r.workers, calls: r.callSlots }
      const noop = findCase(results, r.engine, 'noop', setup)
      const one = findCase(results, r.engine, 'send', SINGLE)
      const noopOne = findCase(results, r.engine, 'noop', SINGLE)
      const ratio = (a: CaseResult | undefined, b: CaseResult | undefined): string =>
        ((a?.perSecond ?? Number.NaN) / (b?.perSecond ?? Number.NaN)).toFixed(2)
      return (
        `| ${ENGINE_NAMES[r.engine]} | ${r.how} | ${rate(r.perSecond)} | ${runRates(r)} | ` +
        `${(1000 / r.perSecond).toFixed(2)} | ${rate(noop?.perSecond ?? Number.NaN)} | ` +
        `${runRates(noop)} | ${ratio(r, noop)} | ${ratio(r, one)} | ${ratio(noop, noopOne)} |`
      )
    })
  return [
    '| engine | workers | deliveries/s (median) | deliveries/s, runs | ms per delivery | no-op jobs/s (median) | no-op jobs/s, runs | ÷ no-op | × 1 worker, 1 slot | no-op × 1 worker, 1 slot |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n')
}

/** Every run: its time, the jobs per worker, and the stretches in which a worker completed none. */
function runsTable(results: readonly CaseResult[]): string {
  const rows = results.flatMap((r) =>
    r.runs.map(
      (run, i) =>
        `| ${ENGINE_NAMES[r.engine]} | ${r.how} | ${r.mode === 'send' ? 'deliveries' : 'no-op'} | ` +
        `${i + 1} | ${run.seconds.toFixed(2)} | ${Math.round(run.perSecond)} | ` +
        `${run.split.join(' / ')} | ${run.idleWaits.count} | ${run.idleWaits.seconds.toFixed(1)} |`,
    ),
  )
  return [
    `| engine | workers | jobs | round | s | jobs/s | jobs per worker | waits ≥ ${IDLE_GAP_MS} ms | s waited (all workers) |`,
    '| --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: |',
    ...rows,
  ].join('\n')
}

async function main(): Promise<void> {
  // Loaded here, not at the top: the forked worker processes need none of the servers' modules.
  const { describeMachine } = await import('./bench-servers.js')
  const machine = await describeMachine()
  const startedAt = new Date()
  console.log(
    [
      `Deliveries benchmark, ${startedAt.toISOString()}`,
      `- CPU: ${machine.cpu}, ${machine.cores} cores`,
      `- ${machine.os}, Node ${machine.node}`,
      `- PostgreSQL ${machine.postgres}; SQLite ${machine.sqlite} on ${machine.sqliteFileSystem}`,
      `- 1-minute load average before the run: ${machine.loadAverageAtStart.toFixed(2)}`,
      `- ${DELIVERIES} deliveries to ${TEST_NUMBER} per drain (time scale 0), ${ROUNDS} rounds`,
      '',
    ].join('\n'),
  )
  const results = await measure()
  const loadAverageAtEnd = loadavg()[0] ?? 0
  const seconds = (Date.now() - startedAt.getTime()) / 1000
  console.log(`\n${throughputTable(results)}\n\n${runsTable(results)}\n`)
  if (renderedOnce !== null) {
    console.log(
      `The document: ${renderedOnce.pages} page, ${renderedOnce.tiff.length} bytes of TIFF-F, ` +
        `rendered once in ${Math.round(renderedOnce.ms)} ms and copied for every other entry`,
    )
  }
  console.log(
    `1-minute load average at the end: ${loadAverageAtEnd.toFixed(2)}; the run took ${seconds.toFixed(0)} s`,
  )
  await mkdir('.bench', { recursive: true })
  await writeFile(
    OUTPUT,
    `${JSON.stringify(
      {
        date: startedAt.toISOString(),
        machine: { ...machine, loadAverageAtEnd },
        settings: {
          deliveries: DELIVERIES,
          rounds: ROUNDS,
          destination: TEST_NUMBER,
          simulatedTimeScale: 0,
          callsPerDestination: 1000,
          callsPerSendingNumber: 1000,
        },
        document:
          renderedOnce === null
            ? null
            : {
                pages: renderedOnce.pages,
                bytes: renderedOnce.tiff.length,
                renderMs: renderedOnce.ms,
              },
        seconds,
        cases: results,
      },
      null,
      2,
    )}\n`,
  )
  console.log(`written to ${OUTPUT}`)
}

if (WORKER_MODE === undefined) {
  await main()
} else if (WORKER_MODE === 'send' || WORKER_MODE === 'noop') {
  await workerProcess(WORKER_MODE)
} else {
  throw new Error(`FAXD_DELIVERIES_BENCH_WORKER must be send or noop, not ${WORKER_MODE}`)
}
