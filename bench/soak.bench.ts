/**
 * The soak (`npm run bench:soak`, 10 minutes; BENCH_SOAK_SECONDS shortens it): a whole
 * `faxd serve` with its defaults (SQLite, the embedded worker with its slots, the sandboxed render
 * processes, request logging at info) takes 5 sendFax a second, each a 2-page PDF
 * (test/fixtures/documents/text-letter.pdf, uploaded once) to the success test number
 * +15555550100, for the whole run. The simulated calls take no time
 * (FAXD_SIMULATED_TIME_SCALE=0): what is measured is whether rendering and the worker keep up,
 * not the line. Every 10 s: faxes accepted (201) and finished (a fax record made), the backlog
 * (accepted, not finished), and the resident memory of the faxd serve process. Over the last
 * half of the run: accepted and finished per second, and the slope of the memory (least squares,
 * MB per minute). See docs/benchmarks.md, "The soak".
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import SQLite from 'better-sqlite3'
import { assertBuildCurrent } from './build-current.js'
import { SQLITE_FILE_NAME } from '../src/storage/sql/open-store.js'
import { describeMachine, SENDER_NUMBER, startFaxdProcess } from './bench-servers.js'

const SECONDS = Number(process.env['BENCH_SOAK_SECONDS'] ?? 600)
const PER_SECOND = 5
const SAMPLE_MS = 10_000
const TO = '+15555550100'
const DOCUMENT = fileURLToPath(
  new URL('../test/fixtures/documents/text-letter.pdf', import.meta.url),
)

interface Sample {
  readonly atSeconds: number
  readonly accepted: number
  readonly finished: number
  readonly rssMb: number
}

async function residentMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024
}

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0)
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0)
  return variance === 0 ? 0 : covariance / variance
}

async function uploadDocument(origin: string, token: string): Promise<string> {
  const form = new FormData()
  form.append(
    'fax_file',
    new Blob([await readFile(DOCUMENT)], { type: 'application/pdf' }),
    'letter.pdf',
  )
  const response = await fetch(`${origin}/v3/accounts/self/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  })
  const body = (await response.json()) as { path?: string }
  if (response.status !== 200 || body.path === undefined) {
    throw new Error(`upload failed: ${response.status} ${JSON.stringify(body)}`)
  }
  return body.path
}

async function main(): Promise<void> {
  assertBuildCurrent()
  const machine = await describeMachine()
  console.log(`Soak, ${new Date().toISOString()}: ${SECONDS} s at ${PER_SECOND} sendFax/s`)
  console.log(machine)
  const server = await startFaxdProcess('sqlite', {
    FAXD_EMBEDDED_WORKER: '1',
    FAXD_SIMULATED_TIME_SCALE: '0',
  })
  const database = new SQLite(join(server.dataDir, SQLITE_FILE_NAME), { readonly: true })
  try {
    const path = await uploadDocument(server.origin, server.token)
    const body = JSON.stringify({ from: SENDER_NUMBER, to: [TO], files: [path] })
    const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }
    const startedMs = Date.now()
    const finishedSince = database.prepare(
      'SELECT count(*) AS n FROM faxes WHERE direction = ? AND submitted_at >= ?',
    )
    const finished = (): number =>
      (finishedSince.get('outgoing', startedMs) as { n: number } | undefined)?.n ?? 0
    let accepted = 0
    let refused = 0
    const pending = new Set<Promise<void>>()
    const send = (): void => {
      const request = fetch(`${server.origin}/v3/accounts/self/outbox`, {
        method: 'POST',
        headers,
        body,
      })
        .then(async (response) => {
          await response.arrayBuffer()
          if (response.status === 201) {
            accepted++
          } else {
            refused++
          }
        })
        .catch(() => {
          refused++
        })
        .finally(() => pending.delete(request))
      pending.add(request)
    }
    const samples: Sample[] = []
    const sample = async (): Promise<Sample> => {
      const taken = {
        atSeconds: (Date.now() - startedMs) / 1000,
        accepted,
        finished: finished(),
        rssMb: await residentMb(server.pid),
      }
      samples.push(taken)
      console.log(
        `  ${taken.atSeconds.toFixed(0).padStart(4)} s: accepted ${taken.accepted}, finished ` +
          `${taken.finished}, backlog ${taken.accepted - taken.finished}, ` +
          `faxd serve ${taken.rssMb.toFixed(0)} MB`,
      )
      return taken
    }
    let sent = 0
    await new Promise<void>((resolve) => {
      const sampler = setInterval(() => void sample(), SAMPLE_MS)
      const tick = setInterval(() => {
        const due = Math.floor(((Date.now() - startedMs) / 1000) * PER_SECOND)
        for (; sent < due && sent < SECONDS * PER_SECOND; sent++) {
          send()
        }
        if (sent >= SECONDS * PER_SECOND) {
          clearInterval(tick)
          clearInterval(sampler)
          resolve()
        }
      }, 20)
    })
    await Promise.all(pending)
    const end = await sample()
    // The backlog left at the end, drained (or not) within a minute.
    const drainStarted = Date.now()
    while (finished() < accepted && Date.now() - drainStarted < 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    const drainedMs = Date.now() - drainStarted
    // Ten minutes of figures are printed even when the sources changed meanwhile, and marked:
    // render processes started after the change ran the sources through tsx, not the build.
    report(samples, end, refused, finished(), drainedMs)
    assertBuildCurrent()
  } finally {
    database.close()
    await server.close()
  }
}

function report(
  samples: readonly Sample[],
  end: Sample,
  refused: number,
  finishedAfterDrain: number,
  drainMs: number,
): void {
  const half = samples.filter((s) => s.atSeconds >= end.atSeconds / 2)
  const first = half[0] ?? end
  const seconds = end.atSeconds - first.atSeconds
  const acceptedPerSecond = (end.accepted - first.accepted) / seconds
  const finishedPerSecond = (end.finished - first.finished) / seconds
  const rssSlope = slope(half.map((s) => [s.atSeconds / 60, s.rssMb] as const))
  const backlogs = samples.map((s) => s.accepted - s.finished)
  console.log(
    [
      '',
      `Over the last half of the run (${first.atSeconds.toFixed(0)}–${end.atSeconds.toFixed(0)} s):`,
      '',
      '| accepted/s | finished/s | finished ÷ accepted | backlog at the end | largest backlog | faxd serve RSS at the end MB | RSS slope MB/min | refused | left after a minute of draining |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${acceptedPerSecond.toFixed(2)} | ${finishedPerSecond.toFixed(2)} | ` +
        `${(finishedPerSecond / acceptedPerSecond).toFixed(2)} | ${end.accepted - end.finished} | ` +
        `${Math.max(...backlogs)} | ${end.rssMb.toFixed(0)} | ${rssSlope.toFixed(2)} | ${refused} | ` +
        `${end.accepted - finishedAfterDrain} (after ${(drainMs / 1000).toFixed(0)} s) |`,
    ].join('\n'),
  )
}

await main()
