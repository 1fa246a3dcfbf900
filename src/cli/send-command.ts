/**
 * `faxd send FILE… --to NUMBER…`: uploads the documents, asks for the fax (sendFax), and with
 * --wait follows it to its end, showing each file's upload and each destination's progress
 * (progress-display.ts). The exit status tells the end apart (CLIENT_EXIT in client-commands.ts).
 */
import { open } from 'node:fs/promises'
import { basename } from 'node:path'
import type { FaxAnswer, AttemptAnswer, NumberAnswer, OutboxAnswer } from '../client/api-answers.js'
import { ApiRequestError, type FaxdApi, ServerUnreachableError } from '../client/faxd-api.js'
import {
  clockTime,
  describeStage,
  type Outcome,
  outcomeOf,
  type Stage,
  stageInOutbox,
} from '../client/send-progress.js'
import { MAX_FILES, MAX_TOTAL_FILE_BYTES } from '../domain/outbox-entry.js'
import { formatUtcWithOffset } from '../shared/api-time.js'
import { integerValue, multipleValues, optionalValue, parse } from './arguments.js'
import { type ClientIo, CommandError } from './client-io.js'
import { formatSize, progressDisplay } from './progress-display.js'
import { parseSendTime } from './send-time.js'
import { UsageError } from './usage-error.js'

/** How long sendFax may take to answer: it checks every file and writes every destination. */
const SEND_FAX_TIMEOUT_MS = 120_000
/** How often --wait asks while something moves (a call, a render), and at most between asks. */
const BUSY_POLL_MS = 500
const IDLE_POLL_MS = 30_000
/** How long --wait keeps asking a server that does not answer, or answers 5xx, before it gives up. */
const OUTAGE_LIMIT_MS = 10 * 60_000

export interface SendResult {
  readonly outboxId: string
  /** Each destination's fax id, as sendFax's return_ids gives them. */
  readonly faxIds: Readonly<Record<string, string>>
  /** How it ended; null without --wait. */
  readonly outcome: Outcome | null
}

/** Where a send stands, for what Ctrl-C should say. */
export interface SendPhase {
  outboxId: string | null
}

export async function sendCommand(
  args: string[],
  io: ClientIo,
  phase: SendPhase,
): Promise<SendResult> {
  const { values, positionals: files } = parse(
    args,
    {
      to: 'multiple',
      from: 'string',
      at: 'string',
      wait: 'flag',
      resolution: 'string',
      'no-enhancement': 'flag',
      retry: 'string',
      'retry-delay': 'string',
      'cover-subject': 'string',
      'cover-to': 'string',
      'cover-from': 'string',
      'cover-message': 'string',
      comment: 'string',
    },
    true,
  )
  const to = multipleValues(values, 'to')
    .flatMap((number) => number.split(','))
    .map((number) => number.trim())
    .filter((number) => number !== '')
  if (files.length === 0) {
    throw new UsageError('give at least one FILE to send')
  }
  if (files.length > MAX_FILES) {
    throw new UsageError(`a fax may have at most ${MAX_FILES} files, not ${files.length}`)
  }
  if (to.length === 0) {
    throw new UsageError('give at least one --to NUMBER')
  }
  const resolution = optionalValue(values, 'resolution') ?? 'fine'
  if (resolution !== 'fine' && resolution !== 'superfine') {
    throw new UsageError('--resolution must be fine or superfine')
  }
  const retry = integerValue(values, 'retry', 0, 3)
  const retryDelay = integerValue(values, 'retry-delay', 0, 180)
  const at = optionalValue(values, 'at')
  const sendAtMs = at === null ? null : parseSendTime(at, io.now())
  const coverSubject = optionalValue(values, 'cover-subject')
  const coverFields = ['cover-to', 'cover-from', 'cover-message'].filter(
    (name) => optionalValue(values, name) !== null,
  )
  if (coverSubject === null && coverFields.length > 0) {
    throw new UsageError(
      `--${coverFields[0]} needs --cover-subject: the cover page is made with a subject`,
    )
  }
  const sizes = await Promise.all(files.map(readableSize))
  const total = sizes.reduce((sum, size) => sum + size, 0)
  if (total > MAX_TOTAL_FILE_BYTES) {
    throw new CommandError(
      `the files come to ${formatSize(total)}; a fax's files may not exceed 150 MB together`,
    )
  }

  const api = await io.api()
  const from = optionalValue(values, 'from') ?? (await onlyNumber(api))
  const display = progressDisplay(io.stderr)
  const paths: string[] = []
  for (const [index, file] of files.entries()) {
    const key = basename(file)
    const text = `uploading (${formatSize(sizes[index]!)})`
    display.show([{ key, text, detail: '0%' }])
    let shownAt = 0
    const path = await api.upload(file, ({ sent, total: size }) => {
      // A terminal is redrawn at most ten times a second, whatever the speed of the link.
      if (io.now() - shownAt >= 100 || sent === size) {
        shownAt = io.now()
        const percent = size === 0 ? 100 : Math.floor((sent / size) * 100)
        const detail = sent === size ? '100%, the server is storing it' : `${percent}%`
        display.show([{ key, text, detail }])
      }
    })
    display.show([{ key, text: `uploaded (${formatSize(sizes[index]!)})` }])
    paths.push(path)
  }

  const body = {
    from,
    to,
    files: paths,
    options: {
      enhancement: values['no-enhancement'] !== true,
      ...(retry === null && retryDelay === null
        ? {}
        : {
            retry: { count: retry ?? 0, ...(retryDelay === null ? {} : { delay: retryDelay }) },
          }),
    },
    resolution,
    return_ids: true,
    ...(sendAtMs === null ? {} : { send_time: formatUtcWithOffset(sendAtMs) }),
    ...(optionalValue(values, 'comment') === null
      ? {}
      : { comment: { tags: [], text: optionalValue(values, 'comment') } }),
    ...(coverSubject === null
      ? {}
      : {
          cover_page: {
            subject: coverSubject,
            name_to: optionalValue(values, 'cover-to') ?? '',
            name_from: optionalValue(values, 'cover-from') ?? '',
            ...(optionalValue(values, 'cover-message') === null
              ? {}
              : { message: optionalValue(values, 'cover-message') }),
          },
        }),
  }
  let answer: { body: { ids?: Record<string, string> }; location: string | null }
  try {
    answer = await api.post('/accounts/self/outbox', body, SEND_FAX_TIMEOUT_MS)
  } catch (error) {
    if (error instanceof ServerUnreachableError) {
      // The request may have reached the server before the answer was lost.
      throw new CommandError(
        `${error.message}; the server may have accepted the fax all the same: look at ` +
          '`faxd faxes list` and the outbox before sending it again',
      )
    }
    throw error
  }
  display.close()
  const outboxId = answer.location?.split('/').pop() ?? ''
  const faxIds = answer.body.ids ?? {}
  if (!/^[0-9a-f]+$/.test(outboxId) || Object.keys(faxIds).length !== to.length) {
    throw new CommandError(
      'the server accepted the fax but did not say where it is (no Location header or ids): ' +
        'is it a faxd of before December 2026, or behind a proxy that drops headers?',
    )
  }
  phase.outboxId = outboxId
  io.stdout.write(`accepted: outbox ${outboxId}\n`)
  if (sendAtMs !== null) {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    io.stdout.write(`  to be sent at ${clockTime(sendAtMs, Number.NaN)} (${zone})\n`)
  }
  for (const [number, id] of Object.entries(faxIds)) {
    io.stdout.write(`  ${number}: fax ${id}\n`)
  }
  if (values['wait'] !== true) {
    io.stdout.write(`follow it with: faxd status ${outboxId}\n`)
    return { outboxId, faxIds, outcome: null }
  }
  const faxes = await followToTheEnd(api, io, outboxId, faxIds)
  const outcome = outcomeOf(faxes)
  const through = faxes.filter((fax) => fax?.status === 'success').length
  const destinations = faxes.length === 1 ? 'destination' : 'destinations'
  io.stdout.write(
    outcome === 'success'
      ? `sent to ${faxes.length === 1 ? 'its destination' : `all ${faxes.length} destinations`}\n`
      : outcome === 'partial'
        ? `partly sent: ${through} of ${faxes.length} ${destinations} got every page\n`
        : 'not sent: no destination got a page\n',
  )
  return { outboxId, faxIds, outcome }
}

/**
 * Follows an outbox entry until every destination has ended, showing each one's stage as it
 * changes; answers their fax records (null for one cancelled before it was called). The entry
 * holds the destinations still going; one it no longer holds has its record. It asks often
 * while something moves and seldom while all wait for a time, and rides out a server that
 * is away for a while.
 */
export async function followToTheEnd(
  api: FaxdApi,
  io: ClientIo,
  outboxId: string,
  faxIds: Readonly<Record<string, string>>,
): Promise<(FaxAnswer | null)[]> {
  const display = progressDisplay(io.stderr)
  const ended = new Map<string, Stage & { kind: 'ended' | 'cancelled' }>()
  const numbers = Object.keys(faxIds)
  let awaySinceMs: number | null = null
  let backoffMs = 1000
  for (;;) {
    let pollMs = IDLE_POLL_MS
    try {
      const entry = await outboxEntry(api, outboxId)
      const now = io.now()
      const lines = []
      for (const number of numbers) {
        const stage = ended.get(number) ?? (await stageOf(api, entry, faxIds[number]!, now))
        if (stage.kind === 'ended' || stage.kind === 'cancelled') {
          ended.set(number, stage)
        } else {
          pollMs = Math.min(pollMs, pollDelay(stage, now))
        }
        const words = describeStage(stage, now)
        lines.push({ key: number, ...words })
      }
      display.show(lines)
      awaySinceMs = null
      backoffMs = 1000
    } catch (error) {
      const now = io.now()
      if (!isTransient(error) || now - (awaySinceMs ??= now) > OUTAGE_LIMIT_MS) {
        throw error
      }
      const why = error instanceof ApiRequestError ? `answers ${error.status}` : 'is unreachable'
      display.show([
        { key: 'server', text: `${why}; asking again`, detail: `in ${backoffMs / 1000} s` },
      ])
      pollMs = backoffMs
      backoffMs = Math.min(backoffMs * 2, IDLE_POLL_MS)
    }
    if (ended.size === numbers.length) {
      display.close()
      return numbers.map((number) => {
        const end = ended.get(number)!
        return end.kind === 'ended' ? end.fax : null
      })
    }
    await io.sleep(pollMs)
  }
}

/** A destination's stage: in the entry while it holds it, else its end. */
async function stageOf(
  api: FaxdApi,
  entry: OutboxAnswer | null,
  faxId: string,
  nowMs: number,
): Promise<Stage> {
  const destination = entry?.destinations?.find((d) => d.id === faxId)
  const rendered = entry !== null && entry.status !== 'submitted' && entry.status !== 'converting'
  if (entry === null || (rendered && destination === undefined)) {
    return endOf(api, faxId)
  }
  return stageInOutbox(entry, destination, nowMs)
}

/** How soon to ask again for a destination in `stage`: soon while it moves, else near its time. */
function pollDelay(stage: Stage, nowMs: number): number {
  if ((stage.kind === 'scheduled' || stage.kind === 'retrying') && stage.atMs !== null) {
    return Math.max(BUSY_POLL_MS, Math.min(IDLE_POLL_MS, stage.atMs - nowMs - 1000))
  }
  return BUSY_POLL_MS
}

/** Worth asking again: no answer at all, or the server's own failure (a restart, a proxy). */
function isTransient(error: unknown): boolean {
  return (
    error instanceof ServerUnreachableError ||
    (error instanceof ApiRequestError && error.status >= 500)
  )
}

/** The outbox entry; null once it has gone, every destination having ended. */
async function outboxEntry(api: FaxdApi, id: string): Promise<OutboxAnswer | null> {
  return orNull(
    api.get<OutboxAnswer>(`/accounts/self/outbox/${encodeURIComponent(id)}`),
    'outbox_fax_not_found',
  )
}

/**
 * A destination's end: its fax record and the attempts it was made of; cancelled when it has
 * none (an entry cancelled before the destination was called leaves no record).
 */
async function endOf(
  api: FaxdApi,
  faxId: string,
): Promise<Stage & { kind: 'ended' | 'cancelled' }> {
  const path = `/accounts/self/faxes/${encodeURIComponent(faxId)}`
  const fax = await orNull(api.get<FaxAnswer>(path), 'fax_not_found')
  if (fax === null) {
    return { kind: 'cancelled' }
  }
  const attempts = await api.get<{ records: AttemptAnswer[] }>(`${path}/attempts`)
  return { kind: 'ended', fax, attempts: attempts.records }
}

/** The answer, or null when the API answers with `code` (its "no such thing"). */
export async function orNull<T>(request: Promise<T>, code: string): Promise<T | null> {
  try {
    return await request
  } catch (error) {
    if (error instanceof ApiRequestError && error.code === code) {
      return null
    }
    throw error
  }
}

/** The sending number when the account has exactly one it may send from; else --from. */
async function onlyNumber(api: FaxdApi): Promise<string> {
  const { numbers } = await api.get<{ numbers: NumberAnswer[] }>('/accounts/self/numbers')
  const usable = numbers
    .filter((number) => number.status === 'active' && !number.is_canceled)
    .map((number) => number.number)
  if (usable.length === 1) {
    return usable[0]!
  }
  if (usable.length === 0) {
    throw new CommandError(
      'this account has no active fax number to send from; an operator adds one (faxd numbers add)',
    )
  }
  throw new UsageError(
    `give --from: this account has ${usable.length} numbers (${usable.join(', ')})`,
  )
}

/** A file's size, once it is known to be a file this process can read. */
async function readableSize(file: string): Promise<number> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    const why =
      error.code === 'ENOENT'
        ? 'there is no such file'
        : error.code === 'EACCES'
          ? 'permission denied'
          : error.code === 'EISDIR'
            ? 'it is a folder'
            : (error.code ?? error.message)
    throw new CommandError(`${file} cannot be read: ${why}`)
  })
  try {
    const info = await handle.stat()
    if (!info.isFile()) {
      throw new CommandError(`${file} is not a file`)
    }
    return info.size
  } finally {
    await handle.close()
  }
}
