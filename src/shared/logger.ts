/**
 * The one logger of every faxd process: pino's JSON lines, each passed through redactSecrets on
 * its way out, whatever wrote it (a request log, an error's message or stack, a worker's
 * notice). Redacting the finished line, rather than chosen fields, means no route, job or
 * library has to know which of its values are secrets.
 */
import pino from 'pino'
import { redactSecrets } from './secret-redaction.js'

/** Where the lines go: standard output by default, anything with write() in tests. */
export interface LogDestination {
  write(line: string): unknown
}

export type Logger = pino.Logger

export function createLogger(level: string, destination: LogDestination = process.stdout): Logger {
  return pino({ level }, { write: (line: string) => destination.write(redactSecrets(line)) })
}
