/**
 * `faxd serve` or `faxd worker` in a child process whose end a test can see: unlike
 * faxd-process.ts, it keeps the child, so a test can assert that the process is still running
 * (and read what it logged when it is not). Stopped with SIGTERM, as a service manager would.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { BIN } from './faxd-process.js'

export interface FaxdChild {
  /** The API's URL (serve only). */
  readonly url: string
  /** Null while it runs; how it ended otherwise. */
  exit(): string | null
  /** Everything it wrote so far: its logs (stdout), then its messages (stderr). */
  output(): string
  stop(): Promise<void>
}

/** Starts `faxd <command>`; resolves once its stderr shows `ready`. */
export async function startFaxdChild(
  command: 'serve' | 'worker',
  env: Record<string, string>,
): Promise<FaxdChild> {
  const child: ChildProcess = spawn(process.execPath, [BIN, command], {
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let logs = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    logs += chunk
  })
  let stderr = ''
  let exit: string | null = null
  child.once('exit', (code, signal) => {
    exit = signal ?? `code ${String(code)}`
  })
  const ready =
    command === 'serve' ? /faxd listening on (http:\/\/\S+) \(API at/ : /faxd worker started/
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      const match = ready.exec(stderr)
      if (match) {
        resolve(match[1] ?? '')
      }
    })
    child.once('close', () => {
      reject(
        new Error(
          `faxd ${command} exited (${String(exit)}) before it was ready:\n${logs}${stderr}`,
        ),
      )
    })
  })
  return {
    url,
    exit: () => exit,
    output: () => logs + stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return
      }
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    },
  }
}
