/**
 * A PostgreSQL cluster of a test's own, on its own port, that the test may stop and start: made
 * with Debian's initdb and pg_ctl (the newest under /usr/lib/postgresql/<version>/bin), run as
 * the `postgres` OS user (PostgreSQL refuses to run as root), its data folder in a temp folder
 * owned by that user. Trust authentication on 127.0.0.1; fsync off (the test is about
 * connections, not durability). `remove()` stops it at once and deletes the folder.
 */
import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const POSTGRES_USER = 'postgres'

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string
  readonly port: number
  start(): Promise<void>
  /** pg_ctl stop -m <mode>: `fast` ends sessions and checkpoints; `immediate` is a crash. */
  stop(mode: 'fast' | 'immediate'): Promise<void>
  remove(): Promise<void>
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  const newest = versions[0]
  if (newest === undefined) {
    throw new Error(`no PostgreSQL server programs under ${root}: apt-get install postgresql`)
  }
  return join(root, newest, 'bin')
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') {
    throw new Error('no port')
  }
  return address.port
}

async function asPostgres(program: string, args: readonly string[]): Promise<void> {
  await run('runuser', ['-u', POSTGRES_USER, '--', program, ...args], { timeout: 60_000 })
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin()
  const folder = await mkdtemp(join(tmpdir(), 'faxd-pg-'))
  const { stdout } = await run('id', ['-u', POSTGRES_USER])
  const { stdout: gid } = await run('id', ['-g', POSTGRES_USER])
  await chown(folder, Number(stdout.trim()), Number(gid.trim()))
  const data = join(folder, 'data')
  const port = await freePort()
  const pgCtl = join(bin, 'pg_ctl')
  await asPostgres(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    POSTGRES_USER,
    '-A',
    'trust',
    '--no-sync',
    '--no-instructions',
  ])
  const serverOptions = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${folder}`,
    '-c fsync=off',
    '-c max_connections=50',
  ].join(' ')
  const cluster: PrivatePostgres = {
    url: `postgres://${POSTGRES_USER}@127.0.0.1:${port}/postgres`,
    port,
    start: () =>
      asPostgres(pgCtl, [
        '-D',
        data,
        '-o',
        serverOptions,
        '-l',
        join(folder, 'log'),
        '-w',
        'start',
      ]),
    stop: (mode) => asPostgres(pgCtl, ['-D', data, '-m', mode, '-w', 'stop']),
    remove: async () => {
      await cluster.stop('immediate').catch(() => {
        // Already stopped.
      })
      await rm(folder, { recursive: true, force: true })
    },
  }
  try {
    await cluster.start()
  } catch (error) {
    await rm(folder, { recursive: true, force: true })
    throw error
  }
  return cluster
}
