/**
 * The client part of `faxd`: commands that speak HTTP to a faxd server like any other client
 * (login, logout, send, status, faxes list, download). They print words for people on a
 * terminal; `--json` on status and faxes list prints the API's answer for scripts.
 */
import { createWriteStream } from 'node:fs'
import { access, rename, rm } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { Transform } from 'node:stream'
import type {
  AccountAnswer,
  AttemptAnswer,
  FaxAnswer,
  OutboxAnswer,
} from '../client/api-answers.js'
import { ApiRequestError, FaxdApi, ServerUnreachableError } from '../client/faxd-api.js'
import { describeStage, stageInOutbox } from '../client/send-progress.js'
import {
  forgetLogin,
  NotLoggedInError,
  saveLogin,
  savedLoginPath,
  serverRoot,
} from '../client/saved-login.js'
import { integerValue, optionalValue, parse, requireValue } from './arguments.js'
import { clientIo, type ClientIo, CommandError } from './client-io.js'
import { COMMAND_HELP } from './help.js'
import { formatSize, progressDisplay } from './progress-display.js'
import { endOf, sendCommand } from './send-command.js'
import { UsageError } from './usage-error.js'

/**
 * The exit statuses of the client commands. `faxd send --wait` tells its ends apart: every
 * destination got every page (0), some got something (3), none got a page (4).
 */
export const CLIENT_EXIT = {
  success: 0,
  error: 1,
  usage: 2,
  partial: 3,
  failure: 4,
  /** Ctrl-C: 128 + SIGINT, as shells report it. */
  interrupted: 130,
} as const

type ClientCommand = (args: string[], io: ClientIo) => Promise<number>

export const CLIENT_COMMANDS: Readonly<Record<string, ClientCommand>> = {
  login: async (args, io) => {
    const { values } = parse(args, { url: 'string', 'token-stdin': 'flag' })
    const url = serverRoot(requireValue(values, 'url'))
    const token = await readToken(io)
    const account = await new FaxdApi({ url, token }, io.signal).get<AccountAnswer>(
      '/accounts/self',
    )
    const path = await saveLogin({ url, token }, io.env)
    io.stdout.write(`logged in to ${url} as ${account.email}; saved in ${path}\n`)
    return CLIENT_EXIT.success
  },
  logout: async (args, io) => {
    parse(args, {})
    const path = savedLoginPath(io.env)
    io.stdout.write(
      (await forgetLogin(io.env)) ? `logged out: ${path} removed\n` : 'not logged in\n',
    )
    return CLIENT_EXIT.success
  },
  send: async (args, io) => {
    const { outcome } = await sendCommand(args, io)
    return outcome === null ? CLIENT_EXIT.success : CLIENT_EXIT[outcome]
  },
  status: async (args, io) => {
    const { values, positionals } = parse(args, { json: 'flag' }, true)
    const id = onlyId(positionals, 'an outbox or fax ID')
    const api = await io.api()
    const entry = await found(
      api.get<OutboxAnswer>(`/accounts/self/outbox/${encodeURIComponent(id)}`),
    )
    if (entry !== null) {
      if (values['json'] === true) {
        io.stdout.write(`${JSON.stringify(entry, null, 2)}\n`)
        return CLIENT_EXIT.success
      }
      const now = io.now()
      io.stdout.write(`outbox ${entry.id}: ${entry.status.replaceAll('_', ' ')}\n`)
      for (const [number, faxId] of Object.entries(entry.ids ?? {})) {
        const destination = entry.destinations?.find((d) => d.id === faxId)
        const rendered = entry.status !== 'submitted' && entry.status !== 'converting'
        const words =
          rendered && destination === undefined
            ? describeStage(await endOf(api, faxId), now)
            : describeStage(stageInOutbox(entry, destination, now), now)
        io.stdout.write(`  ${number} (fax ${faxId}): ${words}\n`)
      }
      return CLIENT_EXIT.success
    }
    const path = `/accounts/self/faxes/${encodeURIComponent(id)}`
    const fax = await found(api.get<FaxAnswer>(path))
    if (fax === null) {
      throw new ApiRequestError(404, 'not_found', `no outbox entry or fax has the id ${id}`)
    }
    const { records: attempts } = await api.get<{ records: AttemptAnswer[] }>(`${path}/attempts`)
    if (values['json'] === true) {
      io.stdout.write(`${JSON.stringify({ ...fax, attempts }, null, 2)}\n`)
      return CLIENT_EXIT.success
    }
    const other = fax.direction === 'incoming' ? `from ${fax.from}` : `to ${fax.to}`
    io.stdout.write(
      `fax ${fax.id} ${other}, ${fax.start_time} UTC: ${describeStage({ kind: 'ended', fax, attempts }, io.now())}\n`,
    )
    for (const attempt of attempts) {
      const far = [
        attempt.remote_station_id === null ? '' : `"${attempt.remote_station_id}"`,
        attempt.bit_rate === null ? '' : `${attempt.bit_rate} bit/s`,
      ]
        .filter((part) => part !== '')
        .join(', ')
      io.stdout.write(
        `  attempt ${attempt.attempt}, ${attempt.started_at}–${attempt.ended_at.slice(11)} UTC: ` +
          `${attempt.status} (${attempt.description}), pages ${attempt.pages.join(',') || 'none'}` +
          `${far === '' ? '' : `; ${far}`}\n`,
      )
    }
    return CLIENT_EXIT.success
  },
  'faxes list': async (args, io) => {
    const { values } = parse(args, { category: 'string', limit: 'string', json: 'flag' })
    const category = optionalValue(values, 'category')
    if (category !== null && !['inbox', 'sent', 'spam'].includes(category)) {
      throw new UsageError('--category must be inbox, sent or spam')
    }
    const limit = integerValue(values, 'limit', 1, 1000) ?? 20
    const {
      data: { records },
    } = await (
      await io.api()
    ).get<{ data: { records: FaxAnswer[] } }>('/accounts/self/faxes', {
      limit: String(limit),
      ...(category === null ? {} : { category }),
    })
    if (values['json'] === true) {
      io.stdout.write(`${JSON.stringify(records, null, 2)}\n`)
      return CLIENT_EXIT.success
    }
    if (records.length === 0) {
      io.stdout.write('no faxes\n')
      return CLIENT_EXIT.success
    }
    const rows = records.map((fax) => [
      fax.id,
      fax.start_time,
      fax.direction === 'incoming' ? `from ${fax.from}` : `to ${fax.to}`,
      String(fax.pages),
      fax.status,
    ])
    io.stdout.write(table(['ID', 'STARTED (UTC)', 'NUMBER', 'PAGES', 'STATUS'], rows))
    return CLIENT_EXIT.success
  },
  download: async (args, io) => {
    const { values, positionals } = parse(
      args,
      { output: 'string', format: 'string', force: 'flag' },
      true,
      { output: 'o' },
    )
    const id = onlyId(positionals, 'a fax ID')
    const output = optionalValue(values, 'output')
    const format =
      optionalValue(values, 'format') ??
      (output !== null && /\.tiff?$/i.test(output) ? 'tiff' : 'pdf')
    if (format !== 'pdf' && format !== 'tiff') {
      throw new UsageError('--format must be pdf or tiff')
    }
    const file = output ?? `fax-${id}.${format === 'pdf' ? 'pdf' : 'tif'}`
    if (values['force'] !== true && (await exists(file))) {
      throw new CommandError(`${file} exists; name another with -o, or replace it with --force`)
    }
    const download = await (
      await io.api()
    ).download(
      `/accounts/self/files/${encodeURIComponent(id)}`,
      { format },
      format === 'pdf' ? 'application/pdf' : 'image/tiff',
    )
    // Written under another name and renamed when whole: a download cut short leaves nothing.
    const partial = `${file}.partial`
    const display = progressDisplay(io.stderr)
    let received = 0
    const counting = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length
        const of = download.size === null ? '' : ` of ${formatSize(download.size)}`
        display.show([{ key: file, text: 'downloading', detail: `${formatSize(received)}${of}` }])
        done(null, chunk)
      },
    })
    try {
      await pipeline(download.body, counting, createWriteStream(partial), { signal: io.signal })
      await rename(partial, file)
    } catch (error) {
      await rm(partial, { force: true })
      throw error
    }
    display.close()
    io.stdout.write(`saved ${file} (${formatSize(received)})\n`)
    return CLIENT_EXIT.success
  },
}

/** Whether argv names a client command (rather than an operator one). */
export function isClientCommand(argv: readonly string[]): boolean {
  return clientCommandOf(argv) !== null
}

function clientCommandOf(argv: readonly string[]): { name: string; args: string[] } | null {
  const [first = '', second = ''] = argv
  if (`${first} ${second}` in CLIENT_COMMANDS) {
    return { name: `${first} ${second}`, args: argv.slice(2) }
  }
  return first in CLIENT_COMMANDS ? { name: first, args: argv.slice(1) } : null
}

/**
 * Runs a client command; answers its exit status. Errors are printed for people, on stderr:
 * `faxd send: <what went wrong> [<the API's error code>]`.
 */
export async function runClient(argv: readonly string[]): Promise<number> {
  const command = clientCommandOf(argv)
  if (command === null) {
    throw new UsageError(`unknown command: ${argv.join(' ')}`)
  }
  const interrupt = new AbortController()
  const onSigint = (): void => interrupt.abort(new Error('interrupted'))
  process.once('SIGINT', onSigint)
  const io = clientIo(interrupt.signal)
  const say = (text: string) => process.stderr.write(`faxd ${command.name}: ${text}\n`)
  try {
    return await CLIENT_COMMANDS[command.name]!(command.args, io)
  } catch (error) {
    if (interrupt.signal.aborted) {
      say(
        command.name === 'send'
          ? 'interrupted; a fax already accepted goes on (faxd status shows it)'
          : 'interrupted',
      )
      return CLIENT_EXIT.interrupted
    }
    if (error instanceof UsageError) {
      say(error.message)
      const usage = COMMAND_HELP[command.name]?.usage ?? ''
      process.stderr.write(`usage: ${usage}\n(faxd help ${command.name} says more)\n`)
      return CLIENT_EXIT.usage
    }
    if (error instanceof ApiRequestError) {
      say(`${error.message} [${error.code}]`)
      return CLIENT_EXIT.error
    }
    if (
      error instanceof ServerUnreachableError ||
      error instanceof NotLoggedInError ||
      error instanceof CommandError
    ) {
      say(error.message)
      return CLIENT_EXIT.error
    }
    say(error instanceof Error ? error.message : String(error))
    return CLIENT_EXIT.error
  } finally {
    process.off('SIGINT', onSigint)
  }
}

/**
 * The token, from standard input: its first line. On a terminal it is asked for and not echoed
 * (it is a secret); a token on the command line would be in the shell's history and in every
 * process listing.
 */
async function readToken(io: ClientIo): Promise<string> {
  const stdin = process.stdin
  const onTerminal = stdin.isTTY === true
  if (onTerminal) {
    io.stderr.write('personal access token (not shown; then Enter): ')
    stdin.setRawMode(true)
  }
  const chunks: Buffer[] = []
  try {
    for await (const chunk of stdin) {
      const bytes = chunk as Buffer
      if (onTerminal && bytes.includes(0x03)) {
        throw new UsageError('interrupted')
      }
      chunks.push(bytes)
      if (Buffer.concat(chunks).some((byte) => byte === 0x0a || byte === 0x0d)) {
        break
      }
    }
  } finally {
    if (onTerminal) {
      stdin.setRawMode(false)
      io.stderr.write('\n')
    }
    stdin.pause()
  }
  const [line = ''] = Buffer.concat(chunks)
    .toString('utf8')
    .split(/\r?\n|\r/)
  const token = line.trim()
  if (token === '') {
    throw new UsageError(
      'give the personal access token on standard input (faxd tokens create makes one)',
    )
  }
  return token
}

function onlyId(positionals: string[], what: string): string {
  const [id, ...extra] = positionals
  if (id === undefined || extra.length > 0) {
    throw new UsageError(`give exactly one ID: ${what}`)
  }
  return id
}

/** The answer, or null when the API says there is no such thing (404). */
async function found<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request
  } catch (error) {
    if (error instanceof ApiRequestError && error.status === 404) {
      return null
    }
    throw error
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

/** Columns padded to their widest cell, two spaces apart. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  )
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n')
}
