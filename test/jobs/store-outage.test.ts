/**
 * A worker whose database goes away while it holds a job (issue 11, item 6), on PostgreSQL
 * reached through a proxy the test cuts and mends: what the job did is recorded once the
 * database answers again, while the worker holds the lease. A call that ended during the outage
 * becomes its fax record with the call's own outcome, not an interrupted call taken over later;
 * a finished job is completed and a failed one given back with its delay; a worker stopping
 * while the database is still away gives up after its grace and says why.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { SimulatedCarrier } from '../../src/carriers/simulated-carrier.js'
import type { Carrier } from '../../src/domain/carrier.js'
import type { ClaimedJob } from '../../src/domain/job-queue.js'
import type { Store } from '../../src/domain/ports.js'
import { StoreUnavailableError } from '../../src/domain/store-unavailable.js'
import { sendFaxJob } from '../../src/jobs/send-fax-job.js'
import { type JobHandler, Worker, type WorkerEvents } from '../../src/jobs/worker.js'
import { systemClock } from '../../src/shared/clock.js'
import { newId24 } from '../../src/shared/ids.js'
import { type CuttableProxy, startCuttableProxy } from '../support/cuttable-proxy.js'
import { anAccount, anOutboxEntry, aRenderJob, deliveriesOf } from '../support/sample-records.js'
import { openTestStore, TEST_DATABASE_URL, type TestStore } from '../support/test-database.js'

const LEASE_MS = 60_000
/** Each test takes about a second on an idle machine; the limit leaves room for a loaded one. */
const PER_TEST = { timeout: 60_000 }

describe('a worker whose database goes away while it holds a job (postgres)', () => {
  let world: TestStore
  let proxy: CuttableProxy
  /** The store as the worker sees it: through the proxy. */
  let store: Store

  beforeEach(async () => {
    world = await openTestStore('postgres')
    const target = new URL(TEST_DATABASE_URL)
    proxy = await startCuttableProxy(Number(target.port || 5432), target.hostname)
    const viaProxy = new URL(TEST_DATABASE_URL)
    viaProxy.hostname = '127.0.0.1'
    viaProxy.port = String(proxy.port)
    store = await world.openAgain({ databaseUrl: viaProxy.href })
  })
  afterEach(async () => {
    proxy.mend()
    await world.cleanup()
    await proxy.close()
  })

  /** Mends the network once the worker has tried the database while it was cut. */
  async function cutUntilTried(): Promise<void> {
    const tried = proxy.refused()
    proxy.cut()
    void tried.then(() => proxy.mend())
  }

  function aWorker(
    handlers: Partial<Record<ClaimedJob['kind'], JobHandler>>,
    events: WorkerEvents,
  ) {
    return new Worker(
      store.jobs,
      systemClock,
      handlers,
      {
        name: 'w1',
        leaseMs: LEASE_MS,
        idleMs: 10,
        stopGraceMs: 200,
      },
      events,
    )
  }

  async function jobRow(id: string) {
    return world
      .database()
      .selectFrom('jobs')
      .select(['locked_by', 'run_at', 'attempts'])
      .where('id', '=', id)
      .executeTakeFirst()
  }

  async function aDueJob(): Promise<string> {
    const id = newId24()
    const now = systemClock.now()
    await world.store.jobs.enqueue({ id, kind: 'deliver-webhook', payload: {}, runAtMs: now }, now)
    return id
  }

  it(
    'records a call that ended during the outage as the call ended, when the database returns',
    PER_TEST,
    async () => {
      const user = anAccount()
      await world.store.accounts.create(user, null)
      const entry = anOutboxEntry(user.uid, {
        to: ['+15555550100'],
        status: 'submitted',
        sendAtMs: systemClock.now(),
      })
      const [delivery] = deliveriesOf(entry)
      await world.store.outbox.create(entry, delivery ? [delivery] : [], aRenderJob(entry))
      assert.ok(await world.store.outbox.beginConverting(entry.id, systemClock.now()))
      const pages = { documentKey: `outbox/${entry.id}.tif`, pageCount: 2 }
      assert.ok(await world.store.outbox.finishConverting(entry.id, pages, systemClock.now()))
      // The network fails as the call ends, once its pages are in the store as progress: the
      // first thing to reach for the database after that is the attempt's record.
      const simulated = new SimulatedCarrier({
        wait: async (_ms, signal) => signal.throwIfAborted(),
      })
      const carriers: Carrier[] = [
        {
          name: simulated.name,
          handles: async (to) => simulated.handles(to),
          call: async (call, progress, signal) => {
            const result = await simulated.call(call, progress, signal)
            await until(async () => {
              const [stored] = await world.store.transmissions.listProgress(entry.id)
              return stored?.call?.pagesConfirmed.length === 2
            })
            await cutUntilTried()
            return result
          },
        },
      ]
      const events = recordedEvents()
      const worker = aWorker(
        { 'send-fax': sendFaxJob({ store, clock: systemClock, carriers }) },
        events,
      )
      assert.equal(await worker.drain(), 1)

      const record = await world.store.faxes.get(delivery?.id ?? '')
      assert.deepEqual([record?.status, record?.pages], ['success', 2])
      const attempts = await world.store.transmissions.listAttempts(delivery?.id ?? '')
      assert.deepEqual(
        attempts.map((a) => [a.carrier, a.status, a.pagesConfirmed]),
        [['simulated', 'success', [1, 2]]],
        'the call as it ended, not an interrupted one',
      )
      assert.deepEqual([events.problems, events.queueErrors], [[], []])
      const left = await world.database().selectFrom('jobs').select('kind').execute()
      assert.deepEqual(left, [], 'the send job is complete')
    },
  )

  it(
    'completes a job that finished during the outage, once the database answers',
    PER_TEST,
    async () => {
      const id = await aDueJob()
      const events = recordedEvents()
      const worker = aWorker({ 'deliver-webhook': async () => cutUntilTried() }, events)
      assert.equal(await worker.drain(), 1)
      assert.equal(await jobRow(id), undefined, 'completed')
      assert.ok(events.unavailable.length >= 1, 'the wait was reported')
      assert.ok(
        events.unavailable.every((e) => e.job === id && e.error instanceof StoreUnavailableError),
      )
      assert.deepEqual([events.problems, events.queueErrors], [[], []])
    },
  )

  it('gives a failed job back with its delay, once the database answers', PER_TEST, async () => {
    const id = await aDueJob()
    const events = recordedEvents()
    const failure = new Error('the target answered 500')
    const worker = aWorker(
      {
        'deliver-webhook': async () => {
          await cutUntilTried()
          throw failure
        },
      },
      events,
    )
    assert.equal(await worker.drain(), 1)
    assert.equal(events.failures.length, 1)
    assert.equal(events.failures[0]?.error, failure)
    const row = await jobRow(id)
    assert.deepEqual(
      [row?.locked_by, Number(row?.run_at), row?.attempts],
      [null, events.failures[0]?.retryAtMs, 1],
      'given back, due after its delay',
    )
    assert.deepEqual([events.problems, events.queueErrors], [[], []])
  })

  it(
    'stops after its grace while the database is still away, saying what was not recorded',
    PER_TEST,
    async () => {
      const id = await aDueJob()
      const events = recordedEvents()
      let finished: () => void = () => {}
      const handlerDone = new Promise<void>((resolve) => {
        finished = resolve
      })
      const worker = aWorker(
        {
          'deliver-webhook': async () => {
            proxy.cut() // And never mended while the worker runs.
            finished()
          },
        },
        events,
      )
      worker.start()
      await handlerDone
      await worker.stop()
      assert.ok(events.unavailable.length >= 1)
      assert.equal(events.queueErrors.length, 1)
      assert.ok(events.queueErrors[0] instanceof StoreUnavailableError)
      proxy.mend()
      assert.equal((await jobRow(id))?.locked_by, 'w1', 'left leased, for its lease to run out')
    },
  )
})

/** The worker's events, kept; `problems` are those a recorded job must not produce. */
function recordedEvents() {
  const unavailable: { job: string; error: unknown }[] = []
  const failures: { error: unknown; retryAtMs: number }[] = []
  const queueErrors: unknown[] = []
  const problems: string[] = []
  const events: WorkerEvents = {
    onStoreUnavailable: (job, error) => unavailable.push({ job: job.id, error }),
    onFailure: (_job, error, retryAtMs) => failures.push({ error, retryAtMs }),
    onLeaseLost: (job) => problems.push(`lease lost: ${job.id}`),
    onUnrecordedFailure: (job, error, queueError) =>
      problems.push(`unrecorded failure of ${job.id}: ${String(error)} / ${String(queueError)}`),
    onQueueError: (error) => {
      queueErrors.push(error)
    },
  }
  return { ...events, unavailable, failures, queueErrors, problems }
}

/** Resolves once `condition` holds; fails after ten seconds. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error('the condition did not come true within 10 s')
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
