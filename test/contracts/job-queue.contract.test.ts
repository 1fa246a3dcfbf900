/**
 * Contract of JobQueue, run on every storage engine: which job a claim takes, leases (expiry,
 * heartbeat, lost leases), complete and release, jobs of outbox entries, concurrent claimers,
 * and the claim's query plan (index, no sort). Times are explicit: nothing here reads a clock.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CompiledQuery, sql } from 'kysely'
import type { ClaimedJob, ClaimRequest, JobKind, NewJob } from '../../src/domain/job-queue.js'
import { newId24 } from '../../src/shared/ids.js'
import { claimQuery } from '../../src/storage/sql/sql-job-queue.js'
import { anAccount, anOutboxEntry, aRenderJob, deliveriesOf } from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

const T0 = Date.UTC(2026, 0, 1)
const LEASE_MS = 30_000
const ALL_KINDS: readonly JobKind[] = ['render-fax', 'send-fax', 'deliver-webhook']

/** Ids whose order is the same under any collation: one lowercase letter, repeated. */
function letterId(letter: string): string {
  return letter.repeat(24)
}

/** The kinds in turn, so a list of jobs mixes them. */
function kindAt(index: number): JobKind {
  const kind = ALL_KINDS[index % ALL_KINDS.length]
  assert.ok(kind)
  return kind
}

function aJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: newId24(),
    kind: 'send-fax',
    payload: { deliveryId: newId24() },
    runAtMs: T0,
    ...overrides,
  }
}

for (const engine of ENGINES) {
  describe(`${engine}: JobQueue`, () => {
    const world = freshStoreForEachTest(engine)
    const queue = () => world().store.jobs

    async function enqueue(...jobs: NewJob[]): Promise<void> {
      for (const job of jobs) {
        await queue().enqueue(job, T0 - 60_000)
      }
    }

    function claim(
      nowMs: number,
      overrides: Partial<Omit<ClaimRequest, 'nowMs'>> = {},
    ): Promise<ClaimedJob | null> {
      return queue().claim({
        kinds: ALL_KINDS,
        worker: 'w1',
        leaseMs: LEASE_MS,
        nowMs,
        ...overrides,
      })
    }

    async function claimOrFail(
      nowMs: number,
      overrides: Partial<Omit<ClaimRequest, 'nowMs'>> = {},
    ): Promise<ClaimedJob> {
      const claimed = await claim(nowMs, overrides)
      assert.ok(claimed, `expected a job to claim at ${nowMs}`)
      return claimed
    }

    it('depth: per kind, the due and free jobs, the oldest due run time, and the jobs in hand', async () => {
      assert.deepEqual(await queue().depth(T0), [], 'an empty queue has no kinds')
      await enqueue(
        aJob({ id: letterId('a'), kind: 'send-fax', runAtMs: T0 - 5_000 }),
        aJob({ id: letterId('b'), kind: 'send-fax', runAtMs: T0 - 1_000 }),
        aJob({ id: letterId('c'), kind: 'send-fax', runAtMs: T0 + 60_000 }),
        aJob({ id: letterId('d'), kind: 'deliver-webhook', runAtMs: T0 - 2_000 }),
        aJob({ id: letterId('e'), kind: 'render-fax', runAtMs: T0 + 1 }),
      )
      const first = await claim(T0, { kinds: ['send-fax'] })
      assert.equal(first?.id, letterId('a'))
      assert.deepEqual(await queue().depth(T0), [
        { kind: 'deliver-webhook', due: 1, oldestDueAtMs: T0 - 2_000, inHand: 0 },
        { kind: 'render-fax', due: 0, oldestDueAtMs: null, inHand: 0 },
        { kind: 'send-fax', due: 1, oldestDueAtMs: T0 - 1_000, inHand: 1 },
      ])
      // Once its lease has run out, the claimed job is due and free again, the oldest.
      const later = T0 + LEASE_MS + 1
      const depth = await queue().depth(later)
      assert.deepEqual(
        depth.find((row) => row.kind === 'send-fax'),
        {
          kind: 'send-fax',
          due: 2,
          oldestDueAtMs: T0 - 5_000,
          inHand: 0,
        },
      )
    })

    it('claims nothing from an empty queue or when no job is due', async () => {
      assert.equal(await claim(T0), null)
      await enqueue(aJob({ runAtMs: T0 + 1 }))
      assert.equal(await claim(T0), null)
      assert.equal(await claim(T0, { kinds: [] }), null)
    })

    it('claims the earliest due job first: by run time, then by id', async () => {
      const b = aJob({ id: letterId('b'), runAtMs: T0 - 1_000 })
      const a = aJob({ id: letterId('a'), runAtMs: T0 - 1_000 })
      const earliest = aJob({ id: letterId('c'), runAtMs: T0 - 2_000 })
      const future = aJob({ id: letterId('0'), runAtMs: T0 + 1 })
      await enqueue(b, future, a, earliest)
      const order: string[] = []
      for (let claimed = await claim(T0); claimed !== null; claimed = await claim(T0)) {
        order.push(claimed.id)
      }
      assert.deepEqual(order, [earliest.id, a.id, b.id])
    })

    it('claims only the kinds it is asked for, earliest first across them', async () => {
      const render = aJob({ kind: 'render-fax', runAtMs: T0 - 3_000 })
      const webhook = aJob({ kind: 'deliver-webhook', runAtMs: T0 - 2_000 })
      const send = aJob({ kind: 'send-fax', runAtMs: T0 - 1_000 })
      await enqueue(render, webhook, send)
      assert.equal((await claimOrFail(T0, { kinds: ['send-fax'] })).id, send.id)
      assert.equal(await claim(T0, { kinds: ['send-fax'] }), null)
      const both = await claimOrFail(T0, { kinds: ['send-fax', 'deliver-webhook'] })
      assert.deepEqual([both.id, both.kind], [webhook.id, 'deliver-webhook'])
      assert.equal(await claim(T0, { kinds: ['send-fax', 'deliver-webhook'] }), null)
      assert.equal((await claimOrFail(T0, { kinds: ['render-fax'] })).id, render.id)
    })

    it('makes a future job claimable once nowMs reaches its run time', async () => {
      const job = aJob({ runAtMs: T0 + 5_000 })
      await enqueue(job)
      assert.equal(await claim(T0 + 4_999), null)
      assert.equal((await claimOrFail(T0 + 5_000)).id, job.id)
    })

    it('leases a claimed job to its worker and counts the attempt', async () => {
      const job = aJob()
      await enqueue(job)
      const claimed = await claimOrFail(T0 + 10, { worker: 'w1', leaseMs: 1_000 })
      assert.deepEqual(
        { id: claimed.id, attempts: claimed.attempts, lockedUntilMs: claimed.lockedUntilMs },
        { id: job.id, attempts: 1, lockedUntilMs: T0 + 1_010 },
      )
    })

    it('does not claim a job again while its lease holds, up to its last millisecond', async () => {
      await enqueue(aJob())
      await claimOrFail(T0, { worker: 'w1', leaseMs: 1_000 })
      assert.equal(await claim(T0, { worker: 'w2' }), null)
      assert.equal(await claim(T0 + 1_000, { worker: 'w2' }), null)
    })

    it('claims a job again after its lease expired; the old holder has lost it', async () => {
      const job = aJob()
      await enqueue(job)
      await claimOrFail(T0, { worker: 'w1', leaseMs: 1_000 })
      const again = await claimOrFail(T0 + 1_001, { worker: 'w2', leaseMs: 1_000 })
      assert.deepEqual(
        { id: again.id, attempts: again.attempts, lockedUntilMs: again.lockedUntilMs },
        { id: job.id, attempts: 2, lockedUntilMs: T0 + 2_001 },
      )
      assert.equal(await queue().heartbeat(job.id, 'w1', T0 + 5_000, T0 + 1_002), false)
      assert.equal(await queue().release(job.id, 'w1', T0), false)
      assert.equal(await queue().complete(job.id, 'w1'), false)
      // None of that touched w2's lease: the job is still w2's, and w2 can finish it.
      assert.equal(await claim(T0 + 2_001, { worker: 'w3' }), null)
      assert.equal(await queue().complete(job.id, 'w2'), true)
    })

    it('refuses heartbeat, complete and release from a worker that never held the job', async () => {
      const job = aJob()
      await enqueue(job)
      await claimOrFail(T0, { worker: 'w1', leaseMs: 1_000 })
      assert.equal(await queue().heartbeat(job.id, 'w2', T0 + 5_000, T0), false)
      assert.equal(await queue().release(job.id, 'w2', T0), false)
      assert.equal(await queue().complete(job.id, 'w2'), false)
      assert.equal(await queue().heartbeat('0'.repeat(24), 'w1', T0 + 5_000, T0), false)
      assert.equal(await queue().complete('0'.repeat(24), 'w1'), false)
      assert.equal(await claim(T0 + 1_000, { worker: 'w2' }), null)
      assert.equal(await queue().complete(job.id, 'w1'), true)
    })

    it('extends the lease on heartbeat', async () => {
      const job = aJob()
      await enqueue(job)
      await claimOrFail(T0, { worker: 'w1', leaseMs: 1_000 })
      assert.equal(await queue().heartbeat(job.id, 'w1', T0 + 5_000, T0 + 900), true)
      assert.equal(await claim(T0 + 1_001, { worker: 'w2' }), null)
      assert.equal(await claim(T0 + 5_000, { worker: 'w2' }), null)
      const taken = await claimOrFail(T0 + 5_001, { worker: 'w2' })
      assert.deepEqual([taken.id, taken.attempts], [job.id, 2])
    })

    it('refuses a heartbeat after the lease expired, even if nobody took the job', async () => {
      const job = aJob()
      await enqueue(job)
      await claimOrFail(T0, { worker: 'w1', leaseMs: 1_000 })
      assert.equal(await queue().heartbeat(job.id, 'w1', T0 + 2_000, T0 + 1_000), true)
      assert.equal(await queue().heartbeat(job.id, 'w1', T0 + 9_000, T0 + 2_001), false)
      assert.equal((await claimOrFail(T0 + 2_001, { worker: 'w2' })).id, job.id)
    })

    it('lets the holder complete an expired lease that nobody took over', async () => {
      const job = aJob()
      await enqueue(job)
      await claimOrFail(T0, { worker: 'w1', leaseMs: 1_000 })
      assert.equal(await queue().complete(job.id, 'w1'), true)
      assert.equal(await claim(T0 + 10_000, { worker: 'w2' }), null)
    })

    it('removes a completed job, once', async () => {
      const job = aJob()
      const other = aJob({ runAtMs: T0 + 1 })
      await enqueue(job, other)
      await claimOrFail(T0, { worker: 'w1' })
      assert.equal(await queue().complete(job.id, 'w1'), true)
      assert.equal(await queue().complete(job.id, 'w1'), false)
      assert.equal((await claimOrFail(T0 + LEASE_MS * 10)).id, other.id)
      assert.equal(await claim(T0 + LEASE_MS * 10), null)
    })

    it('makes a released job claimable at the given time, not before', async () => {
      const job = aJob()
      await enqueue(job)
      await claimOrFail(T0, { worker: 'w1' })
      assert.equal(await queue().release(job.id, 'w1', T0 + 10_000), true)
      assert.equal(await queue().complete(job.id, 'w1'), false)
      assert.equal(await claim(T0 + 9_999, { worker: 'w2' }), null)
      const again = await claimOrFail(T0 + 10_000, { worker: 'w2' })
      assert.deepEqual(
        { id: again.id, runAtMs: again.runAtMs, attempts: again.attempts },
        { id: job.id, runAtMs: T0 + 10_000, attempts: 2 },
      )
    })

    it('lets a released job be claimed at once when released to an earlier time', async () => {
      const job = aJob()
      await enqueue(job)
      await claimOrFail(T0, { worker: 'w1', leaseMs: 60_000 })
      assert.equal(await queue().release(job.id, 'w1', T0), true)
      assert.equal((await claimOrFail(T0 + 1, { worker: 'w2' })).id, job.id)
    })

    it('hands back the payload and kind as enqueued, without an outbox entry', async () => {
      const job = aJob({
        kind: 'deliver-webhook',
        payload: { webhookId: 'x', event: { nested: [1, 'two', null, true] }, n: 1.5 },
        runAtMs: T0 - 7,
      })
      await enqueue(job)
      assert.deepEqual(await claimOrFail(T0, { leaseMs: 500 }), {
        id: job.id,
        kind: 'deliver-webhook',
        payload: job.payload,
        runAtMs: T0 - 7,
        attempts: 1,
        outboxId: null,
        lockedUntilMs: T0 + 500,
        lockedBy: 'w1',
      })
    })

    it("hands back an outbox entry's job with its payload and outbox id", async () => {
      const user = anAccount()
      await world().store.accounts.create(user, null)
      const entry = anOutboxEntry(user.uid)
      const job = aRenderJob(entry)
      await world().store.outbox.create(entry, deliveriesOf(entry), job)
      assert.equal(await claim(entry.sendAtMs - 1), null)
      assert.deepEqual(await claimOrFail(entry.sendAtMs, { kinds: ['render-fax'] }), {
        id: job.id,
        kind: 'render-fax',
        payload: { outboxId: entry.id },
        runAtMs: entry.sendAtMs,
        attempts: 1,
        outboxId: entry.id,
        lockedUntilMs: entry.sendAtMs + LEASE_MS,
        lockedBy: 'w1',
      })
    })

    it("removes a deleted outbox entry's jobs, and leaves the one a worker holds to it", async () => {
      const user = anAccount()
      await world().store.accounts.create(user, null)
      const entry = anOutboxEntry(user.uid, { sendAtMs: T0 })
      const kept = anOutboxEntry(user.uid, { sendAtMs: T0 })
      const renderJob = aRenderJob(entry)
      await world().store.outbox.create(entry, deliveriesOf(entry), renderJob)
      await world().store.outbox.create(kept, deliveriesOf(kept), aRenderJob(kept))
      const sendJob = aJob({ kind: 'send-fax', runAtMs: T0 - 1 })
      await queue().enqueue({ ...sendJob, outboxId: entry.id }, T0)
      const held = await claimOrFail(T0, { kinds: ['send-fax'], worker: 'w1' })
      assert.deepEqual([held.id, held.outboxId], [sendJob.id, entry.id])

      assert.equal(await world().store.outbox.delete(entry.id, () => []), 'deleted')
      // Not deleted under its worker: it completes the job as its own, no lease lost.
      assert.equal(await queue().complete(sendJob.id, 'w1'), true)
      const left = await claimOrFail(T0 + LEASE_MS * 10)
      assert.equal(left.outboxId, kept.id)
      assert.equal(await claim(T0 + LEASE_MS * 10), null)
    })

    it('refuses a job whose id is taken or whose outbox entry does not exist', async () => {
      const job = aJob({ payload: { first: true } })
      await enqueue(job)
      await assert.rejects(queue().enqueue({ ...job, payload: { first: false } }, T0))
      await assert.rejects(queue().enqueue({ ...aJob(), outboxId: '0'.repeat(32) }, T0))
      const only = await claimOrFail(T0)
      assert.deepEqual([only.id, only.payload], [job.id, { first: true }])
      assert.equal(await claim(T0, { worker: 'w2' }), null)
    })

    it('has committed a claim by the time it resolves: another store sees the lease', async () => {
      const job = aJob()
      await enqueue(job)
      await claimOrFail(T0, { worker: 'w1' })
      const restarted = await world().openAgain()
      const request = { kinds: ALL_KINDS, worker: 'w2', leaseMs: LEASE_MS }
      assert.equal(await restarted.jobs.claim({ ...request, nowMs: T0 + LEASE_MS }), null)
      const taken = await restarted.jobs.claim({ ...request, nowMs: T0 + LEASE_MS + 1 })
      assert.deepEqual([taken?.id, taken?.attempts], [job.id, 2])
    })

    it('gives each of 200 due jobs to exactly one of 8 concurrent claimers', async () => {
      const jobs = Array.from({ length: 200 }, (_, index) =>
        aJob({ kind: kindAt(index), runAtMs: T0 - (index % 7) }),
      )
      await Promise.all(jobs.map((job) => queue().enqueue(job, T0 - 60_000)))
      const claims = new Map<string, number>()
      const refusedCompletions: string[] = []
      const claimer = async (worker: string): Promise<void> => {
        for (;;) {
          const claimed = await claim(T0, { worker })
          if (claimed === null) {
            return
          }
          claims.set(claimed.id, (claims.get(claimed.id) ?? 0) + 1)
          if (!(await queue().complete(claimed.id, worker))) {
            refusedCompletions.push(claimed.id)
          }
        }
      }
      await Promise.all(Array.from({ length: 8 }, (_, index) => claimer(`worker-${index}`)))
      const claimedTwice = [...claims].filter(([, count]) => count !== 1)
      assert.deepEqual(claimedTwice, [])
      assert.deepEqual([...claims.keys()].sort(), jobs.map((job) => job.id).sort())
      assert.deepEqual(refusedCompletions, [])
      assert.equal(await claim(T0 + LEASE_MS * 10), null)
    })

    it('claims from the partial indexes of free and leased jobs, never by a scan', async () => {
      const database = world().database()
      const future = Array.from({ length: 5_000 }, (_, index) =>
        aJob({ kind: kindAt(index), runAtMs: T0 + 1 + index }),
      )
      for (let start = 0; start < future.length; start += 500) {
        await database
          .insertInto('jobs')
          .values(
            future.slice(start, start + 500).map((job) => ({
              id: job.id,
              kind: job.kind,
              payload: JSON.stringify(job.payload),
              run_at: job.runAtMs,
              created_at: T0,
            })),
          )
          .execute()
      }
      await sql`analyze`.execute(database)
      const request: ClaimRequest = {
        kinds: ['send-fax', 'render-fax'],
        worker: 'w1',
        leaseMs: 1,
        nowMs: T0,
      }
      const query = claimQuery(database, engine, request).compile()
      const explain = engine === 'sqlite' ? 'explain query plan ' : 'explain '
      const { rows } = await database.executeQuery(
        CompiledQuery.raw(explain + query.sql, [...query.parameters]),
      )
      const plan = rows
        .map((row) =>
          String((row as Record<string, unknown>)[engine === 'sqlite' ? 'detail' : 'QUERY PLAN']),
        )
        .join('\n')
      // One range of the free jobs' index per kind asked for, and the leased jobs' index.
      assert.equal(plan.match(/jobs_free_idx/g)?.length, request.kinds.length, plan)
      assert.match(plan, /jobs_leased_idx/, plan)
      assert.doesNotMatch(plan, /seq scan|scan jobs$/im, plan)
    })
  })
}
