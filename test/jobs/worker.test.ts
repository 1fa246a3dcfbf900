/**
 * The worker over the real queue, on SQLite and PostgreSQL: it runs the render job that sendFax
 * wrote, retries a job whose handler threw after the delay and not before, and lets the job in
 * hand finish when it is stopped.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import type { ClaimedJob, JobQueue } from '../../src/domain/job-queue.js'
import { renderFaxJob } from '../../src/jobs/render-fax-job.js'
import { retryDelayMs, Worker } from '../../src/jobs/worker.js'
import { newId24 } from '../../src/shared/ids.js'
import { documentPath } from '../support/fixtures.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'
import { ENGINES } from '../support/test-database.js'

const FROM = '+15555550150'
const OPTIONS = { leaseMs: 60_000, idleMs: 10 }

/** Each test takes a few seconds on an idle machine; the limit leaves room for a loaded one. */
const PER_TEST = { timeout: 60_000 }

for (const engine of ENGINES) {
  describe(`the worker (${engine})`, () => {
    let t: TestApp
    let user: TestUser

    before(async () => {
      t = await openTestApp(engine)
      user = await t.user({ numbers: [FROM] })
    })
    after(async () => t.close())

    it(
      'runs the render job sendFax wrote: the entry gets its pages and the job is gone',
      PER_TEST,
      async () => {
        const path = await t.upload(user, await readFile(documentPath('text-letter.pdf')), 'a.pdf')
        const sent = await t.request('POST', '/v3/accounts/self/outbox', {
          token: user.token,
          body: { from: FROM, to: ['+15555550100'], files: [path] },
        })
        assert.equal(sent.statusCode, 201)
        const worker = new Worker(
          t.services.store.jobs,
          t.clock,
          { 'render-fax': renderFaxJob(t.services) },
          { name: 'w1', ...OPTIONS },
        )
        assert.equal(await worker.drain(), 1)
        assert.equal(await worker.drain(), 0)
        const listed = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
        const [entry] = listed.json<{ records: { status: string; page_count: number }[] }>().records
        assert.equal(entry?.status, 'scheduled_for_sending')
        assert.equal(entry?.page_count, 2)
      },
    )

    it(
      'gives a failed job back and runs it again after the delay, not before',
      PER_TEST,
      async () => {
        const id = newId24()
        await t.services.store.jobs.enqueue(
          { id, kind: 'deliver-webhook', payload: { n: 1 }, runAtMs: t.clock.now() },
          t.clock.now(),
        )
        const attempts: number[] = []
        const failures: number[] = []
        const worker = new Worker(
          t.services.store.jobs,
          t.clock,
          {
            // Not send-fax: the first test's entry left send-fax jobs behind, due now.
            'deliver-webhook': async (job: ClaimedJob) => {
              attempts.push(job.attempts)
              if (job.attempts === 1) {
                throw new Error('the line was busy')
              }
            },
          },
          { name: 'w2', ...OPTIONS },
          { onFailure: (_job, _error, retryAtMs) => failures.push(retryAtMs) },
        )
        assert.equal(await worker.drain(), 1)
        assert.deepEqual(failures, [t.clock.now() + retryDelayMs(1)])
        t.clock.advance(retryDelayMs(1) - 1)
        assert.equal(await worker.drain(), 0)
        t.clock.advance(1)
        assert.equal(await worker.drain(), 1)
        assert.deepEqual(attempts, [1, 2])
        assert.equal(await worker.drain(), 0)
      },
    )

    it('finishes the job in hand when stopped, and claims no more', PER_TEST, async () => {
      const first = newId24()
      const second = newId24()
      for (const id of [first, second]) {
        await t.services.store.jobs.enqueue(
          { id, kind: 'deliver-webhook', payload: {}, runAtMs: t.clock.now() },
          t.clock.now(),
        )
      }
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const ran: string[] = []
      let started: () => void = () => {}
      const running = new Promise<void>((resolve) => {
        started = resolve
      })
      const worker = new Worker(
        t.services.store.jobs,
        t.clock,
        {
          'deliver-webhook': async (job) => {
            ran.push(job.id)
            started()
            await gate
          },
        },
        { name: 'w3', ...OPTIONS },
      )
      worker.start()
      await running
      // The order of two events, not a pause: stop() may only resolve after the job it waits
      // for has been let go, however long that takes.
      const order: string[] = []
      const stopping = worker.stop().then(() => {
        order.push('stopped')
      })
      await new Promise((resolve) => setImmediate(resolve))
      order.push('job let go')
      release()
      await stopping
      assert.deepEqual(order, ['job let go', 'stopped'], 'stop() returned while a job was in hand')
      assert.equal(ran.length, 1)
      // The finished job is gone; the other is still there for the next worker.
      const next = await t.services.store.jobs.claim({
        kinds: ['deliver-webhook'],
        worker: 'w4',
        leaseMs: 1000,
        nowMs: t.clock.now(),
      })
      assert.ok(next)
      assert.notEqual(next.id, ran[0])
      assert.equal(next.attempts, 1)
    })

    it(
      'runs up to its slots of each kind at once, and stop() waits for all of them',
      PER_TEST,
      async () => {
        const now = t.clock.now()
        for (let n = 0; n < 5; n++) {
          await t.services.store.jobs.enqueue(
            { id: newId24(), kind: 'deliver-webhook', payload: {}, runAtMs: now },
            now,
          )
        }
        await t.services.store.jobs.enqueue(
          { id: newId24(), kind: 'render-fax', payload: {}, runAtMs: now },
          now,
        )
        let release: () => void = () => {}
        const gate = new Promise<void>((resolve) => {
          release = resolve
        })
        const inHand = { 'deliver-webhook': 0, 'render-fax': 0 }
        let most = 0
        let finished = 0
        const hold = (kind: keyof typeof inHand) => async () => {
          inHand[kind]++
          most = Math.max(most, inHand['deliver-webhook'])
          await gate
          inHand[kind]--
          finished++
        }
        const worker = new Worker(
          t.services.store.jobs,
          t.clock,
          { 'deliver-webhook': hold('deliver-webhook'), 'render-fax': hold('render-fax') },
          { name: 'w5', ...OPTIONS, slots: { 'deliver-webhook': 3, 'render-fax': 1 } },
        )
        worker.start()
        const deadline = Date.now() + 10_000
        while (inHand['deliver-webhook'] + inHand['render-fax'] < 4 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        // Three webhooks (its slots) and the render beside them; that no more were ever in hand
        // at once, until they are let go, is `most` below.
        assert.deepEqual(inHand, { 'deliver-webhook': 3, 'render-fax': 1 })
        const stopping = worker.stop()
        release()
        await stopping
        assert.equal(finished, 4, 'stop() returned before the jobs in hand finished')
        assert.equal(most, 3)
        // The two webhooks never claimed are still queued.
        let left = 0
        while (
          await t.services.store.jobs.claim({
            kinds: ['deliver-webhook'],
            worker: 'w6',
            leaseMs: 1000,
            nowMs: t.clock.now(),
          })
        ) {
          left++
        }
        assert.equal(left, 2)
      },
    )

    it(
      'records nothing more for a job its handler completed in its own commit',
      PER_TEST,
      async () => {
        const now = t.clock.now()
        const id = newId24()
        await t.services.store.jobs.enqueue(
          { id, kind: 'deliver-webhook', payload: {}, runAtMs: now },
          now,
        )
        const jobs = t.services.store.jobs
        const calls: string[] = []
        const watched: JobQueue = {
          enqueue: async (...args) => jobs.enqueue(...args),
          claim: async (request) => jobs.claim(request),
          heartbeat: async (...args) => jobs.heartbeat(...args),
          complete: async (...args) => (calls.push('complete'), jobs.complete(...args)),
          release: async (...args) => (calls.push('release'), jobs.release(...args)),
          depth: async (...args) => jobs.depth(...args),
        }
        const lost: string[] = []
        const worker = new Worker(
          watched,
          t.clock,
          {
            // As the send-fax handler's transaction does: the job is completed with its outcome.
            'deliver-webhook': async (job) => {
              assert.ok(await jobs.complete(job.id, job.lockedBy))
              return { completed: true }
            },
          },
          { name: 'w8', ...OPTIONS },
          { onLeaseLost: (job) => lost.push(job.id) },
        )
        assert.equal(await worker.drain(), 1)
        assert.deepEqual(calls, [], 'neither completed nor released again by the worker')
        assert.deepEqual(lost, [], 'and not taken for a lost lease')
      },
    )

    it(
      'looks for the next job as soon as one ends, even while it is claiming',
      PER_TEST,
      async () => {
        const now = t.clock.now()
        for (let n = 0; n < 20; n++) {
          await t.services.store.jobs.enqueue(
            { id: newId24(), kind: 'deliver-webhook', payload: {}, runAtMs: now },
            now,
          )
        }
        // The real queue, with claims slow enough that a short job ends while the worker is
        // claiming for its other kind (the moment a wake-up could be lost).
        const jobs = t.services.store.jobs
        const slowClaims: JobQueue = {
          enqueue: async (...args) => jobs.enqueue(...args),
          claim: async (request) => {
            await new Promise((resolve) => setTimeout(resolve, 20))
            return jobs.claim(request)
          },
          heartbeat: async (...args) => jobs.heartbeat(...args),
          complete: async (...args) => jobs.complete(...args),
          release: async (...args) => jobs.release(...args),
          depth: async (...args) => jobs.depth(...args),
        }
        let done = 0
        const worker = new Worker(
          slowClaims,
          t.clock,
          { 'deliver-webhook': async () => void done++, 'render-fax': async () => {} },
          { name: 'w7', leaseMs: 60_000, idleMs: 60_000, slots: { 'deliver-webhook': 1 } },
        )
        const started = Date.now()
        worker.start()
        while (done < 20 && Date.now() - started < 10_000) {
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        await worker.stop()
        // Twenty jobs in well under one idle wait (a minute): no wake-up was lost.
        assert.equal(done, 20)
        assert.ok(Date.now() - started < 10_000)
      },
    )
  })
}
