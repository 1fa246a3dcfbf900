/**
 * Renders a fax in a child process of its own, so that a document that crashes a renderer, or
 * runs away in time or memory, fails that fax and never the service; and, where the host can
 * make one, in a sandbox (render-sandbox.ts), so that a document can reach nothing but its own
 * fax: no network, no other account's files. The documents are copied into the render's folder
 * first, and the TIFF-F comes out of it.
 *
 * Limits: the child gets a JavaScript heap limit; the resident memory of everything it runs
 * (LibreOffice included) is watched from here and the render is killed past `maxMemoryBytes`; it
 * is killed too at `timeoutMs`. In a sandbox, killing bwrap ends every process inside; without
 * one, LibreOffice carries its own timer (office-conversion.ts) that outlives the child.
 */
import { spawn } from 'node:child_process'
import { copyFile, open, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Sandbox } from '../sandbox/sandbox.js'
import { confine } from '../sandbox/sandbox.js'
import { treeResidentBytes } from '../sandbox/process-tree.js'
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
  /** Wall time for the whole fax. */
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

/**
 * Renders `job` in a render process. `signal` ends it early: the process (and all it started)
 * is killed, and the signal's reason is thrown.
 */
export async function renderIsolated(
  job: RenderJob,
  isolation: Isolation,
  onProgress: (progress: RenderProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<{ pages: number; bytes: number }> {
  signal?.throwIfAborted()
  const folder = await createRenderFolder()
  try {
    const staged = await stageJob(job, folder)
    const result = await runRenderProcess(staged, folder, isolation, onProgress, signal)
    await moveFile(staged.outputPath, job.outputPath)
    return result
  } finally {
    await removeRenderFolder(folder)
  }
}

/** Render jobs run by renderIsolated with `isolation`: what the service renders with. */
export function inIsolation(
  isolation: Isolation,
): (
  job: RenderJob,
  onProgress: (progress: RenderProgress) => void,
  signal?: AbortSignal,
) => Promise<{ pages: number; bytes: number }> {
  return (job, onProgress, signal) => renderIsolated(job, isolation, onProgress, signal)
}

/** Whether renders can run in `sandbox` here: null, or why not (see probeRenderSandbox). */
export function probeRenderIsolation(sandbox: Sandbox): Promise<string | null> {
  return probeRenderSandbox(sandbox, ENTRY)
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

function runRenderProcess(
  job: RenderJob,
  folder: RenderFolder,
  isolation: Isolation,
  onProgress: (progress: RenderProgress) => void,
  signal: AbortSignal | undefined,
): Promise<{ pages: number; bytes: number }> {
  const entry = isolation.entry ?? ENTRY
  const heapMb = Math.max(128, Math.floor(isolation.maxMemoryBytes / MIB / 2))
  const nodeArgs = [
    `--max-old-space-size=${heapMb}`,
    // V8 compiles a WebAssembly function when it is first called, not all of PDFium's 4.6 MB
    // when the module is: a render calls a fraction of it. 37 CPU-ms less for a 2-page PDF
    // (docs/benchmarks.md, "Rendering and the codec").
    '--wasm-lazy-compilation',
  ]
  if (entry.pathname.endsWith('.ts')) {
    nodeArgs.push('--import', import.meta.resolve('tsx'))
  }
  const view = renderView(folder, entry, job.settings.office?.program, {
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

  return new Promise((resolve, reject) => {
    let outcome: RenderMessage | undefined
    let killedFor: string | undefined
    let stderr = ''
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000)
    })

    const kill = (reason: string): void => {
      killedFor ??= reason
      child.kill('SIGKILL')
    }
    // Aborted: killing bwrap (or the plain child) ends everything the render started.
    let abortedWith: { reason: unknown } | undefined
    const abort = (): void => {
      abortedWith ??= { reason: signal?.reason }
      child.kill('SIGKILL')
    }
    signal?.addEventListener('abort', abort, { once: true })
    const timer = setTimeout(() => {
      kill(`the pages took longer than ${Math.round(isolation.timeoutMs / 1000)} s to prepare`)
    }, isolation.timeoutMs)
    const watch = setInterval(() => {
      if (child.pid === undefined) {
        return
      }
      void treeResidentBytes(child.pid).then((bytes) => {
        if (bytes > isolation.maxMemoryBytes) {
          kill(
            `preparing the pages needed more than ${Math.round(isolation.maxMemoryBytes / MIB)} MB`,
          )
        }
      })
    }, MEMORY_POLL_MS)

    child.on('message', (message: RenderMessage) => {
      if (message.type === 'progress') {
        onProgress(message)
      } else {
        outcome = message
      }
    })
    child.on('error', (error) => {
      kill(`the render process failed: ${error.message}`)
    })
    child.on('exit', (code, exitSignal) => {
      clearTimeout(timer)
      clearInterval(watch)
      signal?.removeEventListener('abort', abort)
      // The process can be gone before its last message is read from the IPC channel (seen under
      // load: "ended without an answer (exit 0)" for a render that had answered): the channel
      // delivers what it holds, then disconnects.
      if (child.connected) {
        child.once('disconnect', () => {
          settle(code, exitSignal)
        })
      } else {
        settle(code, exitSignal)
      }
    })
    const settle = (code: number | null, exitSignal: NodeJS.Signals | null): void => {
      if (abortedWith !== undefined) {
        const { reason } = abortedWith
        reject(
          reason instanceof Error ? reason : new Error(`the render was stopped: ${String(reason)}`),
        )
      } else if (killedFor !== undefined) {
        reject(new RenderingError('failed_convert_to_tiff_issue', killedFor))
      } else if (outcome?.type === 'done') {
        resolve({ pages: outcome.pages, bytes: outcome.bytes })
      } else if (outcome?.type === 'failed') {
        reject(new RenderingError(outcome.status, outcome.message))
      } else {
        const how = exitSignal === null ? `exit ${code}` : `signal ${exitSignal}`
        const last = stderr.trim().split('\n').at(-1) ?? ''
        reject(
          new RenderingError(
            'failed_convert_to_tiff_issue',
            `the render process ended without an answer (${how})${last === '' ? '' : `: ${last}`}`,
          ),
        )
      }
    }
    child.send(job)
  })
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
