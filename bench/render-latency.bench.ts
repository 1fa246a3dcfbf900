/**
 * How long a one-page fax takes from sendFax to `scheduled_for_sending` (`npm run
 * bench:render-latency`), with the render process started from the build (dist/, what faxd runs)
 * and from the TypeScript sources through tsx (what every render cost before the build was used
 * when running from the sources), in the same run.
 *
 * - Each round, for each entry in turn: a one-page PDF (test/fixtures/documents/letter.pdf,
 *   uploaded once) sent to +15555550100 through the API (Fastify inject), its render-fax job run
 *   by a Worker with the render handler only (idle wait 500 ms, as in faxd), and the time from
 *   just before the POST to the entry's `scheduled_for_sending` status change read back from its
 *   history. The render process alone (FileStoreRenderer.render) is timed too.
 * - SQLite in a fresh temp folder; the renderer as faxd's: a child process in the bubblewrap
 *   sandbox, no LibreOffice needed for a PDF.
 * - BENCH_RENDER_ROUNDS (5) rounds; the median and the runs of each entry.
 *
 * The build must be current (`npm run build` after the last change to src/): the bench stops
 * otherwise, since its first case would silently be the sources again.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { webhookTargetPolicy } from '../src/webhooks/target-guard.js'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../src/api/create-app.js'
import { DOCUMENT_KINDS } from '../src/domain/document-kind.js'
import type { PageRenderer } from '../src/domain/page-renderer.js'
import { renderFaxJob } from '../src/jobs/render-fax-job.js'
import { Worker } from '../src/jobs/worker.js'
import { DEFAULT_JOB_LEASE_MS } from '../src/config.js'
import { WORKER_IDLE_MS } from '../src/main.js'
import { LETTER } from '../src/rendering/fax-geometry.js'
import { FileStoreRenderer } from '../src/rendering/file-store-renderer.js'
import { RenderProcessPool } from '../src/rendering/render-process-pool.js'
import { renderEntry } from '../src/rendering/render-entry.js'
import { assertBuildCurrent } from './build-current.js'
import { MAX_PICTURE_PIXELS } from '../src/rendering/render-settings.js'
import { FileStoreFaxDocuments } from '../src/reports/file-store-fax-documents.js'
import { systemClock } from '../src/shared/clock.js'
import { PasswordHashing } from '../src/shared/secrets.js'
import { FsFileStore } from '../src/storage/files/fs-file-store.js'
import { openStore } from '../src/storage/sql/open-store.js'
import { addNumber } from '../src/use-cases/add-number.js'
import type { Services } from '../src/use-cases/context.js'
import { createAccount } from '../src/use-cases/create-account.js'
import { createPersonalToken } from '../src/use-cases/create-personal-token.js'
import { multipartBody } from '../test/support/multipart.js'

const ROUNDS = Number(process.env['BENCH_RENDER_ROUNDS'] ?? '5')
const FROM = '+15555550150'
const DOCUMENT = new URL('../test/fixtures/documents/letter.pdf', import.meta.url)

const ENTRIES = {
  built: renderEntry(new URL('../src/rendering/isolated-renderer.ts', import.meta.url).href),
  sources: new URL('../src/rendering/render-process.ts', import.meta.url),
} as const
type EntryName = keyof typeof ENTRIES

interface Sample {
  readonly entry: EntryName
  readonly sendToScheduledMs: number
  readonly renderMs: number
}

/** A renderer that times each render it passes on. */
function timed(renderer: PageRenderer, times: number[]): PageRenderer {
  return {
    async render(request, onPage) {
      const started = performance.now()
      try {
        return await renderer.render(request, onPage)
      } finally {
        times.push(performance.now() - started)
      }
    },
    preview: (key, page, width) => renderer.preview(key, page, width),
    previewDraft: (request, page, width) => renderer.previewDraft(request, page, width),
    close: () => renderer.close(),
  }
}

async function measure(entry: EntryName, dataDir: string, rounds: number): Promise<Sample[]> {
  const store = await openStore({ dataDir })
  const files = new FsFileStore(join(dataDir, 'files'))
  const renderTimes: number[] = []
  const renderProcesses = new RenderProcessPool({
    timeoutMs: 600_000,
    maxMemoryBytes: 2048 * 1024 * 1024,
    sandbox: { kind: 'bubblewrap', program: 'bwrap', hidden: [dataDir] },
    entry: ENTRIES[entry],
  })
  const services: Services = {
    store,
    files,
    clock: systemClock,
    passwords: new PasswordHashing(),
    webhookTargets: webhookTargetPolicy(true),
    documentKinds: new Set(DOCUMENT_KINDS),
    pages: timed(
      new FileStoreRenderer(
        files,
        { paper: LETTER, maxPages: 250, maxPicturePixels: MAX_PICTURE_PIXELS, office: undefined },
        async (job, onProgress, signal) => renderProcesses.render(job, onProgress, signal),
        async () => renderProcesses.close(),
      ),
      renderTimes,
    ),
    documents: new FileStoreFaxDocuments(files),
  }
  const app = await createApp({ services })
  const worker = new Worker(
    store.jobs,
    systemClock,
    { 'render-fax': renderFaxJob(services) },
    {
      name: `bench-${entry}`,
      leaseMs: DEFAULT_JOB_LEASE_MS,
      idleMs: WORKER_IDLE_MS,
      slots: { 'render-fax': 1 },
    },
  )
  try {
    const account = await createAccount(services, {
      email: `bench.${entry}.${Date.now()}@example.test`,
      type: 'individual',
      adminUid: null,
      password: null,
    })
    await addNumber(services, { number: FROM, ownerUid: account.uid, assignTo: [] })
    const { token } = await createPersonalToken(services, {
      uid: account.uid,
      scopes: null,
      expiresInDays: null,
    })
    const headers = { authorization: `Bearer ${token}` }
    const upload = multipartBody(
      'fax_file',
      'letter.pdf',
      'application/pdf',
      await readFile(DOCUMENT),
    )
    const uploaded = await app.inject({
      method: 'POST',
      url: '/v3/accounts/self/files',
      headers: { ...upload.headers, ...headers },
      payload: upload.payload,
    })
    const path = uploaded.json<{ path: string }>().path
    worker.start()
    const samples: Sample[] = []
    for (let round = 0; round < rounds; round++) {
      const before = new Set(await outboxIds())
      const started = Date.now()
      const sent = await app.inject({
        method: 'POST',
        url: '/v3/accounts/self/outbox',
        headers: { ...headers, 'content-type': 'application/json' },
        payload: JSON.stringify({ from: FROM, to: ['+15555550100'], files: [path] }),
      })
      if (sent.statusCode !== 201) {
        throw new Error(`sendFax answered ${sent.statusCode}: ${sent.body}`)
      }
      const id = (await outboxIds()).find((each) => !before.has(each))
      if (id === undefined) {
        throw new Error('the new outbox entry is not listed')
      }
      const scheduledAt = await scheduledTime(id)
      samples.push({
        entry,
        sendToScheduledMs: scheduledAt - started,
        renderMs: renderTimes.at(-1) ?? Number.NaN,
      })
    }
    return samples

    async function outboxIds(): Promise<string[]> {
      const listed = await app.inject({ method: 'GET', url: '/v3/accounts/self/outbox', headers })
      return listed.json<{ records: { id: string }[] }>().records.map((record) => record.id)
    }

    /** When the entry became scheduled_for_sending, by its status history (in ms). */
    async function scheduledTime(id: string): Promise<number> {
      for (;;) {
        const entry = await store.outbox.get(id)
        const scheduled = entry?.statusChanges.filter(
          (change) => change.status === 'scheduled_for_sending',
        )
        if (entry !== null && entry.documentKey !== null && scheduled?.length) {
          return scheduled.at(-1)?.atMs ?? Number.NaN
        }
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    }
  } finally {
    await worker.stop()
    await app.close()
    await services.pages.close()
    await store.close()
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

async function main(): Promise<void> {
  assertBuildCurrent()
  console.log(
    `render latency: ${ROUNDS} rounds, Node ${process.version}, load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  )
  const samples: Sample[] = []
  for (let round = 0; round < ROUNDS; round++) {
    for (const entry of Object.keys(ENTRIES) as EntryName[]) {
      const dataDir = await mkdtemp(join(tmpdir(), 'faxd-bench-latency-'))
      try {
        // One fax per fresh database and round, so that the two entries alternate over the run.
        samples.push(...(await measure(entry, dataDir, 1)))
      } finally {
        await rm(dataDir, { recursive: true, force: true })
      }
    }
  }
  const rows = (Object.keys(ENTRIES) as EntryName[]).map((entry) => {
    const mine = samples.filter((sample) => sample.entry === entry)
    return {
      entry,
      sendToScheduledMs: median(mine.map((sample) => sample.sendToScheduledMs)),
      renderMs: median(mine.map((sample) => sample.renderMs)),
      runs: mine.map((sample) => Math.round(sample.sendToScheduledMs)),
    }
  })
  const sources = rows.find((row) => row.entry === 'sources')
  console.log(
    '\n| render process from | sendFax → scheduled, median | runs (ms) | render, median | ÷ sources |',
  )
  console.log('| --- | --: | --: | --: | --: |')
  for (const row of rows) {
    console.log(
      `| ${row.entry === 'built' ? 'the build (dist/)' : 'the sources (tsx)'} | ${Math.round(row.sendToScheduledMs)} ms | ${row.runs.join(' / ')} | ${Math.round(row.renderMs)} ms | ${(row.sendToScheduledMs / (sources?.sendToScheduledMs ?? Number.NaN)).toFixed(2)} |`,
    )
  }
  await mkdir('.bench', { recursive: true })
  await writeFile('.bench/render-latency.json', `${JSON.stringify({ rows, samples }, null, 2)}\n`)
}

await main()
