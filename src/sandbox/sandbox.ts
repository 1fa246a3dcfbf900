/**
 * Untrusted work (an uploaded document being converted and drawn) runs confined, in a box that
 * can reach nothing else: no network, no other process, and a filesystem that holds only what the
 * work needs. bubblewrap (`bwrap`, bubblewrap.ts) builds the box from Linux namespaces. An
 * operator whose host cannot make namespaces may turn confinement off (FAXD_SANDBOX=none,
 * docs/sandbox.md), and then a confined command is run as it is.
 */
import { existsSync } from 'node:fs'
import { bubblewrapArguments, readRootLinks } from './bubblewrap.js'
import type { SandboxView } from './sandbox-view.js'

export type { SandboxView } from './sandbox-view.js'

export type Sandbox =
  | {
      readonly kind: 'bubblewrap'
      /** The bwrap program (an absolute path, or a name looked up on PATH). */
      readonly program: string
      /**
       * Host paths the work must never see, even where they lie inside a path it is given: the
       * data folder (every account's files) above all.
       */
      readonly hidden: readonly string[]
    }
  | { readonly kind: 'none' }

/** A command line to start as it is (spawn), and the environment to start it with. */
export interface ConfinedCommand {
  readonly command: string
  readonly args: readonly string[]
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
}

/**
 * `command args…` confined to `view`. Without a sandbox, the command runs as asked, reaching
 * what this process reaches, but still with the view's environment only: none of this process's
 * variables (database URLs, object storage credentials) are handed to it.
 */
export function confine(
  sandbox: Sandbox,
  view: SandboxView,
  command: string,
  args: readonly string[],
): ConfinedCommand {
  if (sandbox.kind === 'none') {
    return { command, args, env: { ...view.env }, cwd: view.cwd }
  }
  return {
    command: sandbox.program,
    args: [
      // A path that does not exist needs no hiding (and bwrap could not cover it inside a
      // read-only bind).
      ...bubblewrapArguments(view, sandbox.hidden.filter(existsSync), readRootLinks()),
      '--',
      command,
      ...args,
    ],
    // bwrap itself needs nothing; --clearenv empties the environment inside in any case.
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    cwd: '/',
  }
}
