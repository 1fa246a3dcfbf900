/**
 * Workers that scale (`npm run bench:scale`): how many deliveries per second 1, 2, 4 and 8
 * `faxd worker` processes get through on one PostgreSQL, with a million due jobs queued, and what
 * a claim costs meanwhile.
 *
 * - Setup, not timed: a schema `bench_scale_<hex>` with FAXD_FILE_STORE=postgres (the files in
 *   the database, as on several machines). An account with a number sends one fax of a one-page
 *   text to the test number +15555550100 through the sendFax use case; faxd's renderer makes its
 *   page. That entry is the template: BENCH_SCALE_JOBS (1,000,000) copies of it, each with its
 *   delivery and its send-fax job due now, are written by INSERT … SELECT over generate_series,
 *   sharing the template's rendered document.
 * - Per case, N worker processes (`bin/faxd.js worker`, each with an empty data folder of its
 *   own, BENCH_SCALE_CALLS (100) call slots each) run the real send path: claim, beginCall, the
 *   simulated carrier, which reads the page from the shared store and takes the time the
 *   line-rate model gives a call of that page (docs/test-numbers.md), scaled by
 *   BENCH_SCALE_TIME_SCALE (0.1), then endCall and complete. After a warm-up of 5 s, the
 *   deliveries made in BENCH_SCALE_WINDOW_S (20) seconds are counted (fax records written).
 * - Meanwhile a probe claims as a worker would, every 25 ms on a connection of its own: the
 *   claim statement for send-fax jobs, in a transaction then rolled back, timed alone (p50 and
 *   p99); and the calls in progress are counted every half second.
 * - The CPU time of the whole machine over the window (/proc/stat: every process, PostgreSQL's
 *   included), per delivery: a figure for comparing two versions of faxd that depends less on
 *   how much CPU this VM is given at the time than the rate does.
 * - "Channels" is the mean number of calls in progress; "channels at real time" is what the
 *   same deliveries per second need with calls of their real length (the mean attempt duration
 *   the records keep, divided by the time scale): deliveries/s × that length.
 *
 * Prints the machine and a markdown table; writes JSON to .bench/scale.json.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { readConfig } from '../src/config.js'
import { renderFaxJob } from '../src/jobs/render-fax-job.js'
import { Worker } from '../src/jobs/worker.js'
import { openServices, WORKER_IDLE_MS } from '../src/main.js'
import { openPostgresDatabase } from '../src/storage/sql/postgres-database.js'
import { claimQuery } from '../src/storage/sql/sql-job-queue.js'
import { sendFax } from '../src/use-cases/send-fax.js'
import { aBenchSender } from './bench-sender.js'
import { adminStatement, DATABASE_URL } from './postgres-admin.js'

const JOBS = Number(process.env['BENCH_SCALE_JOBS'] ?? 1_000_000)
const WORKER_COUNTS = (process.env['BENCH_SCALE_WORKERS'] ?? '1,2,4,8').split(',').map(Number)
const CALLS = Number(process.env['BENCH_SCALE_CALLS'] ?? 100)
const TIME_SCALE = process.env['BENCH_SCALE_TIME_SCALE'] ?? '0.1'
const WINDOW_MS = Number(process.env['BENCH_SCALE_WINDOW_S'] ?? 20) * 1000
const WARM_UP_MS = 5_000
const PROBE_EVERY_MS = 25
const FILL_CHUNK = 100_000
const SENDER_NUMBER = '+15555550150'
const TEST_NUMBER = '+15555550100'
const BIN = join(import.meta.dirname, '..', 'bin', 'faxd.js')
const DOCUMENT = 'A one-page letter for the scale bench.\n'.repeat(30)

interface CaseResult {
  readonly workers: number
  readonly deliveriesPerSecond: number
  readonly timesOneWorker: number
  readonly channels: number
  readonly channelsAtRealTime: number
  readonly claimP50Ms: number
  readonly claimP99Ms: number
  /**
   * CPU time the whole machine spent per delivery in the window (every process: the workers,
   * PostgreSQL, this bench), from /proc/stat: steadier from run to run than the rate, which
   * follows how much CPU this VM is given.
   */
  readonly cpuMsPerDelivery: number
  readonly claims: number
  readonly dueJobsAtEnd: number
}

function urlWithSchema(schema: string): string {
  const url = new URL(DATABASE_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return url.toString()
}

/** Nearest-rank percentile of sorted times. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN
}

async function main(): Promise<void> {
  const schema = `bench_scale_${randomBytes(6).toString('hex')}`
  const folders = await mkdtemp(join(tmpdir(), 'faxd-scale-bench-'))
  await adminStatement(`CREATE SCHEMA ${schema}`)
  const env: Record<string, string> = {
    DATABASE_URL: urlWithSchema(schema),
    FAXD_FILE_STORE: 'postgres',
    FAXD_SIMULATED_TIME_SCALE: TIME_SCALE,
    FAXD_CALLS_PER_DESTINATION: '1000',
    FAXD_CALLS_PER_SENDING_NUMBER: '1000',
    FAXD_WORKER_CALLS: String(CALLS),
    FAXD_SOFFICE: 'none',
    LOG_LEVEL: 'warn',
  }
  const client = new pg.Client({ connectionString: urlWithSchema(schema) })
  await client.connect()
  const raw = openPostgresDatabase({ url: DATABASE_URL, searchPath: schema })
  const started = Date.now()
  const load = loadavg()[0] ?? 0
  try {
    await prepareTemplate({ ...env, FAXD_DATA: join(folders, 'setup') })
    await fill(client)
    const results: CaseResult[] = []
    for (const workers of WORKER_COUNTS) {
      const result = await runCase(schema, workers, env, folders, client, raw, results[0])
      results.push(result)
      console.error(
        `${workers} worker(s): ${result.deliveriesPerSecond.toFixed(1)} deliveries/s, ` +
          `${result.channels.toFixed(0)} calls in progress, claim p50 ${result.claimP50Ms.toFixed(2)} ms ` +
          `p99 ${result.claimP99Ms.toFixed(2)} ms, ${result.cpuMsPerDelivery.toFixed(2)} CPU ms per delivery`,
      )
    }
    await report(results, load, Date.now() - started)
  } finally {
    await client.end()
    await raw.destroy()
    await adminStatement(`DROP SCHEMA ${schema} CASCADE`)
    await rm(folders, { recursive: true, force: true })
  }
}

/** One fax sent and rendered through faxd's own use cases: the template of the million. */
async function prepareTemplate(env: Record<string, string>): Promise<void> {
  const config = readConfig(env)
  const services = await openServices(config)
  try {
    const { actor, filePath } = await aBenchSender(services, {
      email: 'scale.bench@example.test',
      number: SENDER_NUMBER,
      text: DOCUMENT,
    })
    await sendFax(services, actor, {
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
      sendTime: '2099-01-01 00:00:00 +0000',
      returnIds: false,
      resolution: 'fine',
      coverPage: null,
    })
    const renders = new Worker(
      services.store.jobs,
      services.clock,
      { 'render-fax': renderFaxJob(services) },
      { name: 'scale-bench-setup', leaseMs: 600_000, idleMs: WORKER_IDLE_MS },
    )
    if ((await renders.drain()) !== 1) {
      throw new Error('the template fax was not rendered')
    }
  } finally {
    await services.store.close()
  }
}

/** JOBS copies of the template entry, each with its delivery and its send-fax job due now. */
async function fill(client: pg.Client): Promise<void> {
  const columns = async (table: string): Promise<string[]> => {
    const { rows } = await client.query<{ column_name: string }>(
      `select column_name from information_schema.columns
       where table_schema = current_schema() and table_name = $1 order by ordinal_position`,
      [table],
    )
    return rows.map((row) => row.column_name)
  }
  const template = await client.query<{ entry: string; delivery: string }>(
    `select e.id as entry, d.id as delivery from outbox_entries e join deliveries d on d.outbox_id = e.id
     where e.status = 'scheduled_for_sending' and e.page_count = 1`,
  )
  const { entry, delivery } = template.rows[0] ?? {}
  if (entry === undefined || delivery === undefined || template.rows.length !== 1) {
    throw new Error(`no single rendered template entry (${template.rows.length})`)
  }
  const id = (prefix: string): string => `'${prefix}' || lpad(to_hex(g), 23, '0')`
  const copy = async (
    table: string,
    where: string,
    replaced: Record<string, string>,
    from: number,
    to: number,
  ): Promise<void> => {
    const names = await columns(table)
    const values = names.map((name) => replaced[name] ?? `t.${name}`)
    await client.query(
      `insert into ${table} (${names.join(', ')})
       select ${values.join(', ')} from ${table} t, generate_series($1::int, $2::int) g where ${where}`,
      [from, to],
    )
  }
  const nowMs = Date.now()
  const t0 = Date.now()
  for (let from = 1; from <= JOBS; from += FILL_CHUNK) {
    const to = Math.min(JOBS, from + FILL_CHUNK - 1)
    await client.query('begin')
    await copy('outbox_entries', `t.id = '${entry}'`, { id: id('e') }, from, to)
    await copy('deliveries', `t.id = '${delivery}'`, { id: id('d'), outbox_id: id('e') }, from, to)
    const jobColumns = await columns('jobs')
    const jobValues: Record<string, string> = {
      id: id('j'),
      kind: `'send-fax'`,
      payload: `'{"deliveryId":"' || ${id('d')} || '"}'`,
      run_at: String(nowMs),
      locked_until: 'null',
      locked_by: 'null',
      attempts: '0',
      created_at: String(nowMs),
      outbox_id: id('e'),
      delivery_id: id('d'),
      waiting_for: 'null',
    }
    await client.query(
      `insert into jobs (${jobColumns.join(', ')})
       select ${jobColumns.map((name) => jobValues[name] ?? 'null').join(', ')} from generate_series($1::int, $2::int) g`,
      [from, to],
    )
    await client.query('commit')
    console.error(`filled ${to} of ${JOBS} (${((Date.now() - t0) / 1000).toFixed(0)} s)`)
  }
  await client.query('analyze')
  const due = await dueJobs(client)
  if (due < JOBS) {
    throw new Error(`${due} due send-fax jobs after the fill, not ${JOBS}`)
  }
}

async function dueJobs(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ count: string }>(
    `select count(*) from jobs where kind = 'send-fax' and run_at <= $1 and locked_by is null`,
    [Date.now()],
  )
  return Number(rows[0]?.count ?? 0)
}

async function count(client: pg.Client, sql: string): Promise<number> {
  const { rows } = await client.query<{ count: string }>(sql)
  return Number(rows[0]?.count ?? 0)
}

async function runCase(
  schema: string,
  workers: number,
  env: Record<string, string>,
  folders: string,
  client: pg.Client,
  raw: ReturnType<typeof openPostgresDatabase>,
  one: CaseResult | undefined,
): Promise<CaseResult> {
  const children: ChildProcess[] = []
  for (let index = 0; index < workers; index++) {
    const folder = join(folders, `w${workers}-${index}`)
    await mkdir(folder, { recursive: true })
    children.push(
      spawn(process.execPath, [BIN, 'worker'], {
        env: { ...process.env, ...env, FAXD_DATA: folder },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    )
  }
  const probe = new pg.Client({ connectionString: DATABASE_URL })
  await probe.connect()
  await probe.query(`set search_path = ${schema}`)
  try {
    await sleep(WARM_UP_MS)
    const claims: number[] = []
    const channels: number[] = []
    const before = await count(client, 'select count(*) from faxes')
    const cpuBefore = await busyCpuMs()
    const windowStart = performance.now()
    const until = windowStart + WINDOW_MS
    const probing = (async () => {
      while (performance.now() < until) {
        const query = claimQuery(raw, 'postgres', {
          kinds: ['send-fax'],
          worker: 'scale-bench-probe',
          leaseMs: 60_000,
          nowMs: Date.now(),
        }).compile()
        await probe.query('begin')
        const t = performance.now()
        await probe.query(query.sql, [...query.parameters])
        claims.push(performance.now() - t)
        await probe.query('rollback')
        await sleep(PROBE_EVERY_MS)
      }
    })()
    while (performance.now() < until) {
      channels.push(await count(client, 'select count(*) from deliveries where calling = 1'))
      await sleep(500)
    }
    await probing
    const elapsed = performance.now() - windowStart
    const after = await count(client, 'select count(*) from faxes')
    const cpuMs = (await busyCpuMs()) - cpuBefore
    const { rows } = await client.query<{ mean: string | null }>(
      'select avg(ended_at - started_at) as mean from fax_attempts',
    )
    const callMs = Number(rows[0]?.mean ?? 0)
    const deliveriesPerSecond = ((after - before) * 1000) / elapsed
    claims.sort((a, b) => a - b)
    return {
      workers,
      deliveriesPerSecond,
      timesOneWorker: one === undefined ? 1 : deliveriesPerSecond / one.deliveriesPerSecond,
      channels: channels.reduce((sum, each) => sum + each, 0) / Math.max(1, channels.length),
      // The records keep the scaled length: at time scale 1 a call lasts callMs / TIME_SCALE.
      channelsAtRealTime: (deliveriesPerSecond * callMs) / Number(TIME_SCALE) / 1000,
      claimP50Ms: percentile(claims, 0.5),
      claimP99Ms: percentile(claims, 0.99),
      cpuMsPerDelivery: cpuMs / Math.max(1, after - before),
      claims: claims.length,
      dueJobsAtEnd: await dueJobs(client),
    }
  } finally {
    await probe.end()
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = once(child, 'exit')
          child.kill('SIGTERM')
          await exited
        }
      }),
    )
  }
}

/** CPU time spent by the whole machine since boot (all cores, idle and I/O wait left out), in ms. */
async function busyCpuMs(): Promise<number> {
  const stat = await readFile('/proc/stat', 'utf8')
  const fields = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal …
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields
  const ticksPerSecond = 100 // USER_HZ on Linux
  return ((user + nice + system + irq + softirq) * 1000) / ticksPerSecond
}

async function report(results: readonly CaseResult[], load: number, tookMs: number): Promise<void> {
  const machine =
    `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}; ` +
    `load average ${load.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after; ${(tookMs / 1000).toFixed(0)} s`
  const lines = [
    `${JOBS.toLocaleString('en')} due send-fax jobs at the start; ${CALLS} call slots per worker; time scale ${TIME_SCALE}; ${WINDOW_MS / 1000} s per case`,
    machine,
    '',
    '| workers | deliveries/s | × 1 worker | channels (calls in progress) | channels at real time | claim p50 ms | claim p99 ms | CPU ms per delivery | claims probed | due jobs left |',
    '| ------: | -----------: | ---------: | ---------------------------: | --------------------: | -----------: | -----------: | ------------------: | ------------: | ------------: |',
    ...results.map(
      (r) =>
        `| ${r.workers} | ${r.deliveriesPerSecond.toFixed(1)} | ${r.timesOneWorker.toFixed(2)} | ${r.channels.toFixed(0)} | ${r.channelsAtRealTime.toFixed(0)} | ${r.claimP50Ms.toFixed(2)} | ${r.claimP99Ms.toFixed(2)} | ${r.cpuMsPerDelivery.toFixed(2)} | ${r.claims} | ${r.dueJobsAtEnd.toLocaleString('en')} |`,
    ),
  ]
  console.log(lines.join('\n'))
  await mkdir('.bench', { recursive: true })
  await writeFile(
    join('.bench', 'scale.json'),
    JSON.stringify({ jobs: JOBS, calls: CALLS, timeScale: TIME_SCALE, machine, results }, null, 2),
  )
}

await main()
