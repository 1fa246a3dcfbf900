/**
 * Rendering beside Ghostscript, and what each fax coding costs on the line
 * (`node --import tsx bench/render.bench.ts`, two to three minutes). See docs/benchmarks.md.
 *
 * 1. test/fixtures/documents/fifty-pages.pdf (50 A4 pages of text) at fine and at superfine:
 *    ours is the work of a render job without the disk (renderFax with enhancement, every page
 *    coded with MMR as it is drawn, the TIFF-F assembled with writeEncodedTiffF), in this
 *    process, median of 3 runs; Ghostscript is a whole `gs -sDEVICE=tiffg4 -r204x196` (or
 *    `-r204x392`) process on the same file, median of 3. Ghostscript's start-up is the same
 *    command on the 1-page a4.pdf. Once per resolution, ours also runs as a whole child process
 *    (this file with `--child`), which reports its peak resident memory.
 * 2. Every fixture document (PDFs, text, pictures, and the Office files through LibreOffice)
 *    rendered at fine with enhancement, each page coded with MH, MR (K from mrKForResolution)
 *    and MMR as a fax line carries them (EOLs and RTC for T.4, EOFB for T.6, no fill for a
 *    minimum scan-line time): bytes per page and seconds per page at 14,400 bit/s.
 *
 * The codec alone against libtiff is bench/codec.bench.ts.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, release, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Bitmap } from '../src/codec/bitmap.js'
import { encodeMh, encodeMr, mrKForResolution } from '../src/codec/t4.js'
import { encodeMmr } from '../src/codec/t6.js'
import { type EncodedPage, writeEncodedTiffF } from '../src/codec/tiff-write.js'
import type { Resolution } from '../src/domain/outbox-entry.js'
import { HORIZONTAL_DPI, LETTER, verticalDpi } from '../src/rendering/fax-geometry.js'
import { renderFax } from '../src/rendering/render-fax.js'
import { MAX_PICTURE_PIXELS } from '../src/rendering/render-settings.js'

const DOCUMENTS = new URL('../test/fixtures/documents/', import.meta.url)
const documentPath = (file: string): string => fileURLToPath(new URL(file, DOCUMENTS))
const FIFTY_PAGES = 'fifty-pages.pdf'
const ONE_PAGE = 'a4.pdf'
const RUNS = 3
const LINE_BITS_PER_SECOND = 14_400
const RESOLUTIONS: readonly Resolution[] = ['fine', 'superfine']

const SETTINGS = {
  paper: LETTER,
  maxPages: 250,
  maxPicturePixels: MAX_PICTURE_PIXELS,
  office: { program: 'soffice', timeoutMs: 120_000, maxMemoryBytes: 2048 * 1024 * 1024 },
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return ((sorted[(sorted.length - 1) >> 1] ?? 0) + (sorted[sorted.length >> 1] ?? 0)) / 2
}

async function readDocument(file: string): Promise<Uint8Array> {
  const data = await readFile(documentPath(file))
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

/**
 * What a render job does, without the disk: pages coded with MMR as drawn, then the TIFF-F.
 * `codingMs` is the part of the time spent in encodeMmr and writeEncodedTiffF.
 */
async function renderJob(
  data: Uint8Array,
  resolution: Resolution,
): Promise<{ pages: number; bytes: number; codingMs: number }> {
  let codingMs = 0
  const pages = await renderFax<EncodedPage>(
    // A copy each time: the document's buffer must not be shared between runs.
    { documents: [data.slice()], resolution, enhancement: true },
    SETTINGS,
    (bitmap) => {
      const started = performance.now()
      const coded = encodeMmr(bitmap)
      codingMs += performance.now() - started
      return { width: bitmap.width, height: bitmap.height, compression: 'mmr', data: coded }
    },
  )
  const started = performance.now()
  const tiff = writeEncodedTiffF(pages, {
    xDpi: HORIZONTAL_DPI,
    yDpi: verticalDpi(resolution),
    software: 'faxd',
  })
  codingMs += performance.now() - started
  return { pages: pages.length, bytes: tiff.length, codingMs }
}

interface ProcessRun {
  readonly ms: number
  readonly stdout: string
}

/** Runs a whole process to its end; wall time from spawn to exit. */
async function timeProcess(program: string, args: readonly string[]): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = performance.now() - started
      if (code === 0) {
        resolve({ ms, stdout })
      } else {
        reject(new Error(`${program} ${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`))
      }
    })
  })
}

function ghostscriptArgs(file: string, resolution: Resolution, output: string): string[] {
  return [
    '-q',
    '-dNOPAUSE',
    '-dBATCH',
    '-dSAFER',
    '-sDEVICE=tiffg4',
    `-r${HORIZONTAL_DPI}x${verticalDpi(resolution)}`,
    '-o',
    output,
    documentPath(file),
  ]
}

interface SpeedResult {
  readonly resolution: Resolution
  readonly pages: number
  readonly oursMs: number
  /** Of oursMs, the time in encodeMmr and writeEncodedTiffF. */
  readonly oursCodingMs: number
  readonly oursBytes: number
  readonly gsMs: number
  readonly gsStartupMs: number
  readonly gsBytes: number
  readonly childMs: number
  readonly childMaxRssMb: number
}

async function measureSpeed(resolution: Resolution, tmp: string): Promise<SpeedResult> {
  const data = await readDocument(FIFTY_PAGES)
  const ours: number[] = []
  const coding: number[] = []
  let job = { pages: 0, bytes: 0, codingMs: 0 }
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now()
    job = await renderJob(data, resolution)
    ours.push(performance.now() - started)
    coding.push(job.codingMs)
  }
  const gsOutput = join(tmp, `gs-${resolution}.tif`)
  const gs: number[] = []
  const startup: number[] = []
  for (let run = 0; run < RUNS; run++) {
    gs.push((await timeProcess('gs', ghostscriptArgs(FIFTY_PAGES, resolution, gsOutput))).ms)
    startup.push(
      (await timeProcess('gs', ghostscriptArgs(ONE_PAGE, resolution, join(tmp, '1.tif')))).ms,
    )
  }
  const gsBytes = (await readFile(gsOutput)).length
  const self = fileURLToPath(import.meta.url)
  const child = await timeProcess(process.execPath, [
    '--import',
    'tsx',
    self,
    '--child',
    resolution,
  ])
  const report = JSON.parse(child.stdout) as { pages: number; maxRssKb: number }
  if (report.pages !== job.pages) {
    throw new Error(`the child rendered ${report.pages} pages, not ${job.pages}`)
  }
  const result = {
    resolution,
    pages: job.pages,
    oursMs: median(ours),
    oursCodingMs: median(coding),
    oursBytes: job.bytes,
    gsMs: median(gs),
    gsStartupMs: median(startup),
    gsBytes,
    childMs: child.ms,
    childMaxRssMb: report.maxRssKb / 1024,
  }
  console.log(
    `  ${resolution}: ours ${ours.map((ms) => ms.toFixed(0)).join(' / ')} ms, ` +
      `gs ${gs.map((ms) => ms.toFixed(0)).join(' / ')} ms, gs 1 page ` +
      `${startup.map((ms) => ms.toFixed(0)).join(' / ')} ms, ours as a process ${child.ms.toFixed(0)} ms`,
  )
  return result
}

interface CodingSizes {
  readonly mh: number
  readonly mr: number
  readonly mmr: number
}

interface CodingResult {
  readonly file: string
  readonly pages: number
  /** Sums over the document's pages. */
  readonly sizes: CodingSizes
  readonly renderMs: number
}

async function measureCodings(file: string): Promise<CodingResult> {
  const data = await readDocument(file)
  const k = mrKForResolution(verticalDpi('fine'))
  const started = performance.now()
  const pages = await renderFax<CodingSizes>(
    { documents: [data], resolution: 'fine', enhancement: true },
    SETTINGS,
    (bitmap: Bitmap) => ({
      mh: encodeMh(bitmap).length,
      mr: encodeMr(bitmap, { k }).length,
      mmr: encodeMmr(bitmap).length,
    }),
  )
  const renderMs = performance.now() - started
  const sizes = pages.reduce(
    (sum, page) => ({ mh: sum.mh + page.mh, mr: sum.mr + page.mr, mmr: sum.mmr + page.mmr }),
    { mh: 0, mr: 0, mmr: 0 },
  )
  console.log(`  ${file}: ${pages.length} pages, ${renderMs.toFixed(0)} ms`)
  return { file, pages: pages.length, sizes, renderMs }
}

function speedTables(results: readonly SpeedResult[]): string {
  const pps = (pages: number, ms: number): string => ((pages * 1000) / ms).toFixed(1)
  const first = results.map(
    (r) =>
      `| ${r.resolution} | ${r.pages} | ${r.oursMs.toFixed(0)} | ${r.oursCodingMs.toFixed(0)} | ` +
      `${pps(r.pages, r.oursMs)} | ` +
      `${r.gsMs.toFixed(0)} | ${pps(r.pages, r.gsMs)} | ${(r.gsMs / r.oursMs).toFixed(2)} |`,
  )
  const second = results.map(
    (r) =>
      `| ${r.resolution} | ${r.gsStartupMs.toFixed(0)} | ` +
      `${pps(r.pages - 1, Math.max(r.gsMs - r.gsStartupMs, 1))} | ${r.childMs.toFixed(0)} | ` +
      `${r.childMaxRssMb.toFixed(0)} | ${(r.oursBytes / r.pages).toFixed(0)} | ` +
      `${(r.gsBytes / r.pages).toFixed(0)} |`,
  )
  return [
    `${FIFTY_PAGES}, median of ${RUNS} runs each:`,
    '',
    '| resolution | pages | ours ms (in process) | of which MMR + TIFF ms | ours pages/s | gs ms (whole process) | gs pages/s | speed ours / gs |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...first,
    '',
    `Ghostscript's start-up (the same command on the 1-page ${ONE_PAGE}), Ghostscript net of it, ours as a whole process (Node start-up and module loading included, 1 run) and its peak RSS, and the size of each TIFF-F:`,
    '',
    '| resolution | gs 1 page ms | gs pages/s net | ours whole process ms | ours peak RSS MB | ours bytes/page | gs bytes/page |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...second,
  ].join('\n')
}

function codingTable(results: readonly CodingResult[]): string {
  const seconds = (bytes: number): string => ((bytes * 8) / LINE_BITS_PER_SECOND).toFixed(1)
  const row = (name: string, pages: number, perPage: CodingSizes): string =>
    `| ${name} | ${pages} | ${perPage.mh.toFixed(0)} | ${perPage.mr.toFixed(0)} | ` +
    `${perPage.mmr.toFixed(0)} | ${seconds(perPage.mh)} | ${seconds(perPage.mr)} | ` +
    `${seconds(perPage.mmr)} | ${(perPage.mmr / perPage.mh).toFixed(2)} |`
  const perPage = (sizes: CodingSizes, pages: number): CodingSizes => ({
    mh: sizes.mh / pages,
    mr: sizes.mr / pages,
    mmr: sizes.mmr / pages,
  })
  const rows = results.map((r) => row(r.file, r.pages, perPage(r.sizes, r.pages)))
  const pages = results.reduce((sum, r) => sum + r.pages, 0)
  const total = results.reduce(
    (sum, r) => ({
      mh: sum.mh + r.sizes.mh,
      mr: sum.mr + r.sizes.mr,
      mmr: sum.mmr + r.sizes.mmr,
    }),
    { mh: 0, mr: 0, mmr: 0 },
  )
  const documentMean = results.reduce(
    (sum, r) => {
      const each = perPage(r.sizes, r.pages * results.length)
      return { mh: sum.mh + each.mh, mr: sum.mr + each.mr, mmr: sum.mmr + each.mmr }
    },
    { mh: 0, mr: 0, mmr: 0 },
  )
  const k = mrKForResolution(verticalDpi('fine'))
  return [
    `Bytes per page at fine, enhancement on; seconds per page at ${LINE_BITS_PER_SECOND.toLocaleString('en')} bit/s:`,
    '',
    `| document | pages | MH bytes/page | MR K=${k} bytes/page | MMR bytes/page | MH s/page | MR s/page | MMR s/page | MMR / MH |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    row('**all pages**', pages, perPage(total, pages)),
    row(`**mean of the ${results.length} documents**`, pages, documentMean),
  ].join('\n')
}

async function machineLines(loadAtStart: number): Promise<string> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '')
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown'
  const gs = (await timeProcess('gs', ['--version'])).stdout.trim()
  return [
    `- CPU: ${cpu}, ${availableParallelism()} cores`,
    `- Linux ${release()}, Node ${process.version}, Ghostscript ${gs}`,
    `- 1-minute load average before the run: ${loadAtStart.toFixed(2)}`,
  ].join('\n')
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0] ?? 0
  console.log(
    `Rendering benchmark, ${new Date().toISOString()}\n${await machineLines(loadAtStart)}\n`,
  )
  const tmp = await mkdtemp(join(tmpdir(), 'faxd-render-bench-'))
  const started = performance.now()
  try {
    console.log('Speed:')
    const speed: SpeedResult[] = []
    for (const resolution of RESOLUTIONS) {
      speed.push(await measureSpeed(resolution, tmp))
    }
    console.log('Codings:')
    const manifest = JSON.parse(await readFile(new URL('manifest.json', DOCUMENTS), 'utf8')) as {
      file: string
    }[]
    const codings: CodingResult[] = []
    for (const { file } of manifest) {
      codings.push(await measureCodings(file))
    }
    const officeMs = codings
      .filter((r) => /\.(docx|xlsx|odt|rtf)$/.test(r.file))
      .reduce((sum, r) => sum + r.renderMs, 0)
    console.log(`\n${speedTables(speed)}\n\n${codingTable(codings)}\n`)
    console.log(
      `Office documents (LibreOffice conversion included): ${(officeMs / 1000).toFixed(1)} s in all.`,
    )
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
  console.log(
    `1-minute load average at the end: ${(loadavg()[0] ?? 0).toFixed(2)}; ` +
      `the run took ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  )
}

/** `--child RESOLUTION`: one render of the fifty pages; prints pages, bytes and peak RSS. */
async function child(resolution: Resolution): Promise<void> {
  const job = await renderJob(await readDocument(FIFTY_PAGES), resolution)
  console.log(JSON.stringify({ ...job, maxRssKb: process.resourceUsage().maxRSS }))
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] === 'superfine' ? 'superfine' : 'fine')
} else {
  await main()
}
