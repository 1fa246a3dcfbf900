/**
 * `faxd worker` as a child process that the crash test can kill outright: SIGKILL, no handler
 * runs, the job in hand stays leased to a process that is gone. Its pid is the one in its worker
 * name (`host:pid:…`, src/main.ts), so the test can see in the jobs table what it held. Its
 * stderr is kept whole, for the report. A render child it had forked is not killed with it: it
 * finishes on its own, as it would after a real crash.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { BIN } from '../support/faxd-process.js'

export interface WorkerProcess {
  readonly pid: number
  /** Resolves once the worker has said it started (LOG_LEVEL info); rejects if it exits first. */
  readonly started: Promise<void>
  /** True once it has said it started. */
  ready(): boolean
  /** True while the process has not exited. */
  running(): boolean
  /** Everything it wrote on stderr so far (pino JSON lines). */
  log(): string
  /** SIGKILL; resolves once it has exited. */
  kill(): Promise<void>
  /** SIGTERM (the job in hand finishes); resolves once it has exited. */
  stop(): Promise<void>
}

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'worker'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const pid = child.pid
  if (pid === undefined) {
    throw new Error('faxd worker did not start')
  }
  let stderr = ''
  let exited = false
  let ready = false
  child.once('exit', () => {
    exited = true
  })
  const started = new Promise<void>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      if (!ready && stderr.includes('faxd worker started')) {
        ready = true
        resolve()
      }
    })
    child.once('close', (code, signal) => {
      reject(
        new Error(
          `faxd worker ${pid} exited (${signal ?? String(code)}) before starting:\n${stderr}`,
        ),
      )
    })
  })
  // A worker killed before it started is expected here; whoever awaits `started` sees why.
  started.catch(() => {})
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (exited || child.exitCode !== null || child.signalCode !== null) {
      return
    }
    const done = once(child, 'exit')
    child.kill(name)
    await done
  }
  return {
    pid,
    started,
    ready: () => ready && !exited,
    running: () => !exited,
    log: () => stderr,
    kill: async () => signal('SIGKILL'),
    stop: async () => signal('SIGTERM'),
  }
}
