/**
 * faxd as operators start it: `node bin/faxd.js serve` (or `worker`) in a child process, with
 * its stderr read for as long as it runs, and stopped with SIGTERM as a service manager would.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'faxd.js')

export interface FaxdProcess {
  readonly url: string
  stop(): Promise<void>
  /** SIGKILL, as a crash or the OOM killer would end it; resolves once it is gone. */
  kill(): Promise<void>
}

/** `faxd serve` on a free port of 127.0.0.1; resolves once it listens. */
export async function serve(env: Record<string, string>): Promise<FaxdProcess> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  // Read stderr for as long as the child runs, so that a full pipe never blocks it.
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const match = /faxd listening on (http:\/\/\S+) \(API at/.exec(stderr)
      if (match?.[1] !== undefined) {
        settle()
        resolve(match[1])
      }
    }
    // 'close', not 'exit': by then stderr has been read to its end.
    const onClose = (code: number | null, signal: NodeJS.Signals | null): void => {
      settle()
      reject(
        new Error(
          `faxd serve exited (${signal ?? `code ${String(code)}`}) before listening:\n${stderr}`,
        ),
      )
    }
    const onError = (error: Error): void => {
      settle()
      reject(error)
    }
    const settle = (): void => {
      child.stderr?.off('data', onData)
      child.off('close', onClose)
      child.off('error', onError)
    }
    child.stderr?.on('data', onData)
    child.once('close', onClose)
    child.once('error', onError)
  })
  return {
    url,
    stop: async () => stopChild(child),
    kill: async () => stopChild(child, 'SIGKILL'),
  }
}

/** `faxd worker`; resolves once it has started. */
export async function startWorker(env: Record<string, string>): Promise<{ stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'worker'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  await new Promise<void>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      if (stderr.includes('faxd worker started')) {
        resolve()
      }
    })
    child.once('close', (code) => {
      reject(new Error(`faxd worker exited (code ${String(code)}) before starting:\n${stderr}`))
    })
  })
  return { stop: async () => stopChild(child) }
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return
  }
  const exited = once(child, 'exit')
  child.kill(signal)
  await exited
}
