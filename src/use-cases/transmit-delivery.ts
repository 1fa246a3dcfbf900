/**
 * One attempt to send a fax to one destination (design.md: "at send_time: transmit job per
 * destination → carrier"). The delivery is marked calling and the entry `sending`; the first
 * carrier that handles the number makes the call; the attempt is recorded. Then either another
 * attempt is queued (`options.retry`: up to `count` retries, `delay` seconds apart, only for
 * outcomes a retry can fix) or the delivery becomes its fax record under the id `return_ids`
 * gave. With `partially_sent_retry` a retry sends only the pages no attempt got confirmed, and
 * the record counts the pages confirmed across attempts.
 *
 * `options.signal` aborts the call (the worker lost the job's lease, or is stopping). A call cut
 * off that way is not ended here: it is left open, with the pages confirmed so far kept, and the
 * next holder of the job takes it over and ends it as it stood (`interrupted`), the one path for
 * a call whose worker went away. The call's fence (transmission.ts) keeps a worker that has lost
 * the call to another from ending it or changing its progress.
 *
 * A crash of ours is not the sender's failure: an interrupted call that had not got every page
 * through is recorded as an attempt (carrier `interrupted`) and made again at once, from the
 * first page no attempt has had confirmed, without counting against `options.retry` and without
 * a `fax_sent` event, up to MAX_CALL_RESTARTS times per fax; past that it is an ordinary failed
 * attempt. Its one risk: a page the receiver took just before the crash, whose confirmation the
 * dead worker had not kept, is sent again.
 *
 * A call that has ended is recorded even through a database outage: the write is tried again
 * until the store answers (until-store-answers.ts), while the worker holds the job's lease, so
 * the fax is not later taken over and reported as interrupted.
 */
import { headerText } from '../domain/header-line.js'
import type { Carrier, CallResult, Negotiated, OutgoingCall } from '../domain/carrier.js'
import type { FaxRecord } from '../domain/fax.js'
import type { E164 } from '../domain/fax-number.js'
import { outgoingFaxRecord } from '../domain/outgoing-fax-record.js'
import { faxEvent } from '../domain/fax-event.js'
import { planWebhookDeliveries } from '../domain/webhook-delivery.js'
import {
  DEFAULT_CALL_LIMITS,
  MAX_CALL_RESTARTS,
  type CallAttempt,
  type CallLimits,
  type DeliveryInCall,
  type HeldJob,
  type LineBusy,
} from '../domain/transmission.js'
import { newId24 } from '../shared/ids.js'
import { systemTimers, type Timers } from '../shared/timers.js'
import type { Services } from './context.js'
import { untilStoreAnswers } from './until-store-answers.js'

export interface TransmitServices extends Pick<Services, 'store' | 'clock'> {
  /** In the order they are asked: the first that handles a number calls it. */
  readonly carriers: readonly Carrier[]
  /** DEFAULT_CALL_LIMITS when not given. */
  readonly callLimits?: CallLimits
  /** How recording a call's outcome waits for a store that is away; the system's by default. */
  readonly timers?: Timers
}

export type TransmitOutcome =
  | { readonly outcome: 'gone' }
  /**
   * As many calls to its number, or from its sending number, as allowed are in progress: wait
   * for `line` (the end of a call on it makes the job due), or until `laterAtMs` at the latest.
   */
  | ({ readonly outcome: 'line-busy'; readonly laterAtMs: number } & LineBusy)
  /**
   * The signal aborted the call before the fax was through: the call is left open, its confirmed
   * pages kept, for the job's next run to take over and end as it stood.
   */
  | { readonly outcome: 'interrupted'; readonly pagesConfirmed: readonly number[] }
  | { readonly outcome: 'retry'; readonly attempt: CallAttempt; readonly retryAtMs: number }
  /** The attempt was an interrupted call, ended as it stood; the next one is due at once. */
  | { readonly outcome: 'restart'; readonly attempt: CallAttempt }
  | { readonly outcome: 'final'; readonly attempt: CallAttempt; readonly record: FaxRecord }

/**
 * How long a delivery waits at most when its destination or its sending number has no line free.
 * The call that frees the line wakes the first waiting delivery sooner; this bounds the wait of
 * one whose wake-up was missed: a call that ended between the busy answer and the job's release,
 * or one whose worker died (its line is freed when its job is taken over).
 */
export const LINE_BUSY_WAIT_MS = 30_000

export interface TransmitOptions {
  /**
   * The job was claimed before by a worker that did not finish it: a call it left open is taken
   * over and ended as it stood (its confirmed pages kept; not called again when every page of it
   * was confirmed), instead of being refused as still in progress.
   */
  readonly takeOver?: boolean
  readonly signal?: AbortSignal
  /**
   * The job making this attempt: completed in the commit that records the attempt (outcomes
   * `retry`, `restart` and `final`), so its worker has nothing left to record.
   */
  readonly job?: HeldJob
}

export async function transmitDelivery(
  services: TransmitServices,
  deliveryId: string,
  options: TransmitOptions = {},
): Promise<TransmitOutcome> {
  const { store, clock } = services
  const now = clock.now()
  const takeOver = options.takeOver ?? false
  const limits = services.callLimits ?? DEFAULT_CALL_LIMITS
  const call = await store.transmissions.beginCall(deliveryId, now, { takeOver, limits })
  if (call === 'gone') {
    return { outcome: 'gone' }
  }
  if ('lineBusy' in call) {
    return { outcome: 'line-busy', ...call, laterAtMs: now + LINE_BUSY_WAIT_MS }
  }
  const startedAtMs = call.interrupted?.startedAtMs ?? now
  const outgoing = outgoingCall(call, startedAtMs)
  const signal = options.signal ?? new AbortController().signal
  const { carrier, result } =
    call.interrupted === null
      ? await makeCall(services, outgoing, call.fence, signal)
      : { carrier: null, result: interruptedResult(outgoing, call.interrupted) }
  // Cut off before the fax was through: left open for the job's next run (see the header).
  if (carrier !== null && signal.aborted && result.status !== 'success') {
    return { outcome: 'interrupted', pagesConfirmed: result.pagesConfirmed }
  }

  // The carrier's own account of the call's length, when the clock has not moved as far (a model).
  const endedAtMs = Math.max(clock.now(), startedAtMs + result.durationMs)
  const attempt: CallAttempt = {
    faxId: call.delivery.id,
    attempt: call.attempt,
    carrier: carrier?.name ?? (call.interrupted === null ? 'none' : 'interrupted'),
    startedAtMs,
    endedAtMs,
    status: result.status,
    pagesConfirmed: result.pagesConfirmed,
    description: result.description,
    remoteStationId: result.negotiated?.remoteStationId ?? null,
    bitRate: result.negotiated?.bitRate ?? null,
    coding: result.negotiated?.coding ?? null,
    ecm: result.negotiated?.ecm ?? null,
    resolution: result.negotiated?.resolution ?? null,
    header: outgoing.header,
  }
  // The call has happened: its outcome is written down even if the store is away for a while.
  return untilStoreAnswers(
    () => recordAttempt(services, call, attempt, result.retryable, options.job),
    {
      signal,
      timers: services.timers ?? systemTimers,
    },
  )
}

/**
 * Ends the call with its attempt recorded: another attempt queued, or the fax record made. Safe
 * to repeat after a try whose answer was lost: the call's fence refuses a second end.
 */
async function recordAttempt(
  { store }: TransmitServices,
  call: DeliveryInCall,
  attempt: CallAttempt,
  retryable: boolean,
  job: HeldJob | undefined,
): Promise<Extract<TransmitOutcome, { attempt: CallAttempt }>> {
  const { endedAtMs, startedAtMs } = attempt
  const confirmed = new Set([...call.pagesConfirmedBefore, ...attempt.pagesConfirmed])
  const allSent = confirmed.size >= call.entry.pageCount
  if (call.interrupted !== null && !allSent && call.restarts < MAX_CALL_RESTARTS) {
    return restartAttempt(store, call, attempt, confirmed, job)
  }
  // Restarts are not retries: only the attempts that were not restarted count against the budget.
  const retriesLeft = call.attempt - call.restarts <= call.entry.retry.count
  // Every attempt is reported to the sender's fax_sent hooks, in the commit that records it.
  const event = faxEvent('fax_sent', {
    faxId: call.delivery.id,
    attempt: call.attempt,
    ownerUid: call.entry.uid,
    from: call.delivery.fromNumber ?? '',
    to: call.delivery.destination.text,
    startedAtMs,
    status: allSent ? 'success' : attempt.status,
    pages: attempt.pagesConfirmed.length,
  })
  const hooks = await store.webhooks.list(call.entry.uid, 'fax_sent')
  const webhooks = planWebhookDeliveries(hooks, event, endedAtMs)
  if (!allSent && retryable && retriesLeft) {
    const retryAtMs = endedAtMs + call.entry.retry.delaySeconds * 1000
    const next = { kind: 'retry', retryAtMs, jobId: newId24() } as const
    await store.transmissions.endCall(attempt, next, endedAtMs, {
      webhooks,
      fence: call.fence,
      job,
    })
    return { outcome: 'retry', attempt, retryAtMs }
  }
  // The first attempt has none before it: no read for the usual fax.
  const earlier = call.attempt === 1 ? [] : await store.transmissions.listAttempts(call.delivery.id)
  const record = outgoingFaxRecord({
    entry: call.entry,
    delivery: call.delivery,
    attempts: [...earlier, attempt],
    pagesConfirmed: confirmed.size,
    allSent,
  })
  await store.transmissions.endCall(attempt, { kind: 'final', record }, endedAtMs, {
    webhooks,
    fence: call.fence,
    job,
  })
  return { outcome: 'final', attempt, record }
}

/**
 * Ends an interrupted call as it stood and queues the next attempt at once: a restart, which
 * sends the pages not yet confirmed and leaves `options.retry` as it was. No `fax_sent` event:
 * the sender hears of the attempt that carries the outcome.
 */
async function restartAttempt(
  store: TransmitServices['store'],
  call: DeliveryInCall,
  interrupted: CallAttempt,
  confirmed: ReadonlySet<number>,
  job: HeldJob | undefined,
): Promise<Extract<TransmitOutcome, { outcome: 'restart' }>> {
  const everyPage = Array.from({ length: call.entry.pageCount }, (_, index) => index + 1)
  const from = everyPage.find((page) => !confirmed.has(page)) ?? 1
  const attempt: CallAttempt = {
    ...interrupted,
    description:
      `${interrupted.description}; called again at once from page ${from}, ` +
      'not counted against options.retry',
  }
  const next = { kind: 'restart', jobId: newId24() } as const
  await store.transmissions.endCall(attempt, next, attempt.endedAtMs, { fence: call.fence, job })
  return { outcome: 'restart', attempt }
}

/**
 * Calls through the first carrier that reaches the number, keeping in the store each confirmed
 * page as it comes, and what the call negotiated with the first, for a worker that may have to
 * take the call over (CallProgressWriter).
 */
async function makeCall(
  services: TransmitServices,
  outgoing: OutgoingCall,
  fence: number,
  signal: AbortSignal,
): Promise<{ carrier: Carrier | null; result: CallResult }> {
  const carrier = await carrierFor(services.carriers, outgoing.to)
  if (carrier === null) {
    return {
      carrier,
      result: {
        status: 'failed_destination_not_supported',
        pagesConfirmed: [],
        durationMs: 0,
        negotiated: null,
        retryable: false,
        description: `no carrier of this server can reach ${outgoing.to}`,
      },
    }
  }
  const progress = new CallProgressWriter(services.store.transmissions, outgoing.deliveryId, fence)
  const result = await carrier.call(
    outgoing,
    {
      onConnected: (negotiated) => progress.connected(negotiated),
      onPageConfirmed: (page) => progress.pageConfirmed(page),
    },
    signal,
  )
  await progress.written()
  return { carrier, result }
}

/**
 * Keeps a call's progress in the store for a worker that may have to take the call over: the
 * pages confirmed, with what the call negotiated in the first of those writes (a call that ends
 * before its first page has its attempt recorded with what it negotiated anyway). One write at a
 * time, in the order the carrier reported; pages confirmed while a write is under way go
 * together in the next one (the list so far), so a fast line costs a write per round trip, not
 * per page.
 */
class CallProgressWriter {
  readonly #transmissions: TransmitServices['store']['transmissions']
  readonly #deliveryId: string
  readonly #fence: number
  readonly #confirmed: number[] = []
  #negotiated: Negotiated | null = null
  #pagesWritten = 0
  #writing: Promise<void> | null = null

  constructor(
    transmissions: TransmitServices['store']['transmissions'],
    deliveryId: string,
    fence: number,
  ) {
    this.#transmissions = transmissions
    this.#deliveryId = deliveryId
    this.#fence = fence
  }

  connected(negotiated: Negotiated): void {
    this.#negotiated = negotiated
  }

  pageConfirmed(page: number): void {
    this.#confirmed.push(page)
    this.#writing ??= this.#write()
  }

  /** Resolves once everything reported so far is written (or its write has failed). */
  async written(): Promise<void> {
    while (this.#writing !== null) {
      await this.#writing
    }
  }

  async #write(): Promise<void> {
    try {
      while (this.#pagesWritten < this.#confirmed.length) {
        const negotiated = this.#negotiated ?? undefined
        this.#negotiated = null
        const pages = [...this.#confirmed]
        await this.#transmissions.recordProgress(this.#deliveryId, pages, this.#fence, negotiated)
        this.#pagesWritten = pages.length
      }
    } catch {
      // Progress is a help for a take-over; the attempt's own record is what counts.
    } finally {
      this.#writing = null
    }
  }
}

/**
 * How a call whose worker died ended: as far as it had got, with what it negotiated when its
 * worker had kept that (null when it died before the call was connected).
 */
function interruptedResult(
  outgoing: OutgoingCall,
  interrupted: NonNullable<DeliveryInCall['interrupted']>,
): CallResult {
  const { pagesConfirmed, negotiated } = interrupted
  const complete = outgoing.pages.every((page) => pagesConfirmed.includes(page))
  return {
    status: complete ? 'success' : 'failed_to_send',
    pagesConfirmed,
    durationMs: 0,
    negotiated,
    retryable: !complete,
    description: complete ? 'OK' : 'the call was interrupted: the worker making it stopped',
  }
}

/**
 * The call this attempt makes: every page, or the unconfirmed ones with partially_sent_retry and
 * in a restart; each with the header line of a call started at `startedAtMs`.
 */
function outgoingCall(call: DeliveryInCall, startedAtMs: number): OutgoingCall {
  const { entry, delivery } = call
  const everyPage = Array.from({ length: entry.pageCount }, (_, index) => index + 1)
  const pages =
    entry.partiallySentRetry || call.resumes
      ? everyPage.filter((page) => !call.pagesConfirmedBefore.includes(page))
      : everyPage
  return {
    deliveryId: delivery.id,
    attempt: call.attempt,
    from: delivery.fromNumber,
    to: delivery.destination.number,
    postDialDigits: delivery.destination.postDialDigits,
    documentKey: entry.documentKey ?? '',
    resolution: entry.resolution,
    pages,
    senderUid: entry.uid,
    header:
      entry.headerLine === null
        ? null
        : headerText(entry.headerLine, {
            atMs: startedAtMs,
            from: delivery.fromNumber,
            to: delivery.destination.number,
          }),
    pageCount: entry.pageCount,
  }
}

async function carrierFor(carriers: readonly Carrier[], to: E164): Promise<Carrier | null> {
  for (const carrier of carriers) {
    if (await carrier.handles(to)) {
      return carrier
    }
  }
  return null
}
