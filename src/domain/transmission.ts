/**
 * Calls, as the store keeps them: a delivery (one destination of an outbox entry) is called once
 * per attempt; each attempt is recorded with what the carrier reported; after the last one the
 * delivery becomes a fax record under its own id (the id `return_ids` gave), and the entry leaves
 * the outbox when its last delivery has. The repository makes each step one transaction.
 */
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
  readonly remoteStationId: string | null
  readonly bitRate: number | null
  readonly coding: string | null
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
   * Set when this is not a new call but one whose worker died in the middle: when it started and
   * the pages it had got confirmed. Its attempt is `attempt`.
   */
  readonly interrupted: {
    readonly startedAtMs: number
    readonly pagesConfirmed: readonly number[]
  } | null
}

/** What follows an attempt: another one later, or the fax record. */
export type AfterAttempt =
  | { readonly kind: 'retry'; readonly retryAtMs: number; readonly jobId: string }
  | { readonly kind: 'final'; readonly record: FaxRecord }

export interface TransmissionRepository {
  /**
   * Starts an attempt: the delivery is calling and the entry `sending`. 'gone' when the entry is
   * gone (cancelled), has no pages yet, or the delivery has ended or is calling (unless
   * `takeOver`: the job's previous holder died, and its call is answered as `interrupted`);
   * 'destination-busy' when another delivery is calling the same number (one call at a time to
   * a destination).
   */
  beginCall(
    deliveryId: string,
    atMs: number,
    options?: { readonly takeOver?: boolean },
  ): Promise<DeliveryInCall | 'gone' | 'destination-busy'>
  /** Keeps the pages the call in progress has had confirmed (for a worker that takes over). */
  recordProgress(deliveryId: string, pagesConfirmed: readonly number[]): Promise<void>
  /**
   * Records the attempt, what follows it, and the webhook deliveries that report it, in one
   * transaction: an attempt is never recorded without its `fax_sent` events queued.
   */
  endCall(
    attempt: CallAttempt,
    next: AfterAttempt,
    atMs: number,
    webhooks?: readonly PlannedDelivery[],
  ): Promise<void>
  /** Every attempt of a fax, in order. */
  listAttempts(faxId: string): Promise<CallAttempt[]>
}
