/**
 * Configuration from the environment, read and checked once. The same variables serve the
 * server and the operator CLI, so both always open the same store.
 *   FAXD_DATA     folder for the embedded database and files (default ./data)
 *   DATABASE_URL  postgres://… to use PostgreSQL instead of the embedded SQLite
 *   PORT, HOST    where `faxd serve` listens (default 8080 on 127.0.0.1)
 *   LOG_LEVEL     pino level for the server (default info)
 */
import { resolve } from 'node:path'

export interface Config {
  readonly dataDir: string
  readonly databaseUrl: string | null
  readonly port: number
  readonly host: string
  readonly logLevel: string
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env['PORT'] ?? '8080')
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a port number, not ${JSON.stringify(env['PORT'])}`)
  }
  const databaseUrl = env['DATABASE_URL'] || null
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      'DATABASE_URL must start with postgres:// (leave it unset for the embedded SQLite)',
    )
  }
  const logLevel = env['LOG_LEVEL'] ?? 'info'
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)
  }
  return {
    dataDir: resolve(env['FAXD_DATA'] || './data'),
    databaseUrl,
    port,
    host: env['HOST'] || '127.0.0.1',
    logLevel,
  }
}
