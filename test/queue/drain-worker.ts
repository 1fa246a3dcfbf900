/**
 * One of the worker processes of multi-process-drain.test.ts (not a test itself): opens the job
 * queue on the PostgreSQL schema DRAIN_SCHEMA at FAXD_TEST_DATABASE_URL, tells its parent it is
 * ready, waits for "go", then claims and completes `deliver-webhook` jobs as worker DRAIN_WORKER
 * until nothing is claimable. It writes every claimed id, one a line, to DRAIN_OUTPUT and answers
 * the parent with its counts. Run as `node --import tsx test/queue/drain-worker.ts`, with IPC.
 */
import { writeFile } from 'node:fs/promises'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Database } from '../../src/storage/sql/schema.js'
import { createSqlStore } from '../../src/storage/sql/sql-store.js'

export interface DrainReport {
  readonly worker: string
  readonly claimed: number
  /** complete() answered false: the lease was lost, which must not happen here. */
  readonly notCompleted: number
  /** Claims that were not the job's first (attempts > 1). */
  readonly reclaimed: number
}

function required(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set`)
  }
  return value
}

async function main(): Promise<void> {
  const url = required('FAXD_TEST_DATABASE_URL')
  const schema = required('DRAIN_SCHEMA')
  const worker = required('DRAIN_WORKER')
  const output = required('DRAIN_OUTPUT')
  const send = process.send?.bind(process)
  if (send === undefined) {
    throw new Error('drain-worker.ts runs as a forked child, with an IPC channel')
  }
  // No migration: the parent's store has made the schema; the store here only uses it. The pool
  // is openPostgresDatabase's (int8 as numbers, the schema as search_path) with one connection
  // and synchronous_commit off: a commit is answered before its WAL reaches the disk, which
  // changes nothing about locking or visibility (what the test checks) and spares the test an
  // fsync per claim and per completion on a shared two-core machine.
  const types = new pg.TypeOverrides()
  types.setTypeParser(pg.types.builtins.INT8, Number)
  const pool = new pg.Pool({
    connectionString: url,
    types,
    max: 1,
    options: `-c search_path=${schema} -c synchronous_commit=off`,
  })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const store = createSqlStore(db, 'postgres')
  try {
    // Opens the pool's first connection before the start, so every process starts equal.
    await db.selectFrom('jobs').select('id').limit(1).execute()
    const go = new Promise<void>((resolve) => {
      process.once('message', () => resolve())
    })
    send('ready')
    await go

    const ids: string[] = []
    let notCompleted = 0
    let reclaimed = 0
    for (;;) {
      const job = await store.jobs.claim({
        kinds: ['deliver-webhook'],
        worker,
        leaseMs: 10 * 60_000,
        nowMs: Date.now(),
      })
      if (job === null) {
        break
      }
      ids.push(job.id)
      if (job.attempts !== 1) {
        reclaimed++
      }
      if (!(await store.jobs.complete(job.id, worker))) {
        notCompleted++
      }
    }
    await writeFile(output, ids.length === 0 ? '' : `${ids.join('\n')}\n`)
    const report: DrainReport = { worker, claimed: ids.length, notCompleted, reclaimed }
    await new Promise<void>((resolve, reject) => {
      send(report, (error: Error | null) => (error ? reject(error) : resolve()))
    })
  } finally {
    await store.close()
  }
  process.disconnect()
}

await main()
