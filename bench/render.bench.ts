/**
 * faxd's renderer beside Ghostscript's fax device, each as the whole process a user runs
 * (`npm run bench:render`, about a minute). See docs/benchmarks.md, "Rendering".
 *
 * For each document, at fine: `node bin/faxd.js render FILE -o OUT.tif` (the package's bin,
 * with its defaults: the sandbox, enhancement on, the render threads) and
 * `gs -sDEVICE=tiffg4 -r204x196` on the same file, alternately, RUNS times each; wall time from
 * start to exit (measured by a python3 wrapper), median. Peak memory, in one more run of faxd
 * whose time is not counted (reading /proc every 25 ms takes the CPU from the processes it
 * watches: 10–50 ms of a 1-page render): each process's own peak resident set (VmHWM;
 * Ghostscript's from getrusage), the largest (for faxd, its render process, threads included)
 * and all of them summed (the CLI, bwrap and the render process; Node's shared code counted in
 * each).
 *
 * The documents: the 36-page libtasn1 manual and the 17-page shared-mime-info specification
 * (Debian's libtasn1-doc and shared-mime-info, text and tables typeset by pdfTeX), the 1-page
 * letter of the test fixtures, and a 200-page document generated here (Ghostscript's pdfwrite
 * from PostScript: a heading, 48 lines of text and a ruled table a page). BENCH_RENDER_RUNS sets
 * RUNS (3). BENCH_RENDER_BASELINE=DIR also runs the faxd built in DIR (another checkout, after
 * `npm run build` there) on each document, in the same runs: how docs/benchmarks.md compares
 * the raster paths. The header gives Node.js's own start time beside them (nodeStart): where the
 * environment sets NODE_EXTRA_CA_CERTS, every Node.js process reads that file as it starts.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, loadavg, release, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { listTiffPages } from '../src/codec/tiff-read.js'
import { descendantsOf } from '../src/sandbox/process-tree.js'
import { assertBuildCurrent } from './build-current.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const FAXD = join(ROOT, 'bin', 'faxd.js')
const RUNS = Number(process.env['BENCH_RENDER_RUNS'] ?? 3)
const TREE_POLL_MS = 25
/** Another checkout of faxd, built, to compare with (the raster-path comparison). */
const BASELINE = process.env['BENCH_RENDER_BASELINE'] || undefined

interface Document {
  readonly name: string
  readonly path: string
  /** The Debian package it comes from, when it is not made here. */
  readonly debianPackage?: string
}

const MANUAL: Document = {
  name: '36-page manual (libtasn1)',
  path: '/usr/share/doc/libtasn1-doc/libtasn1.pdf',
  debianPackage: 'libtasn1-doc',
}
const SPECIFICATION: Document = {
  name: '17-page specification (shared-mime-info)',
  path: '/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf',
  debianPackage: 'shared-mime-info',
}
const LETTER_PAGE: Document = {
  name: '1-page letter (test fixture)',
  path: join(ROOT, 'test', 'fixtures', 'documents', 'letter.pdf'),
}

interface Run {
  /** Wall time of the process, from its start to its exit. */
  readonly ms: number
  /** Peak resident set of the largest process (faxd: its render process), in MB. */
  readonly largestMb: number
  /** The peaks of all its processes summed, in MB (shared code counted in each). */
  readonly summedMb: number
}

/** Debian's python3, started without site packages: a version manager's shim takes 0.1 s. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'

/**
 * Runs `command args…` under python3, which times it and prints its wall time in ms and its
 * children's largest resident set (getrusage(2): ru_maxrss of RUSAGE_CHILDREN, in kB), so that
 * neither includes the wrapper's own start.
 */
async function timeProcess(
  command: string,
  args: readonly string[],
  watchTree: boolean,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Run> {
  const wrapper = [
    '-S',
    '-E',
    '-c',
    'import resource, subprocess, sys, time\n' +
      'started = time.monotonic()\n' +
      'code = subprocess.run(sys.argv[1:]).returncode\n' +
      'ms = (time.monotonic() - started) * 1000\n' +
      'print(ms, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n' +
      'sys.exit(code)',
    command,
    ...args,
  ]
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, wrapper, { stdio: ['ignore', 'ignore', 'pipe'], env })
    let stderr = ''
    // The render process runs in its own PID namespace, whose end the wrapper's getrusage does
    // not see: every process's own peak (VmHWM) is read from /proc while it runs.
    const peaks = new Map<number, number>()
    const poll = watchTree
      ? setInterval(() => {
          void treePeaks(child.pid ?? 0, peaks)
        }, TREE_POLL_MS)
      : undefined
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      clearInterval(poll)
      const [ms, maxRssKb] = (stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number)
      if (code !== 0 || ms === undefined || maxRssKb === undefined || !Number.isFinite(ms)) {
        reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`))
        return
      }
      const polled = [...peaks.values()]
      const mb = (bytes: number) => bytes / 1024 / 1024
      resolve({
        ms,
        largestMb: mb(Math.max(maxRssKb * 1024, ...polled)),
        summedMb: mb(
          Math.max(
            maxRssKb * 1024,
            polled.reduce((sum, bytes) => sum + bytes, 0),
          ),
        ),
      })
    })
  })
}

/** Records the peak resident set (VmHWM) of each process under `pid` (not itself: the wrapper). */
async function treePeaks(pid: number, peaks: Map<number, number>): Promise<void> {
  for (const process of await descendantsOf(pid)) {
    const status = await readFile(`/proc/${process}/status`, 'utf8').catch(() => '')
    const peak = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024
    peaks.set(process, Math.max(peaks.get(process) ?? 0, peak))
  }
}

/** 200 Letter pages of text and a table, as PostScript for Ghostscript's pdfwrite. */
function generatedPostScript(pages: number): string {
  const lines = [
    '%!PS-Adobe-3.0',
    `%%Pages: ${pages}`,
    '/num 8 string def',
    `1 1 ${pages} {`,
    '  /n exch def',
    '  /Helvetica-Bold findfont 16 scalefont setfont',
    '  72 730 moveto (Section ) show n num cvs show (: delivery report) show',
    '  /Times-Roman findfont 10 scalefont setfont',
    '  0 1 47 {',
    '    /i exch def',
    '    72 706 i 11 mul sub moveto',
    '    (Line ) show i num cvs show',
    '    (: the quick brown fox jumps over the lazy dog, 0123456789, page ) show n num cvs show',
    '  } for',
    '  0.5 setlinewidth',
    '  0 1 6 { /r exch def 72 150 r 14 mul sub moveto 540 0 rlineto stroke } for',
    '  0 1 4 { /c exch def 72 c 135 mul add 150 moveto 0 -84 rlineto stroke } for',
    '  /Courier findfont 9 scalefont setfont',
    '  0 1 5 { /r exch def 0 1 3 { /c exch def',
    '    78 c 135 mul add 140 r 14 mul sub moveto (cell ) show r num cvs show (/) show',
    '    c num cvs show } for } for',
    '  showpage',
    '} for',
    '%%EOF',
  ]
  return lines.join('\n')
}

async function generatedDocument(folder: string, pages: number): Promise<Document> {
  const source = join(folder, 'generated.ps')
  const path = join(folder, `generated-${pages}-pages.pdf`)
  await writeFile(source, generatedPostScript(pages))
  await timeProcess(
    'gs',
    ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', '-o', path, source],
    false,
  )
  return { name: `${pages}-page generated document`, path }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return ((sorted[(sorted.length - 1) >> 1] ?? 0) + (sorted[sorted.length >> 1] ?? 0)) / 2
}

interface Result {
  readonly document: Document
  readonly pages: number
  readonly faxd: readonly Run[]
  readonly gs: readonly Run[]
  /** faxd as built at BENCH_RENDER_BASELINE, when it is set. */
  readonly baseline: readonly Run[]
  /** The runs whose processes' memory was read, faxd's and the baseline's: not timed. */
  readonly faxdWatched: Run
  readonly baselineWatched: Run | undefined
}

async function pageCount(tiff: string): Promise<number> {
  return listTiffPages(new Uint8Array(await readFile(tiff))).length
}

async function measure(document: Document, folder: string): Promise<Result> {
  const faxdOut = join(folder, 'faxd.tif')
  const gsOut = join(folder, 'gs.tif')
  const faxd: Run[] = []
  const gs: Run[] = []
  const baseline: Run[] = []
  const faxdRun = (bin: string, watched: boolean) =>
    timeProcess(process.execPath, [bin, 'render', document.path, '-o', faxdOut], watched)
  const baselineBin = BASELINE === undefined ? undefined : join(BASELINE, 'bin', 'faxd.js')
  for (let run = 0; run < RUNS; run++) {
    faxd.push(await faxdRun(FAXD, false))
    if (baselineBin !== undefined) {
      baseline.push(await faxdRun(baselineBin, false))
    }
    gs.push(
      await timeProcess(
        'gs',
        [
          '-q',
          '-dNOPAUSE',
          '-dBATCH',
          '-dSAFER',
          '-sDEVICE=tiffg4',
          '-r204x196',
          '-o',
          gsOut,
          document.path,
        ],
        false,
      ),
    )
  }
  const baselineWatched = baselineBin === undefined ? undefined : await faxdRun(baselineBin, true)
  const faxdWatched = await faxdRun(FAXD, true)
  const pages = await pageCount(faxdOut)
  const gsPages = await pageCount(gsOut)
  if (pages !== gsPages) {
    throw new Error(`${document.name}: faxd made ${pages} pages, Ghostscript ${gsPages}`)
  }
  const ms = (runs: readonly Run[]) => runs.map((r) => r.ms.toFixed(0)).join(' / ')
  console.log(
    `  ${document.name}: faxd ${ms(faxd)} ms, gs ${ms(gs)} ms` +
      (BASELINE === undefined ? '' : `, baseline ${ms(baseline)} ms`),
  )
  return { document, pages, faxd, gs, baseline, faxdWatched, baselineWatched }
}

function table(results: readonly Result[]): string {
  const mb = (runs: readonly Run[], key: 'largestMb' | 'summedMb') =>
    Math.max(...runs.map((run) => run[key])).toFixed(0)
  const rows = results.map((r) => {
    const faxdMs = median(r.faxd.map((run) => run.ms))
    const gsMs = median(r.gs.map((run) => run.ms))
    const pps = (ms: number) => ((r.pages * 1000) / ms).toFixed(1)
    return (
      `| ${r.document.name} | ${r.pages} | ${faxdMs.toFixed(0)} | ${pps(faxdMs)} | ` +
      `${gsMs.toFixed(0)} | ${pps(gsMs)} | **${(gsMs / faxdMs).toFixed(2)}×** | ` +
      `${mb([r.faxdWatched], 'largestMb')} | ${mb([r.faxdWatched], 'summedMb')} | ` +
      `${mb(r.gs, 'largestMb')} |`
    )
  })
  const lines = [
    `Fine (204 × 196), whole processes, median of ${RUNS} runs each; faxd's peak memory from one more run, watched and not timed:`,
    '',
    '| document | pages | faxd ms | faxd pages/s | gs ms | gs pages/s | faxd ÷ gs speed | faxd render process peak MB | faxd all processes MB | gs peak MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ]
  if (BASELINE !== undefined) {
    lines.push(
      '',
      `faxd beside the faxd built at ${BASELINE}, in the same runs:`,
      '',
      '| document | faxd ms | baseline ms | speed faxd ÷ baseline | baseline ÷ gs speed | faxd render peak MB | baseline render peak MB |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...results.map((r) => {
        const faxdMs = median(r.faxd.map((run) => run.ms))
        const baseMs = median(r.baseline.map((run) => run.ms))
        const gsMs = median(r.gs.map((run) => run.ms))
        return (
          `| ${r.document.name} | ${faxdMs.toFixed(0)} | ${baseMs.toFixed(0)} | ` +
          `${(baseMs / faxdMs).toFixed(2)}× | ${(gsMs / baseMs).toFixed(2)}× | ` +
          `${mb([r.faxdWatched], 'largestMb')} | ` +
          `${mb(r.baselineWatched === undefined ? [] : [r.baselineWatched], 'largestMb')} |`
        )
      }),
    )
  }
  return lines.join('\n')
}

/**
 * Node.js's own start, `node -e 0`, median of RUNS: in this environment, and without
 * NODE_EXTRA_CA_CERTS where it is set. Node.js (20) reads and parses that file of certificates
 * as it starts, before any of faxd's code: on a machine that sets it for a proxy, about 60 ms of
 * every `faxd render` here, which Ghostscript does not pay. faxd's render process does not
 * inherit it (its sandbox clears the environment); the command's own process does.
 */
async function nodeStart(): Promise<string> {
  const startMs = async (env: NodeJS.ProcessEnv): Promise<number> => {
    const runs: number[] = []
    for (let run = 0; run < RUNS; run++) {
      runs.push((await timeProcess(process.execPath, ['-e', '0'], false, env)).ms)
    }
    return median(runs)
  }
  const here = await startMs(process.env)
  if (process.env['NODE_EXTRA_CA_CERTS'] === undefined) {
    return `${here.toFixed(0)} ms`
  }
  const { NODE_EXTRA_CA_CERTS: _certificates, ...without } = process.env
  return (
    `${here.toFixed(0)} ms; ${(await startMs(without)).toFixed(0)} ms without ` +
    'NODE_EXTRA_CA_CERTS, which this environment sets (faxd render starts its own process in it)'
  )
}

async function main(): Promise<void> {
  assertBuildCurrent()
  for (const document of [MANUAL, SPECIFICATION]) {
    if (!existsSync(document.path)) {
      throw new Error(
        `${document.path} is missing: apt-get install -y ${document.debianPackage ?? ''} ` +
          '(the bench compares on the same documents every time)',
      )
    }
  }
  const loadAtStart = loadavg()[0] ?? 0
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '')
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown'
  console.log(
    `Rendering benchmark, ${new Date().toISOString()}\n` +
      `- CPU: ${cpu}, ${availableParallelism()} cores; Linux ${release()}, Node ${process.version}\n` +
      `- 1-minute load average before the run: ${loadAtStart.toFixed(2)}\n` +
      `- Node.js's own start (\`node -e 0\`, median): ${await nodeStart()}\n`,
  )
  const folder = await mkdtemp(join(tmpdir(), 'faxd-render-bench-'))
  const started = performance.now()
  try {
    const generated = await generatedDocument(folder, 200)
    const results: Result[] = []
    for (const document of [MANUAL, SPECIFICATION, LETTER_PAGE, generated]) {
      results.push(await measure(document, folder))
    }
    assertBuildCurrent()
    console.log(`\n${table(results)}\n`)
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
  console.log(
    `1-minute load average at the end: ${(loadavg()[0] ?? 0).toFixed(2)}; ` +
      `the run took ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  )
}

await main()
