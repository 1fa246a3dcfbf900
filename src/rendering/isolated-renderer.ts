/**
 * Renders a fax in a child process of its own, so that a document that crashes a renderer, or
 * runs away in time or memory, fails that fax and never the service. The child gets a JavaScript
 * heap limit; its resident memory (native decoders and canvases included) is watched from here
 * and the child is killed past `maxMemoryBytes`; it is killed too at `timeoutMs`. LibreOffice,
 * when the child starts it, carries its own timer (office-conversion.ts) that outlives the child.
 */
import { fork } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { RenderProgress } from './render-fax.js'
import type { RenderJob, RenderMessage } from './render-job.js'
import { RenderingError } from './rendering-error.js'

export interface IsolationLimits {
  /** Wall time for the whole fax. */
  readonly timeoutMs: number
  /** Resident memory of the render process. */
  readonly maxMemoryBytes: number
}

const MEMORY_POLL_MS = 100
const MIB = 1024 * 1024

/** The render process's entry, beside this file: .ts when running from sources, .js when built. */
const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './render-process.ts' : './render-process.js',
  import.meta.url,
)

export function renderIsolated(
  job: RenderJob,
  limits: IsolationLimits,
  onProgress: (progress: RenderProgress) => void = () => {},
): Promise<{ pages: number; bytes: number }> {
  const heapMb = Math.max(128, Math.floor(limits.maxMemoryBytes / MIB / 2))
  const execArgv = [`--max-old-space-size=${heapMb}`]
  if (ENTRY.pathname.endsWith('.ts')) {
    execArgv.push('--import', import.meta.resolve('tsx'))
  }
  const child = fork(ENTRY, [], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })

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
    const timer = setTimeout(() => {
      kill(`the pages took longer than ${Math.round(limits.timeoutMs / 1000)} s to prepare`)
    }, limits.timeoutMs)
    const watch = setInterval(() => {
      void residentBytes(child.pid).then((bytes) => {
        if (bytes > limits.maxMemoryBytes) {
          kill(`preparing the pages needed more than ${Math.round(limits.maxMemoryBytes / MIB)} MB`)
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
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      clearInterval(watch)
      if (killedFor !== undefined) {
        reject(new RenderingError('failed_convert_to_tiff_issue', killedFor))
      } else if (outcome?.type === 'done') {
        resolve({ pages: outcome.pages, bytes: outcome.bytes })
      } else if (outcome?.type === 'failed') {
        reject(new RenderingError(outcome.status, outcome.message))
      } else {
        const how = signal === null ? `exit ${code}` : `signal ${signal}`
        const last = stderr.trim().split('\n').at(-1) ?? ''
        reject(
          new RenderingError(
            'failed_convert_to_tiff_issue',
            `the render process ended without an answer (${how})${last === '' ? '' : `: ${last}`}`,
          ),
        )
      }
    })
    child.send(job)
  })
}

/** VmRSS of a process, from /proc (Linux); 0 where that cannot be read. */
async function residentBytes(pid: number | undefined): Promise<number> {
  if (pid === undefined) {
    return 0
  }
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status)
    return match ? Number(match[1]) * 1024 : 0
  } catch {
    return 0
  }
}
