/**
 * Calls per worker (`npm run bench:sip`, a few minutes): how many fax calls one faxd process
 * carries at once through the SIP carrier while its event loop stays responsive. See
 * docs/benchmarks.md, "SIP calls per worker".
 *
 * The worker under measurement is this process: a SIP service (sip-trunk.ts) and the sip-t38
 * carrier, sending a one-page fine letter (test/support/fax-pages.ts, about 20 s at 14,400
 * bit/s) per call. The far end is our own stack in a child process (bench/sip-far-end.ts): it
 * answers every call, re-INVITEs to T.38 and receives the page, like faxd serve's inbound path.
 * All on loopback, over real UDP sockets, in real time.
 *
 * For each step of BENCH_SIP_CALLS (default "1,25,50,100,150,200") the calls start evenly
 * over BENCH_SIP_RAMP_MS (5,000 ms; a worker's calls begin as its jobs come, not all at the
 * same instant), and the event loop's delay is sampled every 5 ms (perf_hooks
 * monitorEventLoopDelay; an idle loop reads 0) from the end of the ramp until the first call
 * ends: the steady state, every call in flight. Reported per step: calls that ended
 * `success`, the loop delay's p50, p99 and max, the p99 as a ratio of the 1-call step's (the
 * reference, measured in the same run), and the process CPU per call. The bench ends by naming
 * the largest step whose p99 delay stayed under 20 ms with every call a success. No
 * assertions: it prints and ends.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { SipT38Carrier } from '../src/carriers/sip/sip-t38-carrier.js'
import { SipTrunk } from '../src/carriers/sip/sip-trunk.js'
import { writeTiffF } from '../src/codec/tiff-write.js'
import type { CallResult, OutgoingCall } from '../src/domain/carrier.js'
import type { E164 } from '../src/domain/fax-number.js'
import { FsFileStore } from '../src/storage/files/fs-file-store.js'
import { faxTestPage } from '../test/support/fax-pages.js'
import { loopbackTrunk } from './loopback-trunk.js'

const STEPS = (process.env['BENCH_SIP_CALLS'] ?? '1,25,50,100,150,200')
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0)
const RAMP_MS = Number(process.env['BENCH_SIP_RAMP_MS'] ?? 5_000)
const LAG_LIMIT_MS = 20
/**
 * The delay monitor's sampling interval. Its histogram records the time between two samples,
 * so an idle loop reads this much; the delay reported is what is recorded beyond it.
 */
const RESOLUTION_MS = 5
const DOCUMENT_KEY = 'bench/letter.tif'

interface StepResult {
  readonly calls: number
  readonly successes: number
  readonly statuses: string
  readonly lagP50Ms: number
  readonly lagP99Ms: number
  readonly lagMaxMs: number
  readonly cpuMsPerCall: number
  readonly wallMs: number
}

async function main(): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'faxd-bench-sip-'))
  const files = new FsFileStore(join(folder, 'files'))
  const page = faxTestPage({ paper: 'letter', resolution: 'fine', seed: 1 })
  const tiff = writeTiffF([{ ...page, compression: 'mmr' }], { software: 'faxd bench' })
  await files.put(
    DOCUMENT_KEY,
    (async function* () {
      yield tiff
    })(),
    tiff.length,
  )

  const farEnd = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'sip-far-end.ts')],
    {
      env: { ...process.env, FAR_MEDIA_PORTS: '45000-45999' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const lines = createInterface({ input: farEnd.stdout })
  const farPort = await new Promise<number>((resolve, reject) => {
    lines.on('line', (line) => {
      const message = JSON.parse(line) as { sipPort?: number }
      if (message.sipPort !== undefined) {
        resolve(message.sipPort)
      }
    })
    farEnd.once('exit', (code) => reject(new Error(`the far end exited (${String(code)})`)))
  })

  const trunk = await SipTrunk.start(
    loopbackTrunk({
      trunkPort: farPort,
      mediaPorts: { first: 41000, last: 41999 },
      stationId: null,
    }),
  )
  const carrier = new SipT38Carrier({ trunk, files })
  console.log(
    `SIP calls per worker: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, Node ${process.version}; ramp ${RAMP_MS} ms; a 1-page fine letter per call`,
  )
  const results: StepResult[] = []
  try {
    for (const calls of STEPS) {
      const result = await step(carrier, calls)
      results.push(result)
      console.log(
        `  ${String(calls).padStart(4)} calls: ${result.successes} success (${result.statuses}), ` +
          `loop delay p50 ${result.lagP50Ms.toFixed(1)} ms, p99 ${result.lagP99Ms.toFixed(1)} ms, ` +
          `max ${result.lagMaxMs.toFixed(1)} ms, CPU ${result.cpuMsPerCall.toFixed(0)} ms/call, ` +
          `${(result.wallMs / 1000).toFixed(1)} s`,
      )
    }
  } finally {
    await trunk.stop()
    farEnd.kill('SIGTERM')
    await rm(folder, { recursive: true, force: true })
  }
  const reference = results[0]
  console.log('')
  console.log(
    '| calls at once | success | loop delay p50 | p99 | p99 ÷ 1-call p99 | max | CPU per call |',
  )
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const r of results) {
    const ratio = reference === undefined ? NaN : r.lagP99Ms / reference.lagP99Ms
    console.log(
      `| ${r.calls} | ${r.successes} | ${r.lagP50Ms.toFixed(1)} ms | ${r.lagP99Ms.toFixed(1)} ms | ` +
        `${ratio.toFixed(2)}× | ${r.lagMaxMs.toFixed(1)} ms | ${r.cpuMsPerCall.toFixed(0)} ms |`,
    )
  }
  const held = results.filter((r) => r.successes === r.calls && r.lagP99Ms < LAG_LIMIT_MS)
  const best = held.at(-1)
  console.log('')
  console.log(
    best === undefined
      ? `no step held every call with the loop delay's p99 under ${LAG_LIMIT_MS} ms`
      : `held: ${best.calls} calls at once with every call a success and the loop delay's p99 under ${LAG_LIMIT_MS} ms`,
  )
}

async function step(carrier: SipT38Carrier, calls: number): Promise<StepResult> {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  let firstEnded = false
  const endOfRamp = new Promise<void>((resolve) => setTimeout(resolve, calls > 1 ? RAMP_MS : 0))
  const running: Promise<CallResult>[] = []
  for (let i = 0; i < calls; i++) {
    const delay = calls > 1 ? (RAMP_MS * i) / calls : 0
    running.push(
      new Promise<void>((resolve) => setTimeout(resolve, delay))
        .then(() => carrier.call(outgoing(calls, i), {}, new AbortController().signal))
        .finally(() => {
          if (!firstEnded) {
            firstEnded = true
            histogram.disable()
          }
        }),
    )
  }
  void endOfRamp.then(() => {
    if (!firstEnded) {
      histogram.enable()
    }
  })
  const settled = await Promise.allSettled(running)
  const wallMs = performance.now() - started
  const cpu = process.cpuUsage(cpuBefore)
  const statuses = new Map<string, number>()
  for (const outcome of settled) {
    const status =
      outcome.status === 'fulfilled' ? outcome.value.status : `threw: ${String(outcome.reason)}`
    statuses.set(status, (statuses.get(status) ?? 0) + 1)
  }
  const ms = (ns: number): number =>
    Number.isFinite(ns) ? Math.max(0, ns / 1e6 - RESOLUTION_MS) : NaN
  return {
    calls,
    successes: statuses.get('success') ?? 0,
    statuses: [...statuses].map(([status, count]) => `${status} ${count}`).join(', '),
    lagP50Ms: ms(histogram.percentile(50)),
    lagP99Ms: ms(histogram.percentile(99)),
    lagMaxMs: ms(histogram.max),
    cpuMsPerCall: (cpu.user + cpu.system) / 1000 / calls,
    wallMs,
  }
}

function outgoing(step: number, index: number): OutgoingCall {
  return {
    deliveryId: `bench-${step}-${index}`,
    attempt: 1,
    from: '+15555550150' as E164,
    to: `+1415555${String(1000 + index).padStart(4, '0')}` as E164,
    postDialDigits: '',
    documentKey: DOCUMENT_KEY,
    resolution: 'fine',
    pages: [1],
    senderUid: 'bench',
    header: null,
    pageCount: 1,
  }
}

await main()
