/**
 * Renders faxes in child processes, so that a document that crashes a renderer, or runs away in
 * time or memory, fails that fax and never the service; and, where the host can make one, in a
 * sandbox (render-sandbox.ts), so that a document can reach nothing but its render's folder: no
 * network, no other account's files. The documents are copied into the folder first, and the
 * TIFF-F comes out of it. A render process may render several faxes one after the other (the
 * service gives it those of one account only: render-process-pool.ts), each in the same folder,
 * emptied between them.
 *
 * Limits: the child gets a JavaScript heap limit; the resident memory of everything it runs
 * (LibreOffice included) is watched from here while it renders and the process is killed past
 * `maxMemoryBytes`; it is killed too when a fax takes `timeoutMs`. In a sandbox, killing bwrap
 * ends every process inside; without one, LibreOffice carries its own timer
 * (office-conversion.ts) that outlives the child. */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { copyFile, open, readdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Sandbox } from '../sandbox/sandbox.js'
import { confine } from '../sandbox/sandbox.js'
import { descendantsOf, processesMentioning, treeResidentBytes } from '../sandbox/process-tree.js'
import type { RenderProgress } from './render-settings.js'
import { renderEntry } from './render-entry.js'
import type { RenderJob, RenderMessage } from './render-job.js'
import type { RenderFolder } from './render-sandbox.js'
import {
  createRenderFolder,
  probeRenderSandbox,
  removeRenderFolder,
  renderView,
} from './render-sandbox.js'
import { RenderingError } from './rendering-error.js'

export interface Isolation {
  /** Wall time for each fax. */
  readonly timeoutMs: number
  /** Resident memory of the render's processes together. */
  readonly maxMemoryBytes: number
  /** Where the render process runs: confined, or (turned off by the operator) as it is. */
  readonly sandbox: Sandbox
  /** The render process's program; renderEntry's choice unless set (a benchmark sets it). */
  readonly entry?: URL
}

const MEMORY_POLL_MS = 100
const MIB = 1024 * 1024

/** The render process's entry (render-entry.ts): built JavaScript wherever it is current. */
const ENTRY = renderEntry(import.meta.url)

/** The file descriptor of the IPC channel: the fourth of the child's stdio (see spawn below). */
const IPC_FD = 3
/** How long a render process may take to leave once told to, before it is killed. */
const LEAVE_MS = 2_000

/**
 * Renders `job` in a render process of its own, which ends with it. `signal` ends it early: the
 * process (and all it started) is killed, and the signal's reason is thrown.
 */
export async function renderIsolated(
  job: RenderJob,
  isolation: Isolation,
  onProgress: (progress: RenderProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<{ pages: number; bytes: number }> {
  signal?.throwIfAborted()
  const renderer = await RenderProcess.start(isolation, job.settings.office?.program)
  try {
    return await renderer.render(job, onProgress, signal)
  } finally {
    await renderer.close()
  }
}

/** Whether renders can run in `sandbox` here: null, or why not (see probeRenderSandbox). */
export function probeRenderIsolation(sandbox: Sandbox): Promise<string | null> {
  return probeRenderSandbox(sandbox, ENTRY)
}

/** The job in flight in a render process, and how it ends. */
interface Running {
  readonly onProgress: (progress: RenderProgress) => void
  readonly settle: (outcome: Outcome) => void
}

type Outcome =
  | { readonly kind: 'answered'; readonly message: RenderMessage }
  | { readonly kind: 'killed'; readonly reason: string }
  | { readonly kind: 'aborted'; readonly reason: unknown }
  | { readonly kind: 'exited'; readonly how: string }

/**
 * A render process and its folder: it renders the jobs given to it one after the other, each
 * within the isolation's limits, until it is closed, or it leaves (after a job that failed or
 * lowered its priority, the process says it takes no other), or a limit kills it. Its documents
 * are copied into the folder's input for each job, and taken out again when the job ends.
 */
export class RenderProcess {
  readonly #child: ChildProcess
  readonly #folder: RenderFolder
  readonly #isolation: Isolation
  readonly #exited: Promise<void>
  #running: Running | undefined
  #alive = true
  #takesMore = true
  #jobs = 0
  #stderr = ''

  private constructor(child: ChildProcess, folder: RenderFolder, isolation: Isolation) {
    this.#child = child
    this.#folder = folder
    this.#isolation = isolation
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000)
    })
    child.on('message', (message: RenderMessage) => {
      if (message.type === 'progress') {
        this.#running?.onProgress(message)
      } else {
        this.#takesMore = message.type === 'done' && message.takesMore === true
        this.#running?.settle({ kind: 'answered', message })
      }
    })
    this.#exited = new Promise((resolve) => {
      child.on('error', (error) => {
        this.#kill(`the render process failed: ${error.message}`)
        if (child.pid === undefined) {
          // It never started (no such program): there is no exit to wait for.
          this.#alive = false
          resolve()
        }
      })
      child.on('exit', (code, signal) => {
        this.#alive = false
        // The channel delivers what it holds before it disconnects: an answer sent just before
        // the exit is read first (seen under load, render-answer.test.ts).
        const ended = (): void => {
          const how = signal === null ? `exit ${code}` : `signal ${signal}`
          this.#running?.settle({ kind: 'exited', how })
          resolve()
        }
        if (child.connected) {
          child.once('disconnect', ended)
        } else {
          ended()
        }
      })
    })
    this.#idle()
  }

  /**
   * Starts a render process for `isolation`, in a new render folder, with LibreOffice at
   * `officeProgram` in its view when Office documents are converted.
   */
  static async start(isolation: Isolation, officeProgram?: string): Promise<RenderProcess> {
    const folder = await createRenderFolder()
    try {
      const entry = isolation.entry ?? ENTRY
      const heapMb = Math.max(128, Math.floor(isolation.maxMemoryBytes / MIB / 2))
      const nodeArgs = [
        `--max-old-space-size=${heapMb}`,
        // V8 compiles a WebAssembly function when it is first called, not all of PDFium's 4.6 MB
        // when the module is: a render calls a fraction of it. 37 CPU-ms less for a 2-page PDF
        // (docs/benchmarks.md, "Rendering and the codec").
        '--wasm-lazy-compilation',
        // A render is short and its process new, so its first pages run code not yet compiled
        // well, and on 2 cores the background compilers took the CPU the pages needed. These
        // three flags have each function compiled sooner and more cheaply
        // (docs/benchmarks.md, "The render process's V8 flags", with the figures):
        // - a WebAssembly function stays Liftoff's quick code until it has run about 50 MB of
        //   its code (V8's default: 1.8 MB), then TurboFan optimizes it: only PDFium's truly hot
        //   functions are optimized, where most were, at a cost greater than their gain;
        '--wasm-tiering-budget=50000000',
        // - JavaScript gets Sparkplug's baseline code when first called instead of being
        //   interpreted until it is warm: the binarizer's and codec's loops on the first page;
        '--always-sparkplug',
        // - a hot loop's optimized code is compiled at once on this thread, not queued for a
        //   background thread that the page threads keep busy.
        '--no-concurrent-osr',
        // gc(), which the render process calls to free the bitmaps of pages it has written
        // (render-process.ts, collectWrittenPages).
        '--expose-gc',
      ]
      if (entry.pathname.endsWith('.ts')) {
        nodeArgs.push('--import', import.meta.resolve('tsx'))
      }
      const view = renderView(folder, entry, officeProgram, {
        // Node.js finds its IPC channel through these (the child_process documentation, fork()).
        NODE_CHANNEL_FD: String(IPC_FD),
        NODE_CHANNEL_SERIALIZATION_MODE: 'json',
      })
      const confined = confine(isolation.sandbox, view, process.execPath, [
        ...nodeArgs,
        fileURLToPath(entry),
      ])
      const child = spawn(confined.command, confined.args, {
        env: confined.env,
        cwd: confined.cwd,
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      })
      return new RenderProcess(child, folder, isolation)
    } catch (error) {
      await removeRenderFolder(folder)
      throw error
    }
  }

  /** Whether it can take a job: alive, idle, and not leaving. */
  get ready(): boolean {
    return this.#alive && this.#takesMore && this.#running === undefined
  }

  /** Jobs it has been given. */
  get jobs(): number {
    return this.#jobs
  }

  /**
   * Renders `job`. `signal` ends it early: the process (and all it started) is killed, and the
   * signal's reason is thrown. A job that goes past the isolation's time or memory kills the
   * process too, and fails with a RenderingError that says which.
   */
  async render(
    job: RenderJob,
    onProgress: (progress: RenderProgress) => void = () => {},
    signal?: AbortSignal,
  ): Promise<{ pages: number; bytes: number }> {
    signal?.throwIfAborted()
    if (!this.ready) {
      throw new Error('the render process takes no job now')
    }
    this.#jobs++
    this.#busy()
    const staged = await stageJob(job, this.#folder)
    try {
      const result = await this.#run(staged, onProgress, signal)
      await moveFile(staged.outputPath, job.outputPath)
      return result
    } finally {
      await clearFolder(this.#folder)
      this.#idle()
    }
  }

  /**
   * Tells the process to leave (its channel closes), and kills it if it has not soon; answers
   * once nothing of it runs any more, and its folder is gone.
   */
  async close(): Promise<void> {
    if (this.#alive) {
      // What runs under it now, to be waited for (untilEnded) once it has gone.
      const inside = this.#child.pid === undefined ? [] : await descendantsOf(this.#child.pid)
      this.#takesMore = false
      if (this.#child.connected) {
        this.#child.disconnect()
      } else {
        this.#child.kill('SIGKILL')
      }
      const late = setTimeout(() => {
        this.#child.kill('SIGKILL')
      }, LEAVE_MS)
      await this.#exited
      clearTimeout(late)
      await untilEnded(() => inside.filter(isRunning))
    } else {
      // It left by itself: what it ran is found by its command line.
      await untilEnded(async () => processesMentioning(this.#folder.root))
    }
    await removeRenderFolder(this.#folder)
  }

  /**
   * Tells the process to leave and removes its folder, without waiting for it to go: for a
   * program that ends next (`faxd render`), whose render has answered, and which waited 5–10 ms
   * more for Node.js to end in there. Nothing of the process keeps this program running any more
   * (not its exit, not its standard error); a sandboxed one ends with this program in any case
   * (bwrap --die-with-parent), and one still there after LEAVE_MS is killed if this program is.
   */
  async letGo(): Promise<void> {
    this.#takesMore = false
    if (this.#alive) {
      if (this.#child.connected) {
        this.#child.disconnect()
      } else {
        this.#child.kill('SIGKILL')
      }
      this.#child.unref()
      ;(this.#child.stderr as { unref?: () => void } | null)?.unref?.()
      setTimeout(() => {
        this.#child.kill('SIGKILL')
      }, LEAVE_MS).unref()
    }
    await removeRenderFolder(this.#folder)
  }

  #run(
    job: RenderJob,
    onProgress: (progress: RenderProgress) => void,
    signal: AbortSignal | undefined,
  ): Promise<{ pages: number; bytes: number }> {
    const { timeoutMs, maxMemoryBytes } = this.#isolation
    return new Promise((resolve, reject) => {
      const abort = (): void => {
        this.#running?.settle({ kind: 'aborted', reason: signal?.reason })
      }
      signal?.addEventListener('abort', abort, { once: true })
      const timer = setTimeout(() => {
        this.#kill(`the pages took longer than ${Math.round(timeoutMs / 1000)} s to prepare`)
      }, timeoutMs)
      const watch = setInterval(() => {
        const pid = this.#child.pid
        if (pid === undefined) {
          return
        }
        void treeResidentBytes(pid).then((bytes) => {
          if (bytes > maxMemoryBytes) {
            this.#kill(
              `preparing the pages needed more than ${Math.round(maxMemoryBytes / MIB)} MB`,
            )
          }
        })
      }, MEMORY_POLL_MS)

      this.#running = {
        onProgress,
        settle: (outcome) => {
          this.#running = undefined
          clearTimeout(timer)
          clearInterval(watch)
          signal?.removeEventListener('abort', abort)
          if (outcome.kind !== 'answered') {
            // Whatever it was doing is not wanted any more: killing bwrap (or the plain child)
            // ends everything the render started.
            this.#takesMore = false
            this.#child.kill('SIGKILL')
          }
          settleJob(outcome, this.#stderr, resolve, reject)
        },
      }
      if (!this.#alive || !this.#child.connected) {
        this.#running.settle({ kind: 'exited', how: 'before the job' })
        return
      }
      this.#child.send(job)
    })
  }

  #kill(reason: string): void {
    this.#running?.settle({ kind: 'killed', reason })
    this.#takesMore = false
    this.#child.kill('SIGKILL')
  }

  /** A render process waiting for a job keeps this one from exiting no more than a timer would. */
  #idle(): void {
    this.#child.unref()
    ;(this.#child.channel as { unref?: () => void } | null | undefined)?.unref?.()
  }

  #busy(): void {
    this.#child.ref()
    ;(this.#child.channel as { ref?: () => void } | null | undefined)?.ref?.()
  }
}

function settleJob(
  outcome: Outcome,
  stderr: string,
  resolve: (result: { pages: number; bytes: number }) => void,
  reject: (error: unknown) => void,
): void {
  switch (outcome.kind) {
    case 'aborted': {
      const { reason } = outcome
      reject(
        reason instanceof Error ? reason : new Error(`the render was stopped: ${String(reason)}`),
      )
      return
    }
    case 'killed':
      reject(new RenderingError('failed_convert_to_tiff_issue', outcome.reason))
      return
    case 'answered': {
      const { message } = outcome
      if (message.type === 'done') {
        resolve({ pages: message.pages, bytes: message.bytes })
      } else if (message.type === 'failed') {
        reject(new RenderingError(message.status, message.message))
      }
      return
    }
    case 'exited': {
      const last = stderr.trim().split('\n').at(-1) ?? ''
      reject(
        new RenderingError(
          'failed_convert_to_tiff_issue',
          `the render process ended without an answer (${outcome.how})${last === '' ? '' : `: ${last}`}`,
        ),
      )
    }
  }
}

/**
 * Waits until `left` finds no process of a render running. bwrap exits as soon as the process
 * inside has told it the command's exit status, which can be before that process (the sandbox's
 * PID 1) has ended the others and itself (seen under load: hostile.test.ts found it a moment
 * after the render had answered). A process left after LEAVE_MS is killed; one that cannot be
 * is given up on after as long again.
 */
async function untilEnded(left: () => number[] | Promise<number[]>): Promise<void> {
  const deadline = performance.now() + LEAVE_MS
  for (;;) {
    const running = await left()
    if (running.length === 0 || performance.now() > deadline + LEAVE_MS) {
      return
    }
    if (performance.now() > deadline) {
      for (const pid of running) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // Gone meanwhile.
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/** Whether `pid` is a process that has not ended (proc(5): no zombie, state Z). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** The job as the render process sees it: its documents copied into the folder's input. */
async function stageJob(job: RenderJob, folder: RenderFolder): Promise<RenderJob> {
  const documentPaths: string[] = []
  for (const [index, source] of job.documentPaths.entries()) {
    const staged = path.join(folder.input, `document-${index + 1}`)
    await copyFile(source, staged)
    documentPaths.push(staged)
  }
  let cover = job.cover
  if (cover?.logoPath !== undefined) {
    const logoPath = path.join(folder.input, 'logo')
    await copyFile(cover.logoPath, logoPath)
    cover = { ...cover, logoPath }
  }
  return {
    ...job,
    documentPaths,
    ...(cover === undefined ? {} : { cover }),
    outputPath: path.join(folder.output, 'fax.tif'),
  }
}

/** Takes a job's documents and output out of the folder: nothing of it stays for the next. */
async function clearFolder(folder: RenderFolder): Promise<void> {
  for (const each of [folder.input, folder.output]) {
    const names = await readdir(each).catch((): string[] => [])
    await Promise.all(
      names.map(async (name) => rm(path.join(each, name), { recursive: true, force: true })),
    )
  }
}

/**
 * Moves the finished TIFF-F to where it was asked for: a rename, or (to another filesystem) a
 * copy that is on disk before it takes its name.
 */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to)
    return
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') {
      throw error
    }
  }
  const partial = `${to}.partial`
  try {
    await copyFile(from, partial)
    const handle = await open(partial, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(partial, to)
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
}
