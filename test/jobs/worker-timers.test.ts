/**
 * The worker on a manual clock and manual timers, over the real queue on SQLite and PostgreSQL:
 * its idle wait and its heartbeats happen when the test moves time, never by sleeping; a lost
 * lease aborts the handler's signal; stop() aborts the jobs still running after its grace, and
 * waits for them.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ClaimedJob, JobQueue } from '../../src/domain/job-queue.js'
import { JobAbortedError, Worker, type WorkerOptions } from '../../src/jobs/worker.js'
import { ManualClock } from '../../src/shared/clock.js'
import { newId24 } from '../../src/shared/ids.js'
import { ManualTimers } from '../../src/shared/timers.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

const T0 = Date.UTC(2026, 5, 1)
const LEASE_MS = 30_000
const IDLE_MS = 10_000

/** A promise and its resolve, for the moments a test waits for. */
function signalled<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {}
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** A handler that runs until its signal aborts, and tells when it started and why it ended. */
function runsUntilAborted() {
  const started = signalled<ClaimedJob>()
  const aborted = signalled<unknown>()
  const handler = async (job: ClaimedJob, signal: AbortSignal): Promise<void> => {
    started.resolve(job)
    await new Promise<void>((resolve) => {
      signal.addEventListener('abort', () => resolve(), { once: true })
    })
    aborted.resolve(signal.reason)
  }
  return { handler, started: started.promise, aborted: aborted.promise }
}

/** Each test takes a few seconds on an idle machine; the limit leaves room for a loaded one. */
const PER_TEST = { timeout: 60_000 }

for (const engine of ENGINES) {
  describe(`the worker's clock and timers (${engine})`, () => {
    const world = freshStoreForEachTest(engine)

    function setUp(handler: (job: ClaimedJob, signal: AbortSignal) => Promise<void>) {
      const clock = new ManualClock(T0)
      const timers = new ManualTimers(clock)
      const lost = signalled<ClaimedJob>()
      const options: WorkerOptions = {
        name: 'w1',
        leaseMs: LEASE_MS,
        idleMs: IDLE_MS,
        stopGraceMs: 5_000,
        timers,
      }
      const worker = new Worker(
        world().store.jobs,
        clock,
        { 'deliver-webhook': handler },
        options,
        {
          onLeaseLost: (job) => lost.resolve(job),
        },
      )
      return { clock, timers, worker, leaseLost: lost.promise }
    }

    async function enqueue(jobs: JobQueue, runAtMs: number): Promise<string> {
      const id = newId24()
      await jobs.enqueue({ id, kind: 'deliver-webhook', payload: {}, runAtMs }, T0)
      return id
    }

    async function lockOf(id: string) {
      return world()
        .database()
        .selectFrom('jobs')
        .select(['locked_by', 'locked_until'])
        .where('id', '=', id)
        .executeTakeFirst()
    }

    it(
      'waits idleMs on its timers before looking again, and claims at the clock time',
      PER_TEST,
      async () => {
        const { handler, started } = runsUntilAborted()
        const { timers, worker } = setUp(handler)
        worker.start()
        await timers.waitForTimers(1) // Nothing due: it waits.
        const id = await enqueue(world().store.jobs, T0 + 1_000)
        await timers.advance(IDLE_MS - 1)
        assert.equal(timers.pending, 1, 'the idle wait has not ended')
        assert.deepEqual(await lockOf(id), { locked_by: null, locked_until: null })
        await timers.advance(1)
        const job = await started
        assert.equal(job.id, id)
        assert.equal(job.lockedUntilMs, T0 + IDLE_MS + LEASE_MS, 'claimed on the manual clock')
        const stopping = worker.stop()
        await timers.advance(5_000)
        await stopping
      },
    )

    it(
      'renews the lease every third of it, and aborts the handler when the lease is lost',
      PER_TEST,
      async () => {
        const { handler, started, aborted } = runsUntilAborted()
        const { clock, timers, worker, leaseLost } = setUp(handler)
        const id = await enqueue(world().store.jobs, T0)
        worker.start()
        await started
        assert.equal(Number((await lockOf(id))?.locked_until), T0 + LEASE_MS)
        await timers.advance(LEASE_MS / 3)
        assert.equal(Number((await lockOf(id))?.locked_until), T0 + LEASE_MS / 3 + LEASE_MS)
        await timers.advance(LEASE_MS / 3)
        assert.equal(Number((await lockOf(id))?.locked_until), T0 + (2 * LEASE_MS) / 3 + LEASE_MS)
        // The process stalls past its lease, and another worker takes the job over.
        clock.advance(LEASE_MS + 1)
        const taken = await world().store.jobs.claim({
          kinds: ['deliver-webhook'],
          worker: 'w2',
          leaseMs: LEASE_MS,
          nowMs: clock.now(),
        })
        assert.equal(taken?.id, id)
        await timers.advance(0) // The overdue heartbeat finds the job taken.
        const reason = await aborted
        assert.ok(reason instanceof JobAbortedError)
        assert.equal(reason.why, 'lease-lost')
        assert.equal((await leaseLost).id, id)
        assert.equal(
          (await lockOf(id))?.locked_by,
          'w2',
          'the job stays with the worker that took it',
        )
        const stopping = worker.stop()
        await timers.advance(5_000)
        await stopping
      },
    )

    it(
      'stop() lets a job run for stopGraceMs, then aborts it and waits for it to end',
      PER_TEST,
      async () => {
        const { handler, started, aborted } = runsUntilAborted()
        const { timers, worker } = setUp(handler)
        const id = await enqueue(world().store.jobs, T0)
        worker.start()
        await started
        let stopped = false
        const stopping = worker.stop().then(() => {
          stopped = true
        })
        let abortedYet = false
        void aborted.then(() => {
          abortedYet = true
        })
        await timers.advance(5_000 - 1)
        assert.equal(abortedYet, false, 'aborted before the grace was over')
        assert.equal(stopped, false, 'stop() returned while a job was in hand')
        await timers.advance(1)
        const reason = await aborted
        assert.ok(reason instanceof JobAbortedError)
        assert.equal(reason.why, 'stopping')
        await stopping
        // The handler returned once aborted: its job is complete and gone.
        assert.equal(await lockOf(id), undefined)
      },
    )

    it('stop() aborts nothing when the jobs in hand end within the grace', PER_TEST, async () => {
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const started = signalled()
      let signalSeen: AbortSignal | undefined
      const { timers, worker } = setUp(async (_job, signal) => {
        signalSeen = signal
        started.resolve()
        await gate
      })
      await enqueue(world().store.jobs, T0)
      worker.start()
      await started.promise
      const stopping = worker.stop()
      await timers.advance(4_999)
      release()
      await stopping
      assert.equal(signalSeen?.aborted, false)
      assert.equal(timers.pending, 0, 'no timer is left behind: heartbeat and grace are cancelled')
    })
  })
}
