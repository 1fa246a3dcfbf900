/**
 * sendFax: accept a fax for one or more destinations. Checks every rule that needs the store
 * (who may send, from which numbers, which documents), then writes the outbox entry, one
 * delivery per destination and the render job in one transaction. The request's shape was
 * checked by the API schema; the rules are in ../shared/design.md "Rules of sendFax".
 */
import { headerLineOf } from '../domain/header-line.js'
import type { Account } from '../domain/account.js'
import { DomainError } from '../domain/domain-error.js'
import { type DialString, type E164, maySendFrom, parseDialString } from '../domain/fax-number.js'
import {
  type CoverPage,
  type Delivery,
  type FaxReference,
  MAX_DESTINATIONS,
  MAX_FILES,
  MAX_TOTAL_FILE_BYTES,
  type OutboxEntry,
  type Resolution,
  type RetryPolicy,
} from '../domain/outbox-entry.js'
import { parseSendTime } from '../domain/send-time.js'
import { newId24, newId32 } from '../shared/ids.js'
import type { Actor, Services } from './context.js'
import { resolveUser } from './resolve-user.js'

export interface SendFaxRequest {
  readonly userId: string
  readonly from: string
  readonly to: readonly string[]
  readonly files: readonly string[]
  readonly fromFax: { readonly faxId: string; readonly userId: string } | null
  readonly commentText: string
  readonly commentTags: readonly string[]
  readonly enhancement: boolean
  readonly retry: RetryPolicy | null
  readonly partiallySentRetry: boolean
  readonly sendTime: string | null
  readonly returnIds: boolean
  readonly resolution: Resolution
  readonly coverPage: CoverPage | null
}

export interface SendFaxResult {
  readonly outboxId: string
  /** Destination → delivery id; present when the request asked for `return_ids`. */
  readonly ids: Readonly<Record<string, string>> | null
}

const NO_NUMBER = /^(no_number|NO_NUMBER)$/

/** A number in [0, 1), as Math.random answers; tests give a sequence of their own. */
export type RandomSource = () => number

/**
 * Each destination is sent from one of the `from` numbers, chosen with `random` (one draw per
 * destination, in the order of `to`).
 */
export async function sendFax(
  services: Services,
  actor: Actor,
  request: SendFaxRequest,
  random: RandomSource = Math.random,
): Promise<SendFaxResult> {
  const { store, clock } = services
  const sender = await resolveUser(services, actor, request.userId)
  const nowMs = clock.now()

  const to = parseDestinations(request.to)
  if (request.files.length > MAX_FILES) {
    throw new DomainError('too_many_files', `At most ${MAX_FILES} files can be sent in one fax`)
  }
  if (request.files.length === 0 && !request.fromFax) {
    throw new DomainError('missing_document', 'Give at least one of files and from_fax')
  }
  const from = parseFrom(request.from)
  const senderNumbers = await pickableNumbers(services, sender, from)
  await checkFiles(services, sender, request.files)
  const fromFax = request.fromFax ? await findFromFax(services, actor, request.fromFax) : null

  const requestedSendAtMs = request.sendTime === null ? nowMs : parseSendTime(request.sendTime)
  const sendAtMs = Math.max(requestedSendAtMs, nowMs)
  const scheduled = sendAtMs > nowMs
  const outboxId = newId32()
  const entry: OutboxEntry = {
    id: outboxId,
    uid: sender.uid,
    status: scheduled ? 'scheduled_for_sending' : 'submitted',
    from: from.map((part) => part.text).join(','),
    to: to.map((destination) => destination.text),
    files: request.files,
    fromFax,
    commentText: request.commentText,
    commentTags: request.commentTags,
    enhancement: request.enhancement,
    retry: request.retry ?? { count: 0, delaySeconds: 0 },
    partiallySentRetry: request.partiallySentRetry,
    resolution: request.resolution,
    coverPage: request.coverPage,
    sendAtMs,
    submittedAtMs: nowMs,
    statusChanges: scheduled
      ? [
          { status: 'submitted', atMs: nowMs },
          { status: 'scheduled_for_sending', atMs: nowMs },
        ]
      : [{ status: 'submitted', atMs: nowMs }],
    pageCount: 0,
    clientIp: actor.ip,
    documentKey: null,
    // The header the sender's account asks for now: every attempt carries it, but for its time.
    headerLine: headerLineOf(
      sender.settings,
      [sender.name, sender.lastname].filter((part) => part !== '').join(' '),
    ),
  }
  const deliveries: Delivery[] = to.map((destination) => ({
    id: newId24(),
    outboxId,
    destination,
    fromNumber: senderNumbers.length === 0 ? null : pickOne(senderNumbers, random),
  }))
  await store.outbox.create(entry, deliveries, {
    id: newId24(),
    kind: 'render-fax',
    payload: { outboxId },
    runAtMs: nowMs,
  })
  return {
    outboxId,
    ids: request.returnIds
      ? Object.fromEntries(deliveries.map((d) => [d.destination.text, d.id]))
      : null,
  }
}

/**
 * Each destination parsed once, here: its number normalised to E.164 (`+` added), the post-dial
 * digits kept. Two that are the same once normalised are the same destination.
 */
function parseDestinations(to: readonly string[]): DialString[] {
  if (to.length > MAX_DESTINATIONS) {
    throw new DomainError(
      'too_many_destinations',
      `At most ${MAX_DESTINATIONS} destinations per fax`,
    )
  }
  const seen = new Set<string>()
  return to.map((text) => {
    const destination = parseDialString(text)
    if (destination === null) {
      throw new DomainError('invalid_to', `${JSON.stringify(text)} is not an E.164 fax number`)
    }
    if (seen.has(destination.text)) {
      throw new DomainError(
        'duplicate_destination',
        `Destination ${destination.text} is given twice`,
      )
    }
    seen.add(destination.text)
    return destination
  })
}

/** A part of sendFax's `from`: a number (with any post-dial digits), or no_number as written. */
type FromPart = DialString | { readonly number: null; readonly text: string }

/** Each part of a comma-separated `from`, parsed once: its number normalised to E.164. */
function parseFrom(from: string): FromPart[] {
  return from.split(',').map((part) => {
    if (NO_NUMBER.test(part)) {
      return { number: null, text: part }
    }
    const number = parseDialString(part)
    if (number === null) {
      throw new DomainError('invalid_from', `${JSON.stringify(part)} is not an E.164 fax number`)
    }
    return number
  })
}

/**
 * The numbers a destination may be sent from. Every number of a comma-separated `from` must be
 * active and owned by or assigned to the sender; `*` digits after a number are not part of it.
 * `no_number` answers an empty list, and only a corporate member without a number may use it.
 */
async function pickableNumbers(
  services: Services,
  sender: Account,
  from: readonly FromPart[],
): Promise<E164[]> {
  if (from.some((part) => part.number === null)) {
    if (!from.every((part) => part.number === null)) {
      throw new DomainError('invalid_from_number', 'no_number cannot be combined with numbers')
    }
    const assigned = await services.store.numbers.listAssignedTo(sender.uid)
    if (sender.accountType !== 'corporate_member' || assigned.length > 0) {
      throw new DomainError(
        'no_number_not_allowed',
        'no_number is only for corporate members who have no number assigned',
      )
    }
    return []
  }
  const numbers: E164[] = []
  for (const { number } of from) {
    if (number === null || numbers.includes(number)) {
      continue
    }
    const record = await services.store.numbers.get(number)
    if (!record || !maySendFrom(record, sender.uid)) {
      throw new DomainError('invalid_from_number', `${number} is not an active number of this user`)
    }
    numbers.push(number)
  }
  return numbers
}

async function checkFiles(
  services: Services,
  sender: Account,
  paths: readonly string[],
): Promise<void> {
  let totalBytes = 0
  for (const path of paths) {
    const file = await services.store.uploads.get(path)
    if (!file || file.uid !== sender.uid) {
      throw new DomainError(
        'file_not_found',
        `No uploaded file ${JSON.stringify(path)} for this user`,
      )
    }
    totalBytes += file.sizeBytes
  }
  if (totalBytes > MAX_TOTAL_FILE_BYTES) {
    throw new DomainError('files_too_large', 'The files of one fax may not exceed 150 MB in all')
  }
}

async function findFromFax(
  services: Services,
  actor: Actor,
  ref: { faxId: string; userId: string },
): Promise<FaxReference> {
  const notFound = new DomainError(
    'from_fax_not_found',
    `No fax ${JSON.stringify(ref.faxId)} to reuse`,
  )
  let owner: Account
  try {
    owner = await resolveUser(services, actor, ref.userId)
  } catch (error) {
    // A user_id the caller may not act for hides the fax as well; any other failure (the
    // store's) is not an answer about the fax and goes on to the caller as it is.
    if (error instanceof DomainError && error.code === 'invalid_user_id') {
      throw notFound
    }
    throw error
  }
  const fax = await services.store.faxes.get(ref.faxId)
  if (!fax || fax.ownerUid !== owner.uid) {
    throw notFound
  }
  return { faxId: fax.id, ownerUid: owner.uid }
}

function pickOne<T>(items: readonly T[], random: RandomSource): T {
  return items[Math.floor(random() * items.length)] as T
}
