/**
 * A script beside a test, to run in a child process as the test itself runs: its compiled .js
 * when the test runs from .build/ (npm test), its .ts through tsx when the test runs from the
 * sources. Loading a process's modules through tsx costs it about a CPU-second more.
 */
import { fileURLToPath } from 'node:url'

export interface SiblingScript {
  /** The script's path. */
  readonly path: string
  /** What Node.js needs before the path to run it. */
  readonly execArgv: readonly string[]
}

/** The script named `name` (without extension) beside the module at `self` (import.meta.url). */
export function siblingScript(self: string, name: string): SiblingScript {
  const compiled = self.endsWith('.js')
  return {
    path: fileURLToPath(new URL(`./${name}${compiled ? '.js' : '.ts'}`, self)),
    execArgv: compiled ? [] : ['--import', 'tsx'],
  }
}
