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
import { describeStage, oneLine, printable, stageInOutbox } from '../client/send-progress.js'
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
import { readSecretLine, SecretInterrupted } from './read-secret-line.js'
import { orNull, sendCommand, type SendPhase } from './send-command.js'
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

type ClientCommand = (args: string[], io: ClientIo, phase: SendPhase) => Promise<number>

export const CLIENT_COMMANDS: Readonly<Record<string, ClientCommand>> = {
  login: async (args, io) => {
    const { values } = parse(args, { url: 'string' })
    const url = serverRoot(requireValue(values, 'url'))
    const token = (
      await readSecretLine(
        'personal access token (not shown; then Enter): ',
        'give the personal access token on standard input (faxd tokens create makes one)',
      )
    ).trim()
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
      (await forgetLogin(io.env))
        ? `logged out: ${path} removed (the token itself stays valid until an operator revokes ` +
            'it: faxd tokens revoke)\n'
        : `no saved login (${path})\n`,
    )
    return CLIENT_EXIT.success
  },
  send: async (args, io, phase) => {
    const { outcome } = await sendCommand(args, io, phase)
    return outcome === null ? CLIENT_EXIT.success : CLIENT_EXIT[outcome]
  },
  status: async (args, io) => {
    const { values, positionals } = parse(args, { json: 'flag' }, true)
    const id = onlyId(positionals, 'an outbox or fax ID')
    const api = await io.api()
    const entry = await orNull(
      api.get<OutboxAnswer>(`/accounts/self/outbox/${encodeURIComponent(id)}`),
      'outbox_fax_not_found',
    )
    if (entry !== null) {
      if (values['json'] === true) {
        io.stdout.write(`${JSON.stringify(entry, null, 2)}\n`)
        return CLIENT_EXIT.success
      }
      const now = io.now()
      io.stdout.write(`outbox ${entry.id}: ${entry.status.replaceAll('_', ' ')}\n`)
      // The entry holds the destinations still going; the others have their fax records.
      const going = entry.ids ?? {}
      for (const number of entry.to) {
        const faxId = going[number]
        if (faxId === undefined) {
          io.stdout.write(`  ${number}: ended (faxd faxes list shows its fax)\n`)
          continue
        }
        const destination = entry.destinations?.find((d) => d.id === faxId)
        const words = describeStage(stageInOutbox(entry, destination, now), now)
        io.stdout.write(`  ${number} (fax ${faxId}): ${oneLine(words)}\n`)
      }
      return CLIENT_EXIT.success
    }
    const path = `/accounts/self/faxes/${encodeURIComponent(id)}`
    const fax = await orNull(api.get<FaxAnswer>(path), 'fax_not_found')
    if (fax === null) {
      throw new CommandError(
        `nothing has the id ${id}: not an outbox entry (one whose destinations have all ended ` +
          'leaves the outbox), and not a fax record (a destination has one once it has ended; ' +
          'faxd faxes list shows them)',
      )
    }
    const { records: attempts } = await api.get<{ records: AttemptAnswer[] }>(`${path}/attempts`)
    if (values['json'] === true) {
      io.stdout.write(`${JSON.stringify({ ...fax, attempts }, null, 2)}\n`)
      return CLIENT_EXIT.success
    }
    const other =
      fax.direction === 'incoming' ? `from ${printable(fax.from)}` : `to ${printable(fax.to)}`
    const words = describeStage({ kind: 'ended', fax, attempts }, io.now())
    io.stdout.write(`fax ${fax.id} ${other}, ${fax.start_time} UTC: ${oneLine(words)}\n`)
    for (const attempt of attempts) {
      const far = [
        attempt.remote_station_id === null ? '' : `"${printable(attempt.remote_station_id)}"`,
        attempt.bit_rate === null ? '' : `${attempt.bit_rate} bit/s`,
      ]
        .filter((part) => part !== '')
        .join(', ')
      io.stdout.write(
        `  attempt ${attempt.attempt}, ${attempt.started_at}–${attempt.ended_at.slice(11)} UTC: ` +
          `${attempt.status} (${printable(attempt.description)}), ` +
          `pages ${attempt.pages.join(',') || 'none'}${far === '' ? '' : `; ${far}`}\n`,
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
      fax.direction === 'incoming' ? `from ${printable(fax.from)}` : `to ${printable(fax.to)}`,
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
    const named =
      output === null
        ? null
        : /\.tiff?$/i.test(output)
          ? 'tiff'
          : /\.pdf$/i.test(output)
            ? 'pdf'
            : null
    const format = optionalValue(values, 'format') ?? named ?? 'pdf'
    if (format !== 'pdf' && format !== 'tiff') {
      throw new UsageError('--format must be pdf or tiff')
    }
    if (named !== null && named !== format) {
      throw new UsageError(
        `-o ${output} names a ${named.toUpperCase()} file, and --format is ${format}`,
      )
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
    await rm(partial, { force: true })
    const display = progressDisplay(io.stderr)
    let received = 0
    let shownAt = 0
    const of = download.size === null ? '' : ` of ${formatSize(download.size)}`
    const counting = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length
        if (io.now() - shownAt >= 100) {
          shownAt = io.now()
          display.show([{ key: file, text: 'downloading', detail: `${formatSize(received)}${of}` }])
        }
        done(null, chunk)
      },
    })
    try {
      await pipeline(download.body, counting, createWriteStream(partial, { flags: 'wx' }), {
        signal: io.signal,
      })
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
  const phase: SendPhase = { outboxId: null }
  try {
    return await CLIENT_COMMANDS[command.name]!(command.args, io, phase)
  } catch (error) {
    if (interrupt.signal.aborted || error instanceof SecretInterrupted) {
      say(
        command.name !== 'send'
          ? 'interrupted'
          : phase.outboxId === null
            ? 'interrupted before the fax was accepted: nothing will be sent'
            : `stopped waiting; the fax goes on: faxd status ${phase.outboxId}`,
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
      const hint =
        error.status !== 401 || command.name === 'login'
          ? ''
          : io.env['FAXD_TOKEN']
            ? " (the token is FAXD_TOKEN's)"
            : ' (faxd login again with a valid token)'
      say(`${error.message} [${error.code}]${hint}`)
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

function onlyId(positionals: string[], what: string): string {
  const [id, ...extra] = positionals
  if (id === undefined || extra.length > 0) {
    throw new UsageError(`give exactly one ID: ${what}`)
  }
  return id
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
