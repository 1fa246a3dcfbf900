/**
 * Calls, as the store keeps them: a delivery (one destination of an outbox entry) is called once
 * per attempt; each attempt is recorded with what the carrier reported; after the last one the
 * delivery becomes a fax record under its own id (the id `return_ids` gave), and the entry leaves
 * the outbox when its last delivery has. The repository makes each step one transaction.
 *
 * A call is fenced: each time a worker gets it (beginCall: a new attempt, or the take-over of one
 * whose worker lost its job) it is handed a new `fence`, and only the holder of the newest may
 * keep the call's progress or end it. A worker whose job was taken over while its call went on
 * is refused (CallNotHeldError) and changes nothing.
 */
import type { LineResolution, Negotiated } from './carrier.js'
import type { FaxRecord, FaxStatus } from './fax.js'
import type { Delivery, OutboxEntry } from './outbox-entry.js'
import type { PlannedDelivery } from './webhook-delivery.js'

/** One attempt, as it ended. */
export interface CallAttempt {
  /** The delivery's id, which is also its fax record's id. */
  readonly faxId: string
  /** From 1. */
  readonly attempt: number
  readonly carrier: string
  readonly startedAtMs: number
  readonly endedAtMs: number
  readonly status: FaxStatus
  /** Pages the receiver confirmed in this attempt, numbered in the document. */
  readonly pagesConfirmed: readonly number[]
  readonly description: string
  /**
   * What the call negotiated (carrier.ts Negotiated): all null when it never got that far, or
   * when it was interrupted before the worker making it kept it.
   */
  readonly remoteStationId: string | null
  readonly bitRate: number | null
  readonly coding: string | null
  /** Error correction mode (T.30 Annex A). */
  readonly ecm: boolean | null
  /** The resolution the pages went at; null also when the carrier did not say. */
  readonly resolution: LineResolution | null
  /** The header line's text on the pages of this attempt (domain/header-line.ts); null: none. */
  readonly header: string | null
}

/** A delivery whose call is starting. */
export interface DeliveryInCall {
  readonly entry: OutboxEntry
  readonly delivery: Delivery
  /** This attempt's number, from 1. */
  readonly attempt: number
  /** Pages confirmed by earlier attempts. */
  readonly pagesConfirmedBefore: readonly number[]
  /**
   * Earlier attempts of this fax cut short by a crash of ours and made again at once: they do not
   * count against `options.retry` (at most MAX_CALL_RESTARTS of them).
   */
  readonly restarts: number
  /**
   * This attempt is such a restart: like a retry with `partially_sent_retry`, it sends only the
   * pages no attempt has had confirmed.
   */
  readonly resumes: boolean
  /**
   * Set when this is not a new call but one whose worker died in the middle: when it started,
   * what it had negotiated (kept with its first confirmed page: null before that), and the
   * pages it had got confirmed. Its attempt is `attempt`.
   */
  readonly interrupted: {
    readonly startedAtMs: number
    readonly negotiated: Negotiated | null
    readonly pagesConfirmed: readonly number[]
  } | null
  /**
   * This hold on the call: recordProgress and endCall with it are refused once
   * it is not the newest.
   */
  readonly fence: number
}

/** endCall by a worker that no longer holds the call: it was taken over, or has ended. */
export class CallNotHeldError extends Error {
  readonly deliveryId: string
  readonly fence: number
  constructor(deliveryId: string, fence: number, now: { fence: number; calling: boolean } | null) {
    super(
      `delivery ${deliveryId}: the call is no longer held under fence ${fence}: ` +
        (now === null
          ? 'the delivery has ended'
          : now.fence !== fence
            ? `another worker took it over (fence ${now.fence})`
            : 'the call has already ended'),
    )
    this.name = 'CallNotHeldError'
    this.deliveryId = deliveryId
    this.fence = fence
  }
}

/** Where a delivery stands while its entry is in the outbox (shown by getOutboxFax). */
export interface DeliveryProgress {
  readonly delivery: Delivery
  /** Attempts started so far, the one in progress included. */
  readonly attempts: number
  /** Pages confirmed by the attempts that have ended. */
  readonly pagesConfirmed: readonly number[]
  /** The call in progress, with the pages it has had confirmed so far; null between calls. */
  readonly call: { readonly startedAtMs: number; readonly pagesConfirmed: readonly number[] } | null
  /** When its next attempt is due (the first at send_time); null while calling or not queued. */
  readonly nextAttemptAtMs: number | null
}

/** A job and the worker that holds it (ClaimedJob's id and lockedBy). */
export interface HeldJob {
  readonly id: string
  readonly worker: string
}

/**
 * What follows an attempt: another one later (a retry of `options.retry`), another one at once
 * that does not count as a retry (a restart: the attempt was a call cut short by a crash of ours),
 * or the fax record.
 */
export type AfterAttempt =
  | { readonly kind: 'retry'; readonly retryAtMs: number; readonly jobId: string }
  | { readonly kind: 'restart'; readonly jobId: string }
  | { readonly kind: 'final'; readonly record: FaxRecord }

/**
 * How many calls of one fax cut short by a crash of ours are made again without counting against
 * `options.retry`. A bound, so that a fax whose call itself brings its worker down (a page that
 * runs a process out of memory, say) is not called for ever; past it, such a call ends as an
 * ordinary failed attempt (`failed_to_send`, retryable).
 */
export const MAX_CALL_RESTARTS = 3

/** Calls in progress at once, counted over every worker sharing the store. */
export interface CallLimits {
  /** To one number (1: one call at a time to a destination). */
  readonly perDestination: number
  /** From one sending number. */
  readonly perSendingNumber: number
}

export const DEFAULT_CALL_LIMITS: CallLimits = { perDestination: 1, perSendingNumber: 4 }

/** Why a call cannot start yet: its destination, or its sending number, has no line free. */
export interface LineBusy {
  readonly lineBusy: 'destination' | 'sending-number'
  /** The line's key (lineKey), which the job waits for and the next call ending frees. */
  readonly line: string
}

export function lineKey(kind: LineBusy['lineBusy'], number: string): string {
  return `line:${kind}:${number}`
}

export interface TransmissionRepository {
  /**
   * Starts an attempt: the delivery is calling and the entry `sending`. 'gone' when the entry is
   * gone (cancelled), has no pages yet, or the delivery has ended or is calling (unless
   * `takeOver`: the job's previous holder died, and its call is answered as `interrupted`);
   * LineBusy when `limits.perDestination` calls to its number are in progress, or
   * `limits.perSendingNumber` calls from its sending number.
   */
  beginCall(
    deliveryId: string,
    atMs: number,
    options: { readonly takeOver?: boolean; readonly limits: CallLimits },
  ): Promise<DeliveryInCall | 'gone' | LineBusy>
  /**
   * Keeps the pages the call in progress has had confirmed (for a worker that takes over), and
   * with `negotiated` what it negotiated too, in the same write (the interrupted attempt is
   * recorded with it). With `fence`, only while that
   * hold is the call's newest; otherwise nothing changes.
   */
  recordProgress(
    deliveryId: string,
    pagesConfirmed: readonly number[],
    fence?: number,
    negotiated?: Negotiated,
  ): Promise<void>
  /**
   * Records the attempt, what follows it (a retry's job due at its time, a restart's due at
   * once), and the webhook deliveries that report it, in one transaction: an attempt is never
   * recorded without its `fax_sent` events queued. The lines
   * the call held are free again: the first job waiting for each is made due. With `fence` (the
   * hold beginCall answered; transmitDelivery always gives it), throws CallNotHeldError and
   * changes nothing unless the call is still open under that hold. With `job`, the job that made
   * the call is completed in the same commit, if its worker still holds it (JobQueue.complete).
   */
  endCall(
    attempt: CallAttempt,
    next: AfterAttempt,
    atMs: number,
    options?: {
      readonly webhooks?: readonly PlannedDelivery[]
      readonly fence?: number
      readonly job?: HeldJob
    },
  ): Promise<void>
  /** Every attempt of a fax, in order. */
  listAttempts(faxId: string): Promise<CallAttempt[]>
  /** The deliveries of an outbox entry still to end, in the order of its destinations. */
  listProgress(outboxId: string): Promise<DeliveryProgress[]>
}
