/**
 * The API's hot routes under load (`npm run bench`): autocannon on a worker thread drives real
 * HTTP servers on 127.0.0.1 for BENCH_SECONDS each (default 10, after a 2 s warm-up): a bare
 * route that only validates the PayloadOutbox schema (the reference, 1.0), then on SQLite and
 * on PostgreSQL, both as faxd's app in this process and as a whole `faxd serve` process with its
 * request logging: sendFax with 1 and 100 destinations, GET …/outbox/{id} and GET …/faxes (a
 * page of 50 of the sender's 200 records). Then single requests with 4000 destinations, one at
 * a time, on each engine. Prints markdown tables and writes them as JSON to
 * .bench/send-fax.json. See docs/benchmarks.md.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import autocannon from 'autocannon'
import {
  type Engine,
  type FaxdServer,
  type Machine,
  type RunningServer,
  SENDER_NUMBER,
  describeMachine,
  startBareRoute,
  startFaxd,
  startFaxdProcess,
} from './bench-servers.js'

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10)
const WARMUP_SECONDS = 2
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32)
const BULK_DESTINATIONS = 4000
const BULK_RUNS = Number(process.env['BENCH_BULK_RUNS'] ?? 20)
const BULK_TARGET_MS = 1000
const ENGINES: readonly Engine[] = ['sqlite', 'postgres']
const OUTPUT = '.bench/send-fax.json'

/** What one load case asks, over and over. */
type Route = 'sendFax' | 'getOutboxEntry' | 'listFaxes'

interface LoadResult {
  readonly name: string
  readonly engine: Engine | null
  /** `app` in this process, `process` a faxd serve of its own; null for the bare route. */
  readonly server: 'app' | 'process' | null
  readonly route: Route
  /** sendFax only. */
  readonly destinations: number | null
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** requests/s over the bare route's requests/s in this run. */
  readonly ratioToBare: number
  readonly requests: number
  readonly non2xx: number
  readonly errors: number
  /** Outbox entries stored during the measured load (faxd cases); equals the 2xx answers. */
  readonly entriesStored: number | null
}

interface BulkResult {
  readonly engine: Engine
  readonly destinations: number
  readonly runs: number
  readonly medianMs: number
  readonly maxMs: number
  readonly minMs: number
  readonly underTarget: boolean
}

/** `count` distinct destinations, the same on every call. */
function destinations(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `+1555${String(1_000_000 + i)}`)
}

function sendFaxBody(filePath: string, count: number): string {
  return JSON.stringify({ from: SENDER_NUMBER, to: destinations(count), files: [filePath] })
}

interface Request {
  readonly path: string
  readonly method: 'GET' | 'POST'
  readonly body?: string
}

function requestFor(route: Route, faxd: FaxdServer | null, destinationCount: number): Request {
  switch (route) {
    case 'sendFax':
      return {
        path: '/v3/accounts/self/outbox',
        method: 'POST',
        body: sendFaxBody(faxd?.filePath ?? '/transient-bench', destinationCount),
      }
    case 'getOutboxEntry':
      return { path: `/v3/accounts/self/outbox/${faxd?.outboxEntryId ?? ''}`, method: 'GET' }
    case 'listFaxes':
      return { path: '/v3/accounts/self/faxes', method: 'GET' }
  }
}

async function load(
  origin: string,
  token: string,
  request: Request,
  seconds: number,
): Promise<autocannon.Result> {
  return autocannon({
    url: `${origin}${request.path}`,
    method: request.method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(request.body === undefined ? {} : { body: request.body }),
    connections: CONNECTIONS,
    duration: seconds,
    // The load comes from another thread (another core), not from the server's event loop.
    workers: 1,
  })
}

/** Lets the requests still in flight when a load stops finish. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000))
}

async function measure(
  name: string,
  server: RunningServer,
  faxd: FaxdServer | null,
  route: Route,
  destinationCount: number,
  bareRps: number | null,
): Promise<LoadResult> {
  const token = faxd?.token ?? 'bare'
  const request = requestFor(route, faxd, destinationCount)
  process.stdout.write(`  ${name}: warm-up ${WARMUP_SECONDS} s, then ${SECONDS} s … `)
  await load(server.origin, token, request, WARMUP_SECONDS)
  await settle()
  const before = faxd ? (await faxd.countRows()).entries : 0
  const result = await load(server.origin, token, request, SECONDS)
  await settle()
  const entriesStored =
    faxd && route === 'sendFax' ? (await faxd.countRows()).entries - before : null
  const rps = result.requests.average
  console.log(`${Math.round(rps)} req/s`)
  return {
    name,
    engine: faxd?.engine ?? null,
    server: faxd?.kind ?? null,
    route,
    destinations: route === 'sendFax' ? destinationCount : null,
    requestsPerSecond: rps,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ratioToBare: bareRps === null ? 1 : rps / bareRps,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    entriesStored,
  }
}

/** One request at a time, each with 4000 destinations; wall time seen by the client. */
async function bulk(engine: Engine): Promise<BulkResult> {
  const server = await startFaxd(engine)
  try {
    const body = sendFaxBody(server.filePath, BULK_DESTINATIONS)
    const send = async (): Promise<number> => {
      const started = performance.now()
      const response = await fetch(`${server.origin}/v3/accounts/self/outbox`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        body,
      })
      const text = await response.text()
      const ms = performance.now() - started
      if (response.status !== 201) {
        throw new Error(`4000 destinations on ${engine}: ${response.status} ${text.slice(0, 200)}`)
      }
      return ms
    }
    const before = (await server.countRows()).deliveries
    await send()
    await send()
    const times: number[] = []
    for (let i = 0; i < BULK_RUNS; i += 1) {
      times.push(await send())
    }
    const deliveries = (await server.countRows()).deliveries - before
    if (deliveries !== (BULK_RUNS + 2) * BULK_DESTINATIONS) {
      throw new Error(`4000 destinations on ${engine}: ${deliveries} deliveries stored`)
    }
    times.sort((a, b) => a - b)
    const median = ((times[(times.length - 1) >> 1] ?? 0) + (times[times.length >> 1] ?? 0)) / 2
    const max = times[times.length - 1] ?? 0
    console.log(
      `  ${engine}: 4000 destinations, median ${median.toFixed(0)} ms, max ${max.toFixed(0)} ms`,
    )
    return {
      engine,
      destinations: BULK_DESTINATIONS,
      runs: BULK_RUNS,
      medianMs: median,
      maxMs: max,
      minMs: times[0] ?? 0,
      underTarget: max < BULK_TARGET_MS,
    }
  } finally {
    await server.close()
  }
}

function loadTable(results: readonly LoadResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.engine ?? '–'} | ${r.server ?? '–'} | ${r.destinations ?? '–'} | ${Math.round(r.requestsPerSecond).toLocaleString('en')} | ` +
      `${r.p50Ms} | ${r.p99Ms} | ${r.ratioToBare.toFixed(3)} | ${r.non2xx + r.errors} |`,
  )
  return [
    '| case | engine | server | destinations | req/s | p50 ms | p99 ms | × bare | non-2xx + errors |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n')
}

function bulkTable(results: readonly BulkResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.engine} | ${r.destinations} | ${r.runs} | ${r.medianMs.toFixed(0)} | ${r.maxMs.toFixed(0)} | ` +
      `${r.underTarget ? 'yes' : 'NO'} |`,
  )
  return [
    `| engine | destinations | runs | median ms | max ms | max < ${BULK_TARGET_MS} ms |`,
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...rows,
  ].join('\n')
}

function machineLines(machine: Machine): string {
  return [
    `- CPU: ${machine.cpu}, ${machine.cores} cores`,
    `- ${machine.os}, Node ${machine.node}`,
    `- PostgreSQL ${machine.postgres}; SQLite ${machine.sqlite} on ${machine.sqliteFileSystem}`,
    `- 1-minute load average before the run: ${machine.loadAverageAtStart.toFixed(2)}`,
    `- autocannon: ${CONNECTIONS} connections on 1 worker thread, ${SECONDS} s per case after ${WARMUP_SECONDS} s of warm-up`,
  ].join('\n')
}

async function main(): Promise<void> {
  const machine = await describeMachine()
  console.log(`sendFax benchmark, ${new Date().toISOString()}\n${machineLines(machine)}\n`)

  const results: LoadResult[] = []
  const bare = await startBareRoute()
  try {
    results.push(await measure('bare route (validation only)', bare, null, 'sendFax', 1, null))
  } finally {
    await bare.close()
  }
  const bareRps = results[0]?.requestsPerSecond ?? 1
  const cases: readonly { name: string; route: Route; destinations: number }[] = [
    { name: 'sendFax, 1 destination', route: 'sendFax', destinations: 1 },
    { name: 'sendFax, 100 destinations', route: 'sendFax', destinations: 100 },
    { name: 'GET outbox entry', route: 'getOutboxEntry', destinations: 0 },
    { name: 'GET faxes (50 of 200)', route: 'listFaxes', destinations: 0 },
  ]
  for (const engine of ENGINES) {
    for (const start of [startFaxd, startFaxdProcess]) {
      for (const { name, route, destinations: count } of cases) {
        // A fresh server for each case: what one case stored does not weigh on the next.
        const server = await start(engine)
        try {
          results.push(
            await measure(`${name} (${server.kind})`, server, server, route, count, bareRps),
          )
        } finally {
          await server.close()
        }
      }
    }
  }
  const bulkResults: BulkResult[] = []
  for (const engine of ENGINES) {
    bulkResults.push(await bulk(engine))
  }

  // The run itself keeps about two processes busy; more than that is other work on the machine.
  const loadAverageAtEnd = loadavg()[0] ?? 0
  console.log(`\n${loadTable(results)}\n\n${bulkTable(bulkResults)}\n`)
  console.log(`1-minute load average at the end: ${loadAverageAtEnd.toFixed(2)}`)
  for (const r of results) {
    // Requests in flight when autocannon stops are stored but not counted: one per connection.
    const answered = r.requests - r.non2xx
    if (
      r.entriesStored !== null &&
      (r.entriesStored < answered || r.entriesStored > answered + CONNECTIONS)
    ) {
      console.log(
        `WARNING: ${r.name} on ${r.engine}: ${r.entriesStored} entries stored for ${answered} 2xx answers`,
      )
    }
  }
  await mkdir('.bench', { recursive: true })
  await writeFile(
    OUTPUT,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: { ...machine, loadAverageAtEnd },
        settings: {
          seconds: SECONDS,
          warmupSeconds: WARMUP_SECONDS,
          connections: CONNECTIONS,
          bulkRuns: BULK_RUNS,
        },
        load: results,
        bulk: bulkResults,
      },
      null,
      2,
    )}\n`,
  )
  console.log(`written to ${OUTPUT}`)
}

await main()
