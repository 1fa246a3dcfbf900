/**
 * The job queue under size and concurrency (`npm run bench:queue`), on SQLite and PostgreSQL:
 *
 * - Claim latency with 1,000 and with 1,000,000 jobs in the table, half of them due (run times
 *   in the past) and half in the future (over the next 30 days), all `deliver-webhook`. Per size,
 *   BENCH_QUEUE_CLAIMS (2,000) claims through the store, each timed and then completed, and as
 *   many claim statements alone, each in a transaction rolled back (the index walk without the
 *   commit). Claims run in blocks of 100, the two sizes in turn, and 100 new due jobs after each
 *   block keep a table at its size. The thousand case is the reference: the million case's
 *   percentiles are given as multiples of it (the bar: at most 2).
 * - Deliveries per second: BENCH_QUEUE_DELIVERIES (4,000) due `deliver-webhook` jobs drained by
 *   real Workers (src/jobs/worker.ts) whose handler does nothing: on SQLite one Worker, and four
 *   in one process; on PostgreSQL one worker process and four (this file forked, one Worker
 *   each). BENCH_QUEUE_ROUNDS (3) rounds of the four cases; the median of each case, as a
 *   multiple of one worker on the same engine.
 *
 * Every case has fresh databases (a folder under the temp folder, or a schema `bench_<hex>`),
 * removed at its end. Prints the machine and markdown tables; writes JSON to .bench/queue.json.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CompiledQuery, type Kysely, sql } from 'kysely'
import type { ClaimRequest } from '../src/domain/job-queue.js'
import type { Store } from '../src/domain/ports.js'
import { Worker } from '../src/jobs/worker.js'
import { systemClock } from '../src/shared/clock.js'
import { newId24 } from '../src/shared/ids.js'
import { newJobToRow } from '../src/storage/sql/job-rows.js'
import { openStore, SQLITE_FILE_NAME } from '../src/storage/sql/open-store.js'
import { openPostgresDatabase } from '../src/storage/sql/postgres-database.js'
import type { Database } from '../src/storage/sql/schema.js'
import { claimQuery } from '../src/storage/sql/sql-job-queue.js'
import { createSqlStore } from '../src/storage/sql/sql-store.js'
import { openSqliteDatabase } from '../src/storage/sql/sqlite-database.js'
import { adminStatement, DATABASE_URL } from './postgres-admin.js'

type Engine = 'sqlite' | 'postgres'

const ENGINES: readonly Engine[] = ['sqlite', 'postgres']
const SIZES = [1_000, 1_000_000] as const
const CLAIMS = Number(process.env['BENCH_QUEUE_CLAIMS'] ?? 2_000)
/** Claims are timed in blocks of this many, the two sizes in turn; one block warms up each. */
const BLOCK = 100
const DELIVERIES = Number(process.env['BENCH_QUEUE_DELIVERIES'] ?? 4_000)
const ROUNDS = Number(process.env['BENCH_QUEUE_ROUNDS'] ?? 3)
const KIND = 'deliver-webhook'
const LEASE_MS = 60_000
/** Future jobs are FUTURE_STEP_MS apart: a million of them cover 30 days. */
const FUTURE_STEP_MS = 2_592
const OUTPUT = '.bench/queue.json'
const THIS_FILE = fileURLToPath(import.meta.url)
/** Set in the forked worker processes: the worker's name. */
const WORKER_NAME = process.env['FAXD_QUEUE_BENCH_WORKER']

interface BenchDatabase {
  readonly engine: Engine
  /** The store as faxd opens it (migrated; group commit on SQLite). */
  readonly store: Store
  /** A second handle on the same database, for bulk fills, counts and the bare claim statement. */
  readonly raw: Kysely<Database>
  /** PostgreSQL: the schema, for the worker processes. */
  readonly schema: string | null
  close(): Promise<void>
}

async function openBenchDatabase(engine: Engine): Promise<BenchDatabase> {
  if (engine === 'sqlite') {
    const dataDir = await mkdtemp(join(tmpdir(), 'faxd-queue-bench-'))
    const store = await openStore({ dataDir })
    const raw = openSqliteDatabase(join(dataDir, SQLITE_FILE_NAME))
    return {
      engine,
      store,
      raw,
      schema: null,
      close: async () => {
        await raw.destroy()
        await store.close()
        await rm(dataDir, { recursive: true, force: true })
      },
    }
  }
  const schema = `bench_${randomBytes(6).toString('hex')}`
  await adminStatement(`CREATE SCHEMA ${schema}`)
  const store = await openStore({
    databaseUrl: DATABASE_URL,
    dataDir: tmpdir(),
    postgresSchema: schema,
  })
  const raw = openPostgresDatabase({ url: DATABASE_URL, searchPath: schema })
  return {
    engine,
    store,
    raw,
    schema,
    close: async () => {
      await raw.destroy()
      await store.close()
      await adminStatement(`DROP SCHEMA ${schema} CASCADE`)
    },
  }
}

/**
 * Inserts `count` jobs in one statement: job g (1 … count) is due when g % dueEvery = 0 (its run
 * time g ms after a point in the past), otherwise it runs g × FUTURE_STEP_MS after a minute from
 * now. Then updates the planner's statistics, as a long-running database would have them.
 */
async function fill(database: BenchDatabase, count: number, dueEvery: number): Promise<number> {
  const started = performance.now()
  const nowMs = Date.now()
  const dueFromMs = nowMs - count - 60_000
  const futureFromMs = nowMs + 60_000
  const postgres = database.engine === 'postgres'
  const id = postgres ? sql`'fill' || lpad(g::text, 20, '0')` : sql`printf('fill%020d', g)`
  const values = sql`${id}, ${KIND}, '{}',
    case when g % ${dueEvery} = 0 then cast(${dueFromMs} as bigint) + g
      else cast(${futureFromMs} as bigint) + cast(g as bigint) * ${FUTURE_STEP_MS} end,
    null, null, 0, cast(${nowMs} as bigint), null`
  const columns = sql`(id, kind, payload, run_at, locked_until, locked_by, attempts, created_at, outbox_id)`
  if (postgres) {
    await sql`insert into jobs ${columns} select ${values} from generate_series(1, ${count}) as s(g)`.execute(
      database.raw,
    )
    await sql`analyze jobs`.execute(database.raw)
  } else {
    await sql`with recursive s(g) as (select 1 union all select g + 1 from s where g < ${count})
      insert into jobs ${columns} select ${values} from s`.execute(database.raw)
    await sql`analyze`.execute(database.raw)
    await sql`pragma wal_checkpoint(truncate)`.execute(database.raw)
  }
  return performance.now() - started
}

async function countJobs(database: BenchDatabase): Promise<number> {
  const row = await database.raw
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

function claimRequest(worker: string): ClaimRequest {
  return { kinds: [KIND], worker, leaseMs: LEASE_MS, nowMs: Date.now() }
}

/** The claim statement's plan: whether it reads the free and leased jobs' indexes, no table scan. */
async function claimPlan(database: BenchDatabase): Promise<{ usesIndex: boolean; plan: string }> {
  const { engine, raw } = database
  const query = claimQuery(raw, engine, claimRequest('bench')).compile()
  const explain = engine === 'sqlite' ? 'explain query plan ' : 'explain '
  const { rows } = await raw.executeQuery(
    CompiledQuery.raw(explain + query.sql, [...query.parameters]),
  )
  const plan = rows
    .map((row) =>
      String((row as Record<string, unknown>)[engine === 'sqlite' ? 'detail' : 'QUERY PLAN']),
    )
    .join(' / ')
  const usesIndex =
    /jobs_free_idx/.test(plan) &&
    /jobs_leased_idx/.test(plan) &&
    !/seq scan|scan jobs( \/|$)/i.test(plan)
  return { usesIndex, plan }
}

/** Nearest-rank percentile of sorted times. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN
}

interface Percentiles {
  readonly p50Ms: number
  readonly p99Ms: number
}

function percentiles(times: number[]): Percentiles {
  times.sort((a, b) => a - b)
  return { p50Ms: percentile(times, 0.5), p99Ms: percentile(times, 0.99) }
}

/**
 * BLOCK claims through the store, each timed, each then completed; then as many new due jobs
 * (behind the due ones already there), so the table keeps its size.
 */
async function storeClaimBlock(database: BenchDatabase, times: number[] | null): Promise<void> {
  for (let i = 0; i < BLOCK; i++) {
    const started = performance.now()
    const job = await database.store.jobs.claim(claimRequest('bench'))
    const ms = performance.now() - started
    if (job === null) {
      throw new Error(`${database.engine}: no due job to claim`)
    }
    if (!(await database.store.jobs.complete(job.id, 'bench'))) {
      throw new Error(`${database.engine}: job ${job.id} could not be completed`)
    }
    times?.push(ms)
  }
  const nowMs = Date.now()
  const rows = Array.from({ length: BLOCK }, () =>
    newJobToRow({ id: newId24(), kind: KIND, payload: {}, runAtMs: nowMs - 1 }, null, nowMs),
  )
  await database.raw.insertInto('jobs').values(rows).execute()
}

/** BLOCK claim statements alone, each in a transaction rolled back: nothing changes or commits. */
async function statementBlock(database: BenchDatabase, times: number[] | null): Promise<void> {
  for (let i = 0; i < BLOCK; i++) {
    const trx = await database.raw.startTransaction().execute()
    try {
      const started = performance.now()
      const row = await claimQuery(trx, database.engine, claimRequest('bench')).executeTakeFirst()
      const ms = performance.now() - started
      if (row === undefined) {
        throw new Error(`${database.engine}: the claim statement found no due job`)
      }
      times?.push(ms)
    } finally {
      await trx.rollback().execute()
    }
  }
}

interface LatencyResult {
  readonly engine: Engine
  readonly jobs: number
  readonly due: number
  readonly fillSeconds: number
  readonly usesIndex: boolean
  readonly plan: string
  readonly store: Percentiles
  readonly statement: Percentiles
}

/**
 * Both sizes of one engine side by side: two databases, filled, then claimed in alternating
 * blocks (thousand, million, million, thousand, …) so that a change in the machine's load
 * between the two does not pass for a difference between them.
 */
async function latency(engine: Engine): Promise<LatencyResult[]> {
  const databases: BenchDatabase[] = []
  try {
    const cases = []
    for (const jobs of SIZES) {
      process.stdout.write(`  ${engine}, ${jobs.toLocaleString('en')} jobs: fill … `)
      const database = await openBenchDatabase(engine)
      databases.push(database)
      const fillMs = await fill(database, jobs, 2)
      const plan = await claimPlan(database)
      console.log(`${(fillMs / 1000).toFixed(1)} s; claim walks the index: ${plan.usesIndex}`)
      cases.push({
        jobs,
        database,
        fillMs,
        ...plan,
        store: [] as number[],
        statement: [] as number[],
      })
    }
    process.stdout.write(`  ${engine}: claims … `)
    for (const c of cases) {
      await storeClaimBlock(c.database, null)
      await statementBlock(c.database, null)
    }
    for (let block = 0; block < CLAIMS / BLOCK; block++) {
      for (const c of block % 2 === 0 ? cases : [...cases].reverse()) {
        await storeClaimBlock(c.database, c.store)
        await statementBlock(c.database, c.statement)
      }
    }
    const results: LatencyResult[] = []
    for (const c of cases) {
      const left = await countJobs(c.database)
      if (left !== c.jobs) {
        throw new Error(`${engine}: ${left} jobs after the claims, not ${c.jobs}`)
      }
      results.push({
        engine,
        jobs: c.jobs,
        due: Math.floor(c.jobs / 2),
        fillSeconds: c.fillMs / 1000,
        usesIndex: c.usesIndex,
        plan: c.plan,
        store: percentiles(c.store),
        statement: percentiles(c.statement),
      })
    }
    console.log(
      results
        .map((r) => `${r.jobs}: p50 ${ms(r.store.p50Ms)} ms, p99 ${ms(r.store.p99Ms)} ms`)
        .join('; '),
    )
    return results
  } finally {
    for (const database of databases) {
      await database.close()
    }
  }
}

interface DrainRun {
  readonly seconds: number
  readonly perSecond: number
  /** How many jobs each worker ran. */
  readonly split: readonly number[]
}

interface ThroughputResult {
  readonly engine: Engine
  readonly workers: number
  readonly how: string
  readonly deliveries: number
  /** The median run's jobs/s. */
  readonly perSecond: number
  readonly runs: readonly DrainRun[]
}

/** A Worker whose handler does nothing: an instant simulated delivery. */
function noopWorker(jobs: Store['jobs'], name: string): Worker {
  return new Worker(
    jobs,
    systemClock,
    { [KIND]: async () => {} },
    { name, leaseMs: LEASE_MS, idleMs: 10 },
  )
}

function nextMessage(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => {
      reject(new Error(`a worker process exited (${code}) before it answered`))
    }
    child.once('exit', onExit)
    child.once('message', (message) => {
      child.off('exit', onExit)
      resolve(message)
    })
  })
}

/** Drains with `count` worker processes (this file, forked): the time from "go" to the last. */
async function drainInProcesses(
  schema: string,
  count: number,
): Promise<{ ms: number; split: number[] }> {
  const children = Array.from({ length: count }, (_, i) =>
    fork(THIS_FILE, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        FAXD_TEST_DATABASE_URL: DATABASE_URL,
        FAXD_QUEUE_BENCH_WORKER: `bench-${i + 1}`,
        FAXD_QUEUE_BENCH_SCHEMA: schema,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  )
  const exits = children.map(
    (child) => new Promise<void>((resolve) => child.once('exit', () => resolve())),
  )
  try {
    await Promise.all(children.map((child) => nextMessage(child)))
    const results = children.map((child) => nextMessage(child))
    const started = performance.now()
    for (const child of children) {
      child.send('go')
    }
    const split = (await Promise.all(results)).map((message) => Number(message))
    const ms = performance.now() - started
    await Promise.all(exits)
    return { ms, split }
  } catch (error) {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill()
      }
    }
    throw error
  }
}

function describeWorkers(engine: Engine, workers: number): string {
  if (engine === 'sqlite') {
    return workers === 1 ? '1 Worker' : `${workers} Workers in one process`
  }
  return workers === 1 ? '1 worker process' : `${workers} worker processes`
}

/** DELIVERIES due jobs in a fresh database, drained by `workers` Workers. */
async function drain(engine: Engine, workers: number): Promise<DrainRun> {
  const database = await openBenchDatabase(engine)
  try {
    await fill(database, DELIVERIES, 1)
    let ms: number
    let split: number[]
    if (engine === 'sqlite') {
      const loops = Array.from({ length: workers }, (_, i) =>
        noopWorker(database.store.jobs, `bench-${i + 1}`),
      )
      const started = performance.now()
      split = await Promise.all(loops.map((worker) => worker.drain()))
      ms = performance.now() - started
    } else {
      ;({ ms, split } = await drainInProcesses(database.schema ?? '', workers))
    }
    const ran = split.reduce((sum, n) => sum + n, 0)
    const left = await countJobs(database)
    if (ran !== DELIVERIES || left !== 0) {
      throw new Error(
        `${engine}, ${describeWorkers(engine, workers)}: ${ran} jobs ran and ${left} are left of ${DELIVERIES}`,
      )
    }
    return { seconds: ms / 1000, perSecond: DELIVERIES / (ms / 1000), split }
  } finally {
    await database.close()
  }
}

/** Each case ROUNDS times, the cases in turn within a round; the median run of each. */
async function throughputs(): Promise<ThroughputResult[]> {
  const cases = ENGINES.flatMap((engine) =>
    [1, 4].map((workers) => ({ engine, workers, runs: [] as DrainRun[] })),
  )
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of cases) {
      process.stdout.write(
        `  round ${round}, ${c.engine}, ${describeWorkers(c.engine, c.workers)}: `,
      )
      const run = await drain(c.engine, c.workers)
      console.log(`${Math.round(run.perSecond)} jobs/s (${run.split.join(' + ')})`)
      c.runs.push(run)
    }
  }
  return cases.map(({ engine, workers, runs }) => {
    const sorted = [...runs].sort((a, b) => a.perSecond - b.perSecond)
    return {
      engine,
      workers,
      how: describeWorkers(engine, workers),
      deliveries: DELIVERIES,
      perSecond: sorted[(sorted.length - 1) >> 1]?.perSecond ?? Number.NaN,
      runs,
    }
  })
}

/** A forked worker process: one Worker on the schema, started by "go"; answers its job count. */
async function workerProcess(name: string): Promise<void> {
  const schema = process.env['FAXD_QUEUE_BENCH_SCHEMA']
  const send = process.send?.bind(process)
  if (schema === undefined || send === undefined) {
    throw new Error('a queue bench worker runs forked by the bench, with FAXD_QUEUE_BENCH_SCHEMA')
  }
  const db = openPostgresDatabase({ url: DATABASE_URL, searchPath: schema })
  const store = createSqlStore(db, 'postgres')
  try {
    await db.selectFrom('jobs').select('id').limit(1).execute()
    const go = new Promise<void>((resolve) => {
      process.once('message', () => resolve())
    })
    send('ready')
    await go
    const ran = await noopWorker(store.jobs, name).drain()
    await new Promise<void>((resolve, reject) => {
      send(ran, (error: Error | null) => (error ? reject(error) : resolve()))
    })
  } finally {
    await store.close()
  }
  process.disconnect()
}

const ENGINE_NAMES: Readonly<Record<Engine, string>> = { sqlite: 'SQLite', postgres: 'PostgreSQL' }

function ms(value: number): string {
  return value.toFixed(2)
}

function latencyTable(results: readonly LatencyResult[]): string {
  const rows = results.map((r) => {
    const reference = results.find((x) => x.engine === r.engine && x.jobs === SIZES[0]) ?? r
    const times = (get: (x: LatencyResult) => number): string =>
      (get(r) / get(reference)).toFixed(2)
    return (
      `| ${ENGINE_NAMES[r.engine]} | ${r.jobs.toLocaleString('en')} | ${r.due.toLocaleString('en')} | ` +
      `${r.fillSeconds.toFixed(1)} | ${r.usesIndex ? 'yes' : 'NO'} | ` +
      `${ms(r.store.p50Ms)} | ${ms(r.store.p99Ms)} | ${times((x) => x.store.p50Ms)} | ${times((x) => x.store.p99Ms)} | ` +
      `${ms(r.statement.p50Ms)} | ${ms(r.statement.p99Ms)} | ${times((x) => x.statement.p50Ms)} | ${times((x) => x.statement.p99Ms)} |`
    )
  })
  return [
    '| engine | jobs | due | fill s | index walk | claim p50 ms | claim p99 ms | p50 × 1,000 | p99 × 1,000 | statement p50 ms | statement p99 ms | p50 × 1,000 | p99 × 1,000 |',
    '| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n')
}

function throughputTable(results: readonly ThroughputResult[]): string {
  const rows = results.map((r) => {
    const reference = results.find((x) => x.engine === r.engine && x.workers === 1) ?? r
    const median = r.runs.find((run) => run.perSecond === r.perSecond)
    return (
      `| ${ENGINE_NAMES[r.engine]} | ${r.how} | ${r.deliveries.toLocaleString('en')} | ` +
      `${Math.round(r.perSecond).toLocaleString('en')} | ` +
      `${r.runs.map((run) => Math.round(run.perSecond)).join(' / ')} | ` +
      `${(r.perSecond / reference.perSecond).toFixed(2)} | ${median?.split.join(' / ') ?? ''} |`
    )
  })
  return [
    '| engine | workers | deliveries | jobs/s (median) | jobs/s, runs | × 1 worker | jobs per worker (median run) |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
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
      `Job queue benchmark, ${startedAt.toISOString()}`,
      `- CPU: ${machine.cpu}, ${machine.cores} cores`,
      `- ${machine.os}, Node ${machine.node}`,
      `- PostgreSQL ${machine.postgres}; SQLite ${machine.sqlite} on ${machine.sqliteFileSystem}`,
      `- 1-minute load average before the run: ${machine.loadAverageAtStart.toFixed(2)}`,
      `- ${CLAIMS} measured claims per case after ${BLOCK}; ${DELIVERIES} deliveries per drain, ${ROUNDS} rounds`,
      '',
    ].join('\n'),
  )
  console.log('Claim latency:')
  const latencies: LatencyResult[] = []
  for (const engine of ENGINES) {
    latencies.push(...(await latency(engine)))
  }
  console.log('Deliveries per second:')
  const throughputResults = await throughputs()
  const loadAverageAtEnd = loadavg()[0] ?? 0
  const seconds = (Date.now() - startedAt.getTime()) / 1000
  console.log(`\n${latencyTable(latencies)}\n\n${throughputTable(throughputResults)}\n`)
  console.log(
    `1-minute load average at the end: ${loadAverageAtEnd.toFixed(2)}; the run took ${seconds.toFixed(0)} s`,
  )
  for (const r of latencies) {
    if (!r.usesIndex) {
      console.log(
        `WARNING: ${r.engine}, ${r.jobs} jobs: the claim does not walk the index: ${r.plan}`,
      )
    }
  }
  await mkdir('.bench', { recursive: true })
  await writeFile(
    OUTPUT,
    `${JSON.stringify(
      {
        date: startedAt.toISOString(),
        machine: { ...machine, loadAverageAtEnd },
        settings: { claims: CLAIMS, warmupClaims: BLOCK, deliveries: DELIVERIES, rounds: ROUNDS },
        latency: latencies,
        throughput: throughputResults,
      },
      null,
      2,
    )}\n`,
  )
  console.log(`written to ${OUTPUT}`)
}

if (WORKER_NAME === undefined) {
  await main()
} else {
  await workerProcess(WORKER_NAME)
}
