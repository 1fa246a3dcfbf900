/**
 * Every job failure is reported with its cause: when a handler throws and giving its job back
 * fails too (the store went away), the handler's error still reaches the worker's events
 * (issue 11, item 6).
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { ClaimedJob } from '../../src/domain/job-queue.js'
import { Worker } from '../../src/jobs/worker.js'
import { ManualClock } from '../../src/shared/clock.js'
import { newId24 } from '../../src/shared/ids.js'
import { openTestStore, type TestStore } from '../support/test-database.js'

describe('a job whose handler fails while the store goes away', () => {
  let testStore: TestStore
  beforeEach(async () => {
    testStore = await openTestStore('sqlite')
  })
  afterEach(async () => testStore.cleanup())

  it("reports the handler's error beside the queue's", async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 12, 0, 0))
    const store = await testStore.openAgain()
    const id = newId24()
    await store.jobs.enqueue(
      { id, kind: 'deliver-webhook', payload: {}, runAtMs: clock.now() },
      clock.now(),
    )
    const handlerError = new Error('the target answered 500')
    const reported: { job: string; error: unknown; queueError: unknown }[] = []
    const queueErrors: unknown[] = []
    const worker = new Worker(
      store.jobs,
      clock,
      {
        'deliver-webhook': async () => {
          // The store goes away while the job runs: giving the job back will fail.
          await store.close()
          throw handlerError
        },
      },
      { name: 'w1', leaseMs: 60_000, idleMs: 10 },
      {
        onUnrecordedFailure: (job: ClaimedJob, error: unknown, queueError: unknown) => {
          reported.push({ job: job.id, error, queueError })
        },
        onQueueError: (error) => queueErrors.push(error),
      },
    )
    // drain() runs the job, then fails claiming the next one from the closed store.
    await assert.rejects(worker.drain(), /destroyed/)
    assert.equal(reported.length, 1)
    assert.equal(reported[0]?.job, id)
    assert.equal(reported[0]?.error, handlerError)
    assert.ok(reported[0]?.queueError instanceof Error, 'the queue error comes with it')
    assert.deepEqual(queueErrors, [], 'reported once, with the job')
  })
})
