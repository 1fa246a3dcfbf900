/**
 * `faxd worker` as a child process that the crash test can kill outright: SIGKILL, no handler
 * runs, the job in hand stays leased to a process that is gone. Its pid is the one in its worker
 * name (`host:pid:…`, src/main.ts), so the test can see in the jobs table what it held. Its
 * output (logs and messages) is kept whole, for the report. A render child it had forked is not killed with it: it
 * finishes on its own, as it would after a real crash.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { BIN } from '../support/faxd-process.js'

export interface WorkerProcess {
  readonly pid: number
  /** True once it has said it started (LOG_LEVEL info), until it exits. */
  ready(): boolean
  /** True while the process has not exited. */
  running(): boolean
  /** True when it exited without being sent a signal by kill() or stop(). */
  crashed(): boolean
  /** Everything it wrote so far: its pino JSON lines (stdout), then its messages (stderr). */
  log(): string
  /** SIGSTOP: it stops where it is, and writes nothing more until resume(). */
  pause(): void
  /** SIGCONT after pause(). */
  resume(): void
  /** SIGKILL; resolves once it has exited. */
  kill(): Promise<void>
  /** SIGTERM (the job in hand finishes); resolves once it has exited. */
  stop(): Promise<void>
}

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'worker'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const pid = child.pid
  if (pid === undefined) {
    throw new Error('faxd worker did not start')
  }
  let stderr = ''
  let exited = false
  let ready = false
  let signalled = false
  child.once('exit', () => {
    exited = true
  })
  let log = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    log += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    ready ||= stderr.includes('faxd worker started')
  })
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (exited || child.exitCode !== null || child.signalCode !== null) {
      return
    }
    signalled = true
    const done = once(child, 'exit')
    child.kill(name)
    // A paused worker (pause()) acts on SIGTERM only once it runs again.
    child.kill('SIGCONT')
    await done
  }
  return {
    pid,
    ready: () => ready && !exited,
    running: () => !exited,
    crashed: () => exited && !signalled,
    log: () => log + stderr,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    kill: async () => signal('SIGKILL'),
    stop: async () => signal('SIGTERM'),
  }
}
