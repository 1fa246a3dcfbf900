/**
 * `faxd send FILE… --to NUMBER…`: uploads the documents, asks for the fax (sendFax), and with
 * --wait follows it to its end, showing each file's upload and each destination's progress
 * (progress-display.ts). The exit status tells the end apart (CLIENT_EXIT in client-commands.ts).
 */
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { FaxAnswer, AttemptAnswer, NumberAnswer, OutboxAnswer } from '../client/api-answers.js'
import { ApiRequestError, type FaxdApi } from '../client/faxd-api.js'
import {
  describeStage,
  type Outcome,
  outcomeOf,
  type Stage,
  stageInOutbox,
} from '../client/send-progress.js'
import { integerValue, multipleValues, optionalValue, parse } from './arguments.js'
import { formatSize, progressDisplay } from './progress-display.js'
import { type ClientIo, CommandError } from './client-io.js'
import { formatSendTime, parseSendTime } from './send-time.js'
import { UsageError } from './usage-error.js'

/** The largest file the API takes (uploadFile: 150 MB), checked before any byte is sent. */
const MAX_FILE_BYTES = 150 * 1024 * 1024
/** How often --wait asks the server how the fax is doing. */
const POLL_INTERVAL_MS = 500

export interface SendResult {
  readonly outboxId: string
  /** Each destination's fax id, as sendFax's return_ids gives them. */
  readonly faxIds: Readonly<Record<string, string>>
  /** How it ended; null without --wait. */
  readonly outcome: Outcome | null
}

export async function sendCommand(args: string[], io: ClientIo): Promise<SendResult> {
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
  const to = multipleValues(values, 'to').flatMap((number) => number.split(','))
  if (files.length === 0) {
    throw new UsageError('give at least one FILE to send')
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
  const sendTime = at === null ? null : formatSendTime(parseSendTime(at, io.now()))
  const coverSubject = optionalValue(values, 'cover-subject')
  const coverFields = ['cover-to', 'cover-from', 'cover-message'].filter(
    (name) => optionalValue(values, name) !== null,
  )
  if (coverSubject === null && coverFields.length > 0) {
    throw new UsageError(
      `--${coverFields[0]} needs --cover-subject: the cover page is made with a subject`,
    )
  }
  const sizes = await Promise.all(files.map(fileSize))

  const api = await io.api()
  const from = optionalValue(values, 'from') ?? (await onlyNumber(api))
  const display = progressDisplay(io.stderr)
  const paths: string[] = []
  for (const [index, file] of files.entries()) {
    const key = basename(file)
    const size = sizes[index]!
    display.show([{ key, text: `uploading (${formatSize(size)})`, detail: '0%' }])
    let shownAt = 0
    const path = await api.upload(file, ({ sent, total }) => {
      // A terminal is redrawn at most ten times a second, whatever the speed of the link.
      if (io.now() - shownAt >= 100 || sent === total) {
        shownAt = io.now()
        const percent = total === 0 ? 100 : Math.floor((sent / total) * 100)
        display.show([{ key, text: `uploading (${formatSize(size)})`, detail: `${percent}%` }])
      }
    })
    display.show([{ key, text: `uploaded (${formatSize(size)})` }])
    paths.push(path)
  }

  const { body, location } = await api.post<{ ids?: Record<string, string> }>(
    '/accounts/self/outbox',
    {
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
      ...(sendTime === null ? {} : { send_time: sendTime }),
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
    },
  )
  display.close()
  const outboxId = location?.split('/').pop() ?? ''
  const faxIds = body.ids ?? {}
  io.stdout.write(`accepted: outbox ${outboxId}\n`)
  for (const [number, id] of Object.entries(faxIds)) {
    io.stdout.write(`  ${number}: fax ${id}\n`)
  }
  if (values['wait'] !== true) {
    io.stdout.write(`follow it with: faxd status ${outboxId}\n`)
    return { outboxId, faxIds, outcome: null }
  }
  const faxes = await followToTheEnd(api, io, outboxId, faxIds)
  const outcome = outcomeOf(faxes)
  const through = faxes.filter((fax) => fax.status === 'success').length
  io.stdout.write(
    outcome === 'success'
      ? `sent to ${faxes.length === 1 ? 'its destination' : `all ${faxes.length} destinations`}\n`
      : outcome === 'partial'
        ? `partly sent: ${through} of ${faxes.length} ${faxes.length === 1 ? 'destination' : 'destinations'} got every page\n`
        : `not sent: no destination got a page\n`,
  )
  return { outboxId, faxIds, outcome }
}

/**
 * Follows an outbox entry until every destination has its fax record, showing each one's stage
 * as it changes; answers the records. A destination the entry no longer holds has ended.
 */
export async function followToTheEnd(
  api: FaxdApi,
  io: ClientIo,
  outboxId: string,
  faxIds: Readonly<Record<string, string>>,
): Promise<FaxAnswer[]> {
  const display = progressDisplay(io.stderr)
  const ended = new Map<string, Stage & { kind: 'ended' }>()
  const numbers = Object.keys(faxIds)
  for (;;) {
    const entry = await outboxEntry(api, outboxId)
    const now = io.now()
    const lines = []
    for (const number of numbers) {
      const faxId = faxIds[number]!
      const destination = entry?.destinations?.find((d) => d.id === faxId)
      const rendered =
        entry !== null && entry.status !== 'submitted' && entry.status !== 'converting'
      let stage = ended.get(number)
      if (stage === undefined && (entry === null || (rendered && destination === undefined))) {
        const end = await endOf(api, faxId)
        ended.set(number, end)
        stage = end
      }
      const text = describeStage(stage ?? stageInOutbox(entry!, destination, now), now)
      lines.push({ key: number, text })
    }
    display.show(lines)
    if (ended.size === numbers.length) {
      display.close()
      return numbers.map((number) => ended.get(number)!.fax)
    }
    await io.sleep(POLL_INTERVAL_MS)
  }
}

/** The outbox entry; null once it has gone, every destination having ended. */
async function outboxEntry(api: FaxdApi, id: string): Promise<OutboxAnswer | null> {
  try {
    return await api.get<OutboxAnswer>(`/accounts/self/outbox/${encodeURIComponent(id)}`)
  } catch (error) {
    if (error instanceof ApiRequestError && error.code === 'outbox_fax_not_found') {
      return null
    }
    throw error
  }
}

/** A destination's end: its fax record and the attempts it was made of. */
export async function endOf(api: FaxdApi, faxId: string): Promise<Stage & { kind: 'ended' }> {
  const path = `/accounts/self/faxes/${encodeURIComponent(faxId)}`
  const [fax, attempts] = await Promise.all([
    api.get<FaxAnswer>(path),
    api.get<{ records: AttemptAnswer[] }>(`${path}/attempts`),
  ])
  return { kind: 'ended', fax, attempts: attempts.records }
}

/** The sending number when the account has exactly one; otherwise --from is needed. */
async function onlyNumber(api: FaxdApi): Promise<string> {
  const { numbers } = await api.get<{ numbers: NumberAnswer[] }>('/accounts/self/numbers')
  const usable = numbers.filter((number) => number.status !== 'canceled').map((n) => n.number)
  if (usable.length === 1) {
    return usable[0]!
  }
  if (usable.length === 0) {
    throw new CommandError(
      'this account has no fax number to send from; an operator adds one (faxd numbers add)',
    )
  }
  throw new UsageError(
    `give --from: this account has ${usable.length} numbers (${usable.join(', ')})`,
  )
}

/** A file's size, checked before any byte of any file is sent. */
async function fileSize(file: string): Promise<number> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new CommandError(`${file} cannot be read (${error.code ?? error.message})`)
  })
  if (!info.isFile()) {
    throw new CommandError(`${file} is not a file`)
  }
  const size = info.size
  if (size > MAX_FILE_BYTES) {
    throw new CommandError(`${file} is ${formatSize(size)}; a file may not exceed 150 MB`)
  }
  return size
}
