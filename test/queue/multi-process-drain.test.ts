/**
 * The queue under real concurrency: on PostgreSQL, four worker processes (drain-worker.ts, each a
 * Node process with its own connection pool) drain instant simulated deliveries
 * (`deliver-webhook` jobs that are due, claimed and completed at once), and no job is claimed
 * twice: every id was claimed exactly once across the four, nothing is left in `jobs`, and each
 * process got a share of the work (FOR UPDATE SKIP LOCKED lets them pass each other instead of
 * queueing on one row). 5,000 jobs in `npm test`, 100,000 in `npm run test:stress`; DRAIN_JOBS
 * sets another number (test/support/stress-size.ts).
 */
import assert from 'node:assert/strict'
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { sql } from 'kysely'
import { siblingScript } from '../support/sibling-script.js'
import { printStressSizes, stressSize } from '../support/stress-size.js'
import { openTestStore, TEST_DATABASE_URL } from '../support/test-database.js'
import type { DrainReport } from './drain-worker.js'

const JOBS = stressSize('drainJobs')
const PROCESSES = 4
const WORKER_SCRIPT = siblingScript(import.meta.url, 'drain-worker')

/** The id of the i-th job: the same width for every i, so text order is number order. */
function jobId(index: number): string {
  return `drain${String(index).padStart(19, '0')}`
}

interface RunningWorker {
  readonly child: ChildProcess
  readonly name: string
  readonly output: string
  readonly ready: Promise<void>
  readonly report: Promise<DrainReport>
  readonly exited: Promise<{ code: number | null; stderr: string }>
}

function startWorker(name: string, schema: string, folder: string): RunningWorker {
  const output = join(folder, `${name}.txt`)
  const child = fork(WORKER_SCRIPT.path, [], {
    execArgv: [...WORKER_SCRIPT.execArgv],
    env: {
      ...process.env,
      FAXD_TEST_DATABASE_URL: TEST_DATABASE_URL,
      DRAIN_SCHEMA: schema,
      DRAIN_WORKER: name,
      DRAIN_OUTPUT: output,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk
  })
  child.stdout?.resume()
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.once('exit', (code) => resolve({ code, stderr }))
  })
  const failed = (what: string) => async (): Promise<never> => {
    const { code, stderr: text } = await exited
    throw new Error(`${name} exited (${code}) before ${what}:\n${text}`)
  }
  const ready = Promise.race([
    new Promise<void>((resolve) => {
      child.once('message', () => resolve())
    }),
    exited.then(failed('it was ready')),
  ])
  const report = ready.then(() =>
    Promise.race([
      new Promise<DrainReport>((resolve) => {
        child.once('message', (message) => resolve(message as DrainReport))
      }),
      exited.then(failed('it reported')),
    ]),
  )
  return { child, name, output, ready, report, exited }
}

test(
  `on PostgreSQL, ${PROCESSES} worker processes drain ${JOBS.toLocaleString('en')} instant simulated deliveries with zero double claims`,
  { timeout: 600_000 },
  async (t) => {
    const started = performance.now()
    printStressSizes(t, ['drainJobs'])
    const testStore = await openTestStore('postgres')
    t.after(() => testStore.cleanup())
    const folder = await mkdtemp(join(tmpdir(), 'faxd-drain-'))
    t.after(() => rm(folder, { recursive: true, force: true }))
    const db = testStore.database()
    const current = await sql<{ schema: string }>`select current_schema() as schema`.execute(db)
    const schema = current.rows[0]?.schema ?? ''
    assert.match(schema, /^t_[0-9a-f]+$/, "the test store's schema")

    const nowMs = Date.now()
    await sql`
      insert into jobs (id, kind, payload, run_at, locked_until, locked_by, attempts, created_at, outbox_id)
      select 'drain' || lpad(g::text, 19, '0'), 'deliver-webhook', '{"deliveryId":"' || g || '"}',
        cast(${nowMs - JOBS} as bigint) + g, null, null, 0, cast(${nowMs} as bigint), null
      from generate_series(0, ${JOBS - 1}) as g
    `.execute(db)
    await sql`analyze jobs`.execute(db)
    const enqueuedMs = performance.now()

    const workers = Array.from({ length: PROCESSES }, (_, i) =>
      startWorker(`drain-${i + 1}`, schema, folder),
    )
    t.after(() => {
      for (const worker of workers) {
        if (worker.child.exitCode === null && worker.child.signalCode === null) {
          worker.child.kill()
        }
      }
    })
    await Promise.all(workers.map((worker) => worker.ready))
    const goMs = performance.now()
    for (const worker of workers) {
      worker.child.send('go')
    }
    const reports = await Promise.all(workers.map((worker) => worker.report))
    const drainedMs = performance.now()
    for (const worker of workers) {
      const { code, stderr } = await worker.exited
      assert.equal(code, 0, `${worker.name} exited with ${code}:\n${stderr}`)
    }

    const claims = new Map<string, number>()
    for (const worker of workers) {
      const ids = (await readFile(worker.output, 'utf8')).split('\n').filter((id) => id !== '')
      for (const id of ids) {
        claims.set(id, (claims.get(id) ?? 0) + 1)
      }
    }
    const totalClaims = reports.reduce((sum, report) => sum + report.claimed, 0)
    const doubles = [...claims].filter(([, count]) => count > 1)
    const missing: string[] = []
    for (let i = 0; i < JOBS; i++) {
      if (!claims.has(jobId(i))) {
        missing.push(jobId(i))
      }
    }
    const left = await db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow()

    t.diagnostic(`claims per process: ${reports.map((r) => `${r.worker} ${r.claimed}`).join(', ')}`)
    t.diagnostic(
      `enqueue ${((enqueuedMs - started) / 1000).toFixed(1)} s, drain ` +
        `${((drainedMs - goMs) / 1000).toFixed(1)} s ` +
        `(${Math.round(JOBS / ((drainedMs - goMs) / 1000))} jobs/s), whole test ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    )
    assert.deepEqual(doubles.slice(0, 10), [], `${doubles.length} jobs claimed more than once`)
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} jobs never claimed`)
    assert.equal(claims.size, JOBS)
    assert.equal(totalClaims, JOBS)
    assert.equal(Number(left.count), 0, 'jobs left in the table')
    for (const report of reports) {
      assert.ok(report.claimed > 0, `${report.worker} claimed no job`)
      assert.equal(report.notCompleted, 0, `${report.worker} lost leases`)
      assert.equal(report.reclaimed, 0, `${report.worker} saw jobs claimed before`)
    }
  },
)
