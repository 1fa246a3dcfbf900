/**
 * A call cut off by the worker's signal, on SQLite and PostgreSQL, through the real send-fax job,
 * the simulated carrier and the store: a worker that loses its lease, or stops and runs out of
 * grace, aborts the call in progress; the call is left open with the pages confirmed so far, and
 * the worker that runs the job next ends the attempt as interrupted, keeping those pages, and
 * makes the call again at once for the pages left (a restart, not one of options.retry). Time
 * is a manual clock and manual timers; the carrier's line is held by the test, page by page.
 */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { SimulatedCarrier } from '../../src/carriers/simulated-carrier.js'
import type { Wait } from '../../src/carriers/wait.js'
import type { ClaimedJob } from '../../src/domain/job-queue.js'
import { sendFaxJob } from '../../src/jobs/send-fax-job.js'
import { JobAbortedError, Worker } from '../../src/jobs/worker.js'
import { ManualClock } from '../../src/shared/clock.js'
import { ManualTimers } from '../../src/shared/timers.js'
import { anAccount, anOutboxEntry, aRenderJob, deliveriesOf } from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

const T0 = Date.UTC(2026, 5, 1)
const LEASE_MS = 30_000
const GRACE_MS = 5_000
const RETRY_DELAY_MS = 60_000

/**
 * The line of a call that gets its first page through and then hangs: the carrier's first
 * `passing` waits (answer, training, page 1) pass at once, the next is held until the call's
 * signal aborts.
 */
class LineHangingAfter {
  readonly #passing: number
  #waits = 0
  #heldNow: () => void = () => {}
  #abortedWith: (reason: unknown) => void = () => {}
  /** Resolves when the carrier is waiting on the held wait. */
  readonly held = new Promise<void>((resolve) => {
    this.#heldNow = resolve
  })
  /** Resolves with the signal's reason when the held wait is aborted. */
  readonly aborted = new Promise<unknown>((resolve) => {
    this.#abortedWith = resolve
  })

  constructor(passing: number) {
    this.#passing = passing
  }

  readonly wait: Wait = async (_ms, signal) => {
    signal.throwIfAborted()
    if (++this.#waits <= this.#passing) {
      return
    }
    await new Promise<void>((_resolve, reject) => {
      signal.addEventListener(
        'abort',
        () => {
          this.#abortedWith(signal.reason)
          reject(signal.reason as Error)
        },
        { once: true },
      )
      this.#heldNow()
    })
  }
}

/** A wait on a line where time costs nothing. */
const instant: Wait = async (_ms, signal) => {
  signal.throwIfAborted()
}

/** Each test takes a few seconds on an idle machine; the limit leaves room for a loaded one. */
const PER_TEST = { timeout: 60_000 }

for (const engine of ENGINES) {
  describe(`a send-fax job whose signal aborts (${engine})`, () => {
    const world = freshStoreForEachTest(engine)
    let outboxId: string
    let deliveryId: string
    let clock: ManualClock
    let timers: ManualTimers

    /** One fax of three pages to the test number that answers, rendered: its send job is due. */
    beforeEach(async () => {
      clock = new ManualClock(T0)
      timers = new ManualTimers(clock)
      const { store } = world()
      const user = anAccount()
      await store.accounts.create(user, null)
      const entry = anOutboxEntry(user.uid, {
        to: ['+15555550100'],
        status: 'submitted',
        sendAtMs: T0,
        retry: { count: 1, delaySeconds: RETRY_DELAY_MS / 1000 },
        partiallySentRetry: true,
      })
      const deliveries = deliveriesOf(entry)
      outboxId = entry.id
      deliveryId = deliveries[0]?.id ?? ''
      await store.outbox.create(entry, deliveries, aRenderJob(entry))
      assert.ok(await store.outbox.beginConverting(entry.id, T0))
      const pages = { documentKey: `outbox/${entry.id}.tif`, pageCount: 3 }
      assert.ok(await store.outbox.finishConverting(entry.id, pages, T0))
    })

    /** A worker for send-fax jobs on the test's clock and timers, calling through `wait`. */
    function aWorker(name: string, wait: Wait, onLeaseLost?: (job: ClaimedJob) => void): Worker {
      const { store } = world()
      const carriers = [new SimulatedCarrier({ wait })]
      return new Worker(
        store.jobs,
        clock,
        { 'send-fax': sendFaxJob({ store, clock, carriers }) },
        { name, leaseMs: LEASE_MS, idleMs: 1_000, stopGraceMs: GRACE_MS, timers },
        { onLeaseLost },
      )
    }

    async function sendJob() {
      return world()
        .database()
        .selectFrom('jobs')
        .select(['locked_by', 'run_at', 'attempts'])
        .where('kind', '=', 'send-fax')
        .executeTakeFirst()
    }

    /** The next worker takes the job over, ends the call as it stood, and restarts the rest. */
    async function takeOverAndFinish(): Promise<void> {
      const next = aWorker('b', instant)
      assert.equal(await next.drain(), 2, 'the take-over, then the restart it queued')
      await assertRestartedAndSent()
    }

    /**
     * The attempt the take-over ended, with its confirmed page kept, then the restart (due at
     * once, not counted against options.retry), which got the pages left through.
     */
    async function assertRestartedAndSent(): Promise<void> {
      const attempts = await world().store.transmissions.listAttempts(deliveryId)
      assert.deepEqual(
        attempts.map((a) => [a.attempt, a.carrier, a.status, a.pagesConfirmed]),
        [
          [1, 'interrupted', 'failed_to_send', [1]],
          [2, 'simulated', 'success', [2, 3]],
        ],
        'the cut-off call ends as interrupted, its confirmed page kept; the restart sends the rest',
      )
      const record = await world().store.faxes.get(deliveryId)
      assert.deepEqual([record?.status, record?.pages], ['success', 3])
    }

    it(
      'aborts the call in progress when another worker takes its job; that one ends it as interrupted',
      PER_TEST,
      async () => {
        const line = new LineHangingAfter(3)
        let lost: (job: ClaimedJob) => void = () => {}
        const leaseLost = new Promise<ClaimedJob>((resolve) => {
          lost = resolve
        })
        const worker = aWorker('a', line.wait, (job) => lost(job))
        worker.start()
        await line.held // Page 1 is through; page 2 hangs.
        // The process stalls past its lease, and another worker claims the job meanwhile.
        clock.advance(LEASE_MS + 1)
        const taken = await world().store.jobs.claim({
          kinds: ['send-fax'],
          worker: 'b',
          leaseMs: LEASE_MS,
          nowMs: clock.now(),
        })
        assert.ok(taken)
        await timers.advance(0) // The overdue heartbeat finds the job taken.
        const reason = await line.aborted
        assert.ok(reason instanceof JobAbortedError, 'the carrier saw the worker abort')
        assert.equal(reason.why, 'lease-lost')
        assert.equal((await leaseLost).id, taken.id)
        // The worker that lost the job recorded nothing: the call is open, with page 1 kept.
        assert.deepEqual(await world().store.transmissions.listAttempts(deliveryId), [])
        const [progress] = await world().store.transmissions.listProgress(outboxId)
        assert.deepEqual(progress?.call?.pagesConfirmed, [1])
        assert.equal((await sendJob())?.locked_by, 'b')
        // The other worker runs the job: the send-fax handler takes the open call over.
        const { store } = world()
        const handler = sendFaxJob({
          store,
          clock,
          carriers: [new SimulatedCarrier({ wait: instant })],
        })
        // It completes the job in the commit that records the interrupted attempt.
        assert.deepEqual(await handler(taken, new AbortController().signal), { completed: true })
        assert.equal(await store.jobs.complete(taken.id, 'b'), false, 'already completed')
        assert.equal(await aWorker('b', instant).drain(), 1, 'the restart, due at once')
        await assertRestartedAndSent()
        const stopping = worker.stop()
        await timers.advance(GRACE_MS)
        await stopping
      },
    )

    it(
      'stop() aborts a call still going after the grace, and gives its job back at once',
      PER_TEST,
      async () => {
        const line = new LineHangingAfter(3)
        const worker = aWorker('a', line.wait)
        worker.start()
        await line.held
        const stopping = worker.stop()
        await timers.advance(GRACE_MS)
        const reason = await line.aborted
        assert.ok(reason instanceof JobAbortedError)
        assert.equal(reason.why, 'stopping')
        await stopping
        const job = await sendJob()
        assert.deepEqual(
          [job?.locked_by, Number(job?.run_at), job?.attempts],
          [null, clock.now(), 1],
          'given back, due at once',
        )
        assert.deepEqual(await world().store.transmissions.listAttempts(deliveryId), [])
        const [progress] = await world().store.transmissions.listProgress(outboxId)
        assert.deepEqual(progress?.call?.pagesConfirmed, [1], 'the call is open, page 1 kept')
        await takeOverAndFinish()
      },
    )
  })
}
