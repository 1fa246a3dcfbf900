/**
 * The durable job queue: work that must happen later or elsewhere (render a fax, send it, deliver
 * a webhook) is a job row, written in the same transaction as the records it serves. Workers
 * claim a due job under a lease (a time until which it is theirs), keep the lease alive with
 * heartbeats while they work, and then complete it (it is gone) or release it (it runs again at a
 * time they choose). A worker that dies simply stops renewing: once its lease has expired, the
 * next claim takes the job over, so a job runs at least once and a worker must expect to see it
 * again (attempts tells how often it was claimed). Every call takes the time as `nowMs`; the
 * queue has no clock of its own.
 *
 * A worker name identifies one claimer: the lease checks compare it, so two loops that may hold
 * jobs at the same time need different names.
 */

export const JOB_KINDS = ['render-fax', 'send-fax', 'deliver-webhook'] as const
export type JobKind = (typeof JOB_KINDS)[number]

/** A job row written with the rows it serves (see OutboxRepository.create) or on its own. */
export interface NewJob {
  readonly id: string
  readonly kind: JobKind
  /** A JSON object: what the worker needs to find its work, never the work itself. */
  readonly payload: Record<string, unknown>
  /** Not claimable before this time. */
  readonly runAtMs: number
}

export interface ClaimRequest {
  /** The kinds this worker runs; an empty list claims nothing. */
  readonly kinds: readonly JobKind[]
  readonly worker: string
  /** How long the job is the worker's without a heartbeat; more than 0. */
  readonly leaseMs: number
  readonly nowMs: number
}

/** A job as its claim left it: leased to the claiming worker until `lockedUntilMs`. */
export interface ClaimedJob {
  readonly id: string
  readonly kind: JobKind
  readonly payload: Record<string, unknown>
  readonly runAtMs: number
  /** Claims so far, this one included: 1 on the first run. */
  readonly attempts: number
  /** The outbox entry the job serves; deleting the entry deletes the job. */
  readonly outboxId: string | null
  readonly lockedUntilMs: number
  /** The worker this claim leased the job to (ClaimRequest's `worker`). */
  readonly lockedBy: string
}

export interface JobQueue {
  /** Adds a job; fails when its id is taken or its outbox entry does not exist. */
  enqueue(job: NewJob & { readonly outboxId?: string | null }, nowMs: number): Promise<void>
  /**
   * Takes, in one atomic step, the due job (run time ≤ nowMs) of one of the kinds that nobody
   * holds (never leased, released, or its lease expired before nowMs) and that comes first by
   * run time, then id; leases it to the worker until nowMs + leaseMs and counts the attempt.
   * Answers null when there is none. Concurrent claims never take the same job.
   */
  claim(request: ClaimRequest): Promise<ClaimedJob | null>
  /**
   * Moves the lease's end to `untilMs` while the worker still holds it (its lease has not
   * expired at nowMs); false when the lease is lost, and then the worker should stop.
   */
  heartbeat(id: string, worker: string, untilMs: number, nowMs: number): Promise<boolean>
  /**
   * Removes the finished job if the worker still holds it (an expired lease nobody took over
   * still counts); false when it is gone or someone else claimed it since.
   */
  complete(id: string, worker: string): Promise<boolean>
  /**
   * Gives the job back, to be claimed again from `runAtMs` on (a retry later, or a shutdown),
   * if the worker still holds it; false otherwise. Its attempts stay counted. With `waitingFor`
   * the job waits for that resource (e.g. a line: transmission.ts lineKey) and whoever frees it
   * may make the job due at once; `runAtMs` is then the latest it runs.
   */
  release(id: string, worker: string, runAtMs: number, waitingFor?: string): Promise<boolean>
  /**
   * How the queue stands at nowMs, per kind that has jobs: how many are due and free (a claim
   * could take them: never leased, released, or their lease expired), since when the oldest of
   * them has been due, and how many are in hand (leased until nowMs or later). For operators
   * (/metrics); it reads every job, so it is not for a hot path.
   */
  depth(nowMs: number): Promise<readonly QueueDepth[]>
}

export interface QueueDepth {
  readonly kind: JobKind
  readonly due: number
  /** The run time of the oldest due job; null when none is due. */
  readonly oldestDueAtMs: number | null
  readonly inHand: number
}
