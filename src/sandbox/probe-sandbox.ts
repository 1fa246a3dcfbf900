/**
 * Whether a sandbox can start on this host, asked once at start-up by running a harmless
 * command in it: bwrap may be missing, or the kernel may refuse it namespaces (a container
 * without the privilege to make them, user namespaces turned off).
 */
import { spawn } from 'node:child_process'
import type { Sandbox, SandboxView } from './sandbox.js'
import { confine } from './sandbox.js'

const PROBE_TIMEOUT_MS = 15_000

/** null when `command args…` ran and exited 0 in the sandbox; else why it did not. */
export function probeSandbox(
  sandbox: Sandbox,
  view: SandboxView,
  command: string,
  args: readonly string[],
): Promise<string | null> {
  const confined = confine(sandbox, view, command, args)
  return new Promise((resolve) => {
    const child = spawn(confined.command, confined.args, {
      env: confined.env,
      cwd: confined.cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: PROBE_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    })
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000)
    })
    child.on('error', (error) => {
      resolve(`${confined.command} cannot be started: ${error.message}`)
    })
    child.on('close', (code, signal) => {
      if (code === 0) {
        resolve(null)
        return
      }
      const how = signal === null ? `exit ${code}` : `killed by ${signal}`
      const last = stderr.trim().split('\n').at(-1) ?? ''
      resolve(`${confined.command} failed (${how})${last === '' ? '' : `: ${last}`}`)
    })
  })
}
