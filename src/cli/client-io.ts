/**
 * What a client command reaches the world through: its output streams, the clock, a pause that
 * Ctrl-C cuts short, and the API of the server it is logged in to. The commands take it as an
 * argument, so that they say nothing of where it comes from (clientIo() below, for the process).
 */
import type { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { FaxdApi } from '../client/faxd-api.js'
import { currentLogin } from '../client/saved-login.js'

export interface ClientIo {
  readonly stdout: Writable & { isTTY?: boolean; columns?: number }
  readonly stderr: Writable & { isTTY?: boolean; columns?: number }
  readonly env: NodeJS.ProcessEnv
  /** Aborted when the person at the terminal presses Ctrl-C (SIGINT). */
  readonly signal: AbortSignal
  now(): number
  /** Waits `ms`; rejects with the signal's reason if it is aborted first. */
  sleep(ms: number): Promise<void>
  /** The API of the server the command line is logged in to. */
  api(): Promise<FaxdApi>
}

/** The process's own: its streams, environment, clock, and SIGINT. */
export function clientIo(signal: AbortSignal): ClientIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal,
    now: () => Date.now(),
    sleep: async (ms) => sleep(ms, undefined, { signal }),
    api: async () => new FaxdApi(await currentLogin(process.env), signal),
  }
}

/**
 * A command line that is well formed but cannot be carried out as it stands (a file that cannot
 * be read, a download that would overwrite a file): said in words, exit status 1, no usage.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError'
}
