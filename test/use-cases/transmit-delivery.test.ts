/**
 * Sending, end to end below the API's answer: sendFax, the render job, then send-fax jobs run by
 * the worker against the simulated carrier's test numbers (docs/test-numbers.md), on SQLite and
 * PostgreSQL, with a manual clock so that retry delays are exact. Checked: the final fax record
 * under the id return_ids gave, every attempt, the pages across attempts, and the outbox.
 * The render job runs as the service runs it, but the same documents are sent in nearly every
 * test: each distinct render is made once (renders-made-once.ts), which is most of the file's
 * cost otherwise; the rendering tests check what the pages say.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import { SimulatedCarrier } from '../../src/carriers/simulated-carrier.js'
import type { Carrier } from '../../src/domain/carrier.js'
import { outgoingFaxRecord } from '../../src/domain/outgoing-fax-record.js'
import {
  DEFAULT_CALL_LIMITS,
  MAX_CALL_RESTARTS,
  type CallAttempt,
} from '../../src/domain/transmission.js'
import { sendFax } from '../../src/use-cases/send-fax.js'
import { LINE_BUSY_WAIT_MS, transmitDelivery } from '../../src/use-cases/transmit-delivery.js'
import { renderFaxJob } from '../../src/jobs/render-fax-job.js'
import { sendFaxJob } from '../../src/jobs/send-fax-job.js'
import { Worker } from '../../src/jobs/worker.js'
import { newId24 } from '../../src/shared/ids.js'
import { HeldWaits } from '../carriers/call-recording.js'
import { documentPath } from '../support/fixtures.js'
import { rendersMadeOnce } from '../support/renders-made-once.js'
import { aSendFaxRequest, aToken } from '../support/sample-records.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'
import { ENGINES } from '../support/test-database.js'

const FROM = '+15555550150'
const LIMITS = { limits: DEFAULT_CALL_LIMITS }

/** beginCall started the call (rather than answering 'gone' or a busy line). */
function began(call: unknown): boolean {
  return typeof call === 'object' && call !== null && 'delivery' in call
}

interface FaxJson {
  id: string
  status: string
  pages: number
  description: string
  to: string
  from: string
  direction: string
}

/** Each test takes seconds on an idle machine; the limit leaves room for a loaded one. */
const PER_TEST = { timeout: 60_000 }

for (const engine of ENGINES) {
  describe(`sending to the test numbers (${engine})`, () => {
    let t: TestApp
    let user: TestUser
    let worker: Worker
    let threePages: string[]
    let carriers: Carrier[]

    before(async () => {
      t = await openTestApp(engine)
      user = await t.user({ numbers: [FROM] })
      // Modelled call times are recorded, not waited for.
      carriers = [new SimulatedCarrier({ wait: async () => {} })]
      worker = new Worker(
        t.services.store.jobs,
        t.clock,
        {
          'render-fax': renderFaxJob({ ...t.services, pages: rendersMadeOnce(t.services.files) }),
          'send-fax': sendFaxJob({ ...t.services, carriers }),
        },
        { name: `w-${engine}`, leaseMs: 600_000, idleMs: 10 },
      )
      threePages = [
        await t.upload(user, await readFile(documentPath('text-letter.pdf')), 'letter.pdf'),
        await t.upload(user, await readFile(documentPath('a4.pdf')), 'a4.pdf'),
      ]
    })
    after(async () => t.close())

    /**
     * A store, a user with the number FROM and a worker of its own, for a test that must see
     * nothing the others leave behind (calls still open, jobs still due). `lostJobs` lists the
     * jobs whose row was gone when the worker came to record them. Closed by `close`.
     */
    async function aWorldOfItsOwn() {
      const own = await openTestApp(engine)
      const lostJobs: string[] = []
      const sender = await own.user({ numbers: [FROM] })
      const ownWorker = new Worker(
        own.services.store.jobs,
        own.clock,
        {
          'render-fax': renderFaxJob({
            ...own.services,
            pages: rendersMadeOnce(own.services.files),
          }),
          'send-fax': sendFaxJob({ ...own.services, carriers }),
        },
        { name: `own-${engine}`, leaseMs: 600_000, idleMs: 10 },
        { onLeaseLost: (job) => lostJobs.push(`${job.kind} ${job.id}`) },
      )
      const files = [await own.upload(sender, await readFile(documentPath('a4.pdf')), 'a4.pdf')]
      const sendFrom = async (to: string[], options: Record<string, unknown> = {}) => {
        const response = await own.request('POST', '/v3/accounts/self/outbox', {
          token: sender.token,
          body: { from: FROM, to, files, return_ids: true, ...options },
        })
        assert.equal(response.statusCode, 201, response.body)
        return response.json<{ ids: Record<string, string> }>().ids
      }
      const outbox = async () => {
        const listed = await own.request('GET', '/v3/accounts/self/outbox', {
          token: sender.token,
        })
        return listed.json<{ records: unknown[] }>().records
      }
      return {
        t: own,
        sender,
        worker: ownWorker,
        lostJobs,
        send: sendFrom,
        outbox,
        close: async () => own.close(),
      }
    }

    async function send(to: string[], options: Record<string, unknown> = {}) {
      const response = await t.request('POST', '/v3/accounts/self/outbox', {
        token: user.token,
        body: { from: FROM, to, files: threePages, return_ids: true, ...options },
      })
      assert.equal(response.statusCode, 201, response.body)
      return response.json<{ ids: Record<string, string> }>().ids
    }

    const fax = async (id: string) => {
      const response = await t.request('GET', `/v3/accounts/self/faxes/${id}`, {
        token: user.token,
      })
      return response.statusCode === 200 ? response.json<FaxJson>() : null
    }

    /** Runs every due job, then moves the clock by `ms` and does it again, `rounds` times. */
    async function runFor(rounds: number, ms: number): Promise<void> {
      for (let round = 0; round < rounds; round++) {
        await worker.drain()
        t.clock.advance(ms)
      }
      await worker.drain()
    }

    it(
      '+15555550100: success, all pages, one attempt, the entry leaves the outbox',
      PER_TEST,
      async () => {
        const ids = await send(['+15555550100'])
        const id = ids['+15555550100'] ?? ''
        await runFor(0, 0)
        const record = await fax(id)
        assert.deepEqual(
          {
            status: record?.status,
            pages: record?.pages,
            description: record?.description,
            direction: record?.direction,
            to: record?.to,
            from: record?.from,
          },
          {
            status: 'success',
            pages: 3,
            description: 'OK',
            direction: 'outgoing',
            to: '+15555550100',
            from: FROM,
          },
        )
        const attempts = await t.services.store.transmissions.listAttempts(id)
        assert.deepEqual(
          attempts.map((a) => [a.attempt, a.status, a.pagesConfirmed]),
          [[1, 'success', [1, 2, 3]]],
        )
        const [attempt] = attempts
        assert.deepEqual(
          [attempt?.carrier, attempt?.remoteStationId, attempt?.bitRate, attempt?.coding],
          ['simulated', 'FAXD SIMULATED 0100', 14400, 'mmr'],
        )
        assert.deepEqual([attempt?.ecm, attempt?.resolution], [true, 'fine'])
        // The API shows what the call negotiated.
        const shown = await t.request('GET', `/v3/accounts/self/faxes/${id}/attempts`, {
          token: user.token,
        })
        assert.equal(shown.statusCode, 200, shown.body)
        const [record0] = shown.json<{ records: Record<string, unknown>[] }>().records
        assert.deepEqual(
          {
            remote_station_id: record0?.['remote_station_id'],
            bit_rate: record0?.['bit_rate'],
            coding: record0?.['coding'],
            ecm: record0?.['ecm'],
            resolution: record0?.['resolution'],
          },
          {
            remote_station_id: 'FAXD SIMULATED 0100',
            bit_rate: 14400,
            coding: 'mmr',
            ecm: true,
            resolution: 'fine',
          },
        )
        const outbox = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
        assert.deepEqual(outbox.json<{ records: unknown[] }>().records, [])
      },
    )

    it(
      'from and to without +: sent from and to their E.164 numbers, as with the + (sendFax below the API)',
      PER_TEST,
      async () => {
        // The API's pattern asks for the +; sendFax itself normalises, and so stores only E.164.
        const { outboxId, ids } = await sendFax(
          t.services,
          { account: user.account, token: aToken(user.account.uid), ip: '192.0.2.7' },
          aSendFaxRequest({ from: FROM.slice(1), to: ['15555550100'], files: threePages }),
        )
        assert.deepEqual(Object.keys(ids ?? {}), ['+15555550100'])
        const id = ids?.['+15555550100'] ?? ''
        const entry = await t.request('GET', `/v3/accounts/self/outbox/${outboxId}`, {
          token: user.token,
        })
        const shown = entry.json<{ src: string; to: string[]; ids: Record<string, string> }>()
        assert.deepEqual(
          [shown.src, shown.to, shown.ids],
          [FROM, ['+15555550100'], { '+15555550100': id }],
        )
        await runFor(0, 0)
        const record = await fax(id)
        assert.deepEqual(
          [record?.status, record?.pages, record?.to, record?.from],
          ['success', 3, '+15555550100', FROM],
        )
      },
    )

    it(
      '+15555550101 busy: retried count times, delay seconds apart, then failed_user_busy',
      PER_TEST,
      async () => {
        const ids = await send(['+15555550101'], { options: { retry: { count: 2, delay: 10 } } })
        const id = ids['+15555550101'] ?? ''
        const attemptsSoFar = async () => t.services.store.transmissions.listAttempts(id)
        await worker.drain()
        for (const expected of [2, 3]) {
          // The call's modelled end (a busy line answers in a few seconds) plus the 10-s delay.
          const lastEnd = (await attemptsSoFar()).at(-1)?.endedAtMs ?? 0
          t.clock.advance(lastEnd + 9_999 - t.clock.now())
          await worker.drain()
          assert.equal((await attemptsSoFar()).length, expected - 1, 'retried before the delay')
          t.clock.advance(1)
          await worker.drain()
          assert.equal((await attemptsSoFar()).length, expected)
        }
        await runFor(2, 60_000)
        const attempts = await t.services.store.transmissions.listAttempts(id)
        assert.deepEqual(
          attempts.map((a) => a.status),
          ['failed_user_busy', 'failed_user_busy', 'failed_user_busy'],
        )
        const gaps = attempts.slice(1).map((a, i) => a.startedAtMs - (attempts[i]?.endedAtMs ?? 0))
        assert.deepEqual(gaps, [10_000, 10_000])
        const record = await fax(id)
        assert.equal(record?.status, 'failed_user_busy')
        assert.equal(record?.pages, 0)
        // The API shows every attempt.
        const shown = await t.request('GET', `/v3/accounts/self/faxes/${id}/attempts`, {
          token: user.token,
        })
        const listed = shown.json<{
          records: { attempt: number; status: string; pages: number[] }[]
        }>()
        assert.deepEqual(
          listed.records.map((r) => [r.attempt, r.status, r.pages]),
          [
            [1, 'failed_user_busy', []],
            [2, 'failed_user_busy', []],
            [3, 'failed_user_busy', []],
          ],
        )
      },
    )

    it('+15555550103 not allocated: no retry, whatever count asks', PER_TEST, async () => {
      const ids = await send(['+15555550103'], { options: { retry: { count: 3, delay: 0 } } })
      const id = ids['+15555550103'] ?? ''
      await runFor(3, 120_000)
      assert.equal((await t.services.store.transmissions.listAttempts(id)).length, 1)
      assert.equal((await fax(id))?.status, 'failed_unallocated_number')
    })

    it(
      '+15555550104 with partially_sent_retry: each retry sends only the pages not yet confirmed',
      PER_TEST,
      async () => {
        const ids = await send(['+15555550104'], {
          options: { retry: { count: 3, delay: 5 }, partially_sent_retry: true },
        })
        const id = ids['+15555550104'] ?? ''
        await runFor(4, 120_000)
        const attempts = await t.services.store.transmissions.listAttempts(id)
        assert.deepEqual(
          attempts.map((a) => a.pagesConfirmed),
          [[1], [2], [3]],
        )
        const record = await fax(id)
        assert.equal(record?.status, 'success')
        assert.equal(record?.pages, 3)
      },
    )

    it(
      '+15555550104 without partially_sent_retry: every retry starts over; partially_sent',
      PER_TEST,
      async () => {
        const ids = await send(['+15555550104'], { options: { retry: { count: 2, delay: 5 } } })
        const id = ids['+15555550104'] ?? ''
        await runFor(3, 120_000)
        const attempts = await t.services.store.transmissions.listAttempts(id)
        assert.deepEqual(
          attempts.map((a) => a.pagesConfirmed),
          [[1], [1], [1]],
        )
        const record = await fax(id)
        assert.equal(record?.status, 'partially_sent')
        assert.equal(record?.pages, 1)
      },
    )

    it('+15555550105: busy, then success on the retry', PER_TEST, async () => {
      const ids = await send(['+15555550105'], { options: { retry: { count: 1, delay: 1 } } })
      const id = ids['+15555550105'] ?? ''
      await runFor(2, 120_000)
      const attempts = await t.services.store.transmissions.listAttempts(id)
      assert.deepEqual(
        attempts.map((a) => a.status),
        ['failed_user_busy', 'success'],
      )
      assert.equal((await fax(id))?.status, 'success')
    })

    it(
      'a number no carrier reaches ends with failed_destination_not_supported',
      PER_TEST,
      async () => {
        const ids = await send(['+4930123456'], { options: { retry: { count: 2, delay: 0 } } })
        const id = ids['+4930123456'] ?? ''
        await runFor(2, 0)
        assert.equal((await fax(id))?.status, 'failed_destination_not_supported')
      },
    )

    it('keeps a two-destination entry in the outbox until both have ended', PER_TEST, async () => {
      const ids = await send(['+15555550100', '+15555550102'], {
        options: { retry: { count: 1, delay: 60 } },
      })
      await worker.drain()
      assert.equal((await fax(ids['+15555550100'] ?? ''))?.status, 'success')
      assert.equal(await fax(ids['+15555550102'] ?? ''), null)
      const waiting = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
      const [entry] = waiting.json<{
        records: { status: string; status_changes: { status: string }[] }[]
      }>().records
      assert.equal(entry?.status, 'scheduled_for_sending')
      assert.ok(entry?.status_changes.some((change) => change.status === 'sending'))
      await runFor(2, 120_000)
      assert.equal((await fax(ids['+15555550102'] ?? ''))?.status, 'failed_no_answer')
      const empty = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
      assert.deepEqual(empty.json<{ records: unknown[] }>().records, [])
    })

    it('never calls one delivery twice at once', PER_TEST, async () => {
      const ids = await send(['+15555550100'])
      await worker.drain() // renders, and sends
      const id = ids['+15555550100'] ?? ''
      assert.equal(
        await t.services.store.transmissions.beginCall(id, t.clock.now(), LIMITS),
        'gone',
      )
    })

    it(
      'calls one destination once at a time: a second fax to it waits its turn',
      PER_TEST,
      async () => {
        const first = await send(['+15555550106'], { send_time: '2030-01-01 00:00:00 +0000' })
        const second = await send(['+15555550106'])
        await worker.drain() // renders both; the second is due now and is sent
        assert.equal((await fax(second['+15555550106'] ?? ''))?.status, 'success')
        // Now hold a call to the number open, as a slow call in another worker would.
        const held = await t.services.store.transmissions.beginCall(
          first['+15555550106'] ?? '',
          t.clock.now(),
          LIMITS,
        )
        assert.ok(
          typeof held === 'object' && 'delivery' in held,
          `the first delivery could not start: ${JSON.stringify(held)}`,
        )
        const third = await send(['+15555550106'])
        await worker.drain() // renders the third; its call must wait
        const waiting = third['+15555550106'] ?? ''
        assert.deepEqual(await t.services.store.transmissions.listAttempts(waiting), [])
        assert.equal(await fax(waiting), null)
        // It comes back after a minute at the latest, still behind the held call ...
        t.clock.advance(LINE_BUSY_WAIT_MS - 1)
        assert.equal(await worker.drain(), 0)
        t.clock.advance(1)
        assert.equal(await worker.drain(), 1)
        assert.deepEqual(await t.services.store.transmissions.listAttempts(waiting), [])
        // ... and at once when the held call ends: the end of a call wakes the next in line.
        await t.services.store.transmissions.endCall(
          {
            faxId: held.delivery.id,
            attempt: held.attempt,
            carrier: 'simulated',
            startedAtMs: t.clock.now(),
            endedAtMs: t.clock.now(),
            status: 'failed_to_send',
            pagesConfirmed: [],
            description: 'the call was cancelled',
            remoteStationId: null,
            bitRate: null,
            coding: null,
            ecm: null,
            resolution: null,
            header: null,
          },
          { kind: 'retry', retryAtMs: t.clock.now() + 3_600_000_000, jobId: newId24() },
          t.clock.now(),
        )
        assert.equal(await worker.drain(), 1)
        assert.equal((await fax(waiting))?.status, 'success')
      },
    )

    it(
      'takes over a call its worker left open, keeping the pages it got through',
      PER_TEST,
      async () => {
        const ids = await send(['+15555550100'], {
          options: { retry: { count: 1, delay: 0 }, partially_sent_retry: true },
          send_time: '2030-01-01 00:00:00 +0000',
        })
        await worker.drain() // renders; the send job waits for 2030
        const id = ids['+15555550100'] ?? ''
        // A worker starts the call, gets page 1 confirmed, and dies.
        const open = await t.services.store.transmissions.beginCall(id, t.clock.now(), LIMITS)
        assert.ok(began(open))
        await t.services.store.transmissions.recordProgress(id, [1])
        const outcome = await transmitDelivery({ ...t.services, carriers }, id, { takeOver: true })
        assert.equal(outcome.outcome, 'restart')
        const again = await transmitDelivery({ ...t.services, carriers }, id)
        assert.equal(again.outcome, 'final')
        const attempts = await t.services.store.transmissions.listAttempts(id)
        assert.deepEqual(
          attempts.map((a) => [a.carrier, a.status, a.pagesConfirmed]),
          [
            ['interrupted', 'failed_to_send', [1]],
            ['simulated', 'success', [2, 3]],
          ],
        )
        // Its worker kept no connection: nothing is known of what it negotiated.
        assert.deepEqual(
          attempts.map((a) => [a.remoteStationId, a.bitRate, a.coding, a.ecm, a.resolution]),
          [
            [null, null, null, null, null],
            ['FAXD SIMULATED 0100', 14400, 'mmr', true, 'fine'],
          ],
        )
        assert.equal((await fax(id))?.pages, 3)
      },
    )

    it(
      'does not call again when the interrupted call had every page confirmed',
      PER_TEST,
      async () => {
        const ids = await send(['+15555550100'], { send_time: '2030-01-01 00:00:00 +0000' })
        await worker.drain()
        const id = ids['+15555550100'] ?? ''
        const open = await t.services.store.transmissions.beginCall(id, t.clock.now(), LIMITS)
        assert.ok(began(open))
        await t.services.store.transmissions.recordProgress(id, [1, 2, 3])
        const outcome = await transmitDelivery({ ...t.services, carriers }, id, { takeOver: true })
        assert.equal(outcome.outcome, 'final')
        const attempts = await t.services.store.transmissions.listAttempts(id)
        assert.deepEqual(
          attempts.map((a) => [a.carrier, a.status]),
          [['interrupted', 'success']],
        )
        assert.equal((await fax(id))?.status, 'success')
      },
    )

    it(
      'calls again from the first unconfirmed page after a crash, without using a retry',
      PER_TEST,
      async () => {
        const own = await aWorldOfItsOwn()
        try {
          const { t: app, sender } = own
          const hooked = await app.request('POST', '/v3/hooks', {
            token: sender.token,
            body: { target: 'https://receiver.example.test/faxd', event: 'fax_sent' },
          })
          assert.equal(hooked.statusCode, 200, hooked.body)
          const hookId = hooked.json<{ id: string }>().id
          // No options.retry, no partially_sent_retry: a crash of ours still gets a second
          // call, and that call carries only the pages the first did not get through.
          const letter = await readFile(documentPath('text-letter.pdf'))
          const ids = await own.send(['+15555550100'], {
            files: [await app.upload(sender, letter, 'letter.pdf')],
            send_time: '2030-01-01 00:00:00 +0000',
          })
          assert.equal(await own.worker.drain(), 1, 'the render')
          const id = ids['+15555550100'] ?? ''
          const { transmissions } = app.services.store
          assert.ok(began(await transmissions.beginCall(id, app.clock.now(), LIMITS)))
          await transmissions.recordProgress(id, [1])
          const taken = await transmitDelivery({ ...app.services, carriers }, id, {
            takeOver: true,
          })
          assert.equal(taken.outcome, 'restart')
          // The restart's job is due at once: it runs without the clock moving.
          assert.equal(await own.worker.drain(), 1, 'the restart')
          const attempts = await transmissions.listAttempts(id)
          assert.deepEqual(
            attempts.map((a) => [a.attempt, a.carrier, a.status, a.pagesConfirmed]),
            [
              [1, 'interrupted', 'failed_to_send', [1]],
              [2, 'simulated', 'success', [2]],
            ],
          )
          assert.equal(
            attempts[0]?.description,
            'the call was interrupted: the worker making it stopped; called again at once ' +
              'from page 2, not counted against options.retry',
          )
          const record = await app.request('GET', `/v3/accounts/self/faxes/${id}`, {
            token: sender.token,
          })
          const { status, pages } = record.json<FaxJson>()
          assert.deepEqual([status, pages], ['success', 2])
          // One fax_sent event, for the attempt that carried the outcome.
          const events = await app.services.store.webhookDeliveries.listByHook(hookId, 10)
          assert.deepEqual(
            events.map(
              (event) => (JSON.parse(event.body) as { data: { status: string } }).data.status,
            ),
            ['success'],
          )
        } finally {
          await own.close()
        }
      },
    )

    it(
      'after MAX_CALL_RESTARTS crashes counts an interrupted call as a failed attempt',
      PER_TEST,
      async () => {
        const ids = await send(['+15555550104'], {
          options: { retry: { count: 1, delay: 0 } },
          send_time: '2030-01-01 00:00:00 +0000',
        })
        await worker.drain()
        const id = ids['+15555550104'] ?? ''
        // The first call gets page 1 through; every later call's worker dies before any page.
        assert.equal((await transmitDelivery({ ...t.services, carriers }, id)).outcome, 'retry')
        const outcomes: string[] = []
        for (let crash = 0; crash <= MAX_CALL_RESTARTS; crash++) {
          assert.ok(
            began(await t.services.store.transmissions.beginCall(id, t.clock.now(), LIMITS)),
          )
          const taken = await transmitDelivery({ ...t.services, carriers }, id, { takeOver: true })
          outcomes.push(taken.outcome)
        }
        assert.deepEqual(outcomes, [...Array(MAX_CALL_RESTARTS).fill('restart'), 'final'])
        const attempts = await t.services.store.transmissions.listAttempts(id)
        assert.equal(attempts.length, 2 + MAX_CALL_RESTARTS)
        const record = await fax(id)
        assert.deepEqual(
          [record?.status, record?.pages, record?.description],
          ['partially_sent', 1, 'the call was interrupted: the worker making it stopped'],
          'the last attempt failed, the page of the first got through',
        )
      },
    )

    it(
      'records what a call negotiated when its worker stops after the connection',
      PER_TEST,
      async () => {
        const own = await aWorldOfItsOwn()
        try {
          // Two pages to the slow line (7200 bit/s), at superfine; the send job waits for 2030.
          const letter = await readFile(documentPath('text-letter.pdf'))
          const ids = await own.send(['+15555550106'], {
            files: [await own.t.upload(own.sender, letter, 'letter.pdf')],
            send_time: '2030-01-01 00:00:00 +0000',
            resolution: 'superfine',
          })
          assert.equal(await own.worker.drain(), 1, 'the render')
          const id = ids['+15555550106'] ?? ''
          const services = own.t.services
          // A worker calls; the test lets the call be answered, trained and page 1 confirmed.
          const held = new HeldWaits()
          const stopping = new AbortController()
          const first = transmitDelivery(
            { ...services, carriers: [new SimulatedCarrier({ wait: held.wait })] },
            id,
            { signal: stopping.signal },
          )
          ;(await held.next()).pass() // answered
          ;(await held.next()).pass() // trained: connected
          ;(await held.next()).pass() // page 1 confirmed
          await held.next() // page 2 under way
          // The worker stops mid-call: the call is left open as it stood.
          stopping.abort()
          assert.deepEqual(await first, { outcome: 'interrupted', pagesConfirmed: [1] })
          // The job's next holder ends it as it stood, with what it had negotiated.
          const taken = await transmitDelivery({ ...services, carriers }, id, { takeOver: true })
          assert.equal(taken.outcome, 'restart')
          const attempts = await services.store.transmissions.listAttempts(id)
          assert.deepEqual(
            attempts.map((a) => ({
              carrier: a.carrier,
              status: a.status,
              pages: a.pagesConfirmed,
              remoteStationId: a.remoteStationId,
              bitRate: a.bitRate,
              coding: a.coding,
              ecm: a.ecm,
              resolution: a.resolution,
            })),
            [
              {
                carrier: 'interrupted',
                status: 'failed_to_send',
                pages: [1],
                remoteStationId: 'FAXD SIMULATED 0106',
                bitRate: 7200,
                coding: 'mmr',
                ecm: true,
                resolution: 'superfine',
              },
            ],
          )
        } finally {
          await own.close()
        }
      },
    )

    it('refuses to start a call that is still open unless taking it over', PER_TEST, async () => {
      const ids = await send(['+15555550100'], { send_time: '2030-01-01 00:00:00 +0000' })
      await worker.drain()
      const id = ids['+15555550100'] ?? ''
      assert.ok(began(await t.services.store.transmissions.beginCall(id, t.clock.now(), LIMITS)))
      assert.equal(
        await t.services.store.transmissions.beginCall(id, t.clock.now(), LIMITS),
        'gone',
      )
    })

    it(
      'counts the calls in progress to a number and from a sending number against their limits',
      PER_TEST,
      async () => {
        // A sender and numbers of its own: earlier tests leave calls open to +15555550100.
        const sender = await t.user({ numbers: ['+15555550151'] })
        const files = [await t.upload(sender, await readFile(documentPath('a4.pdf')), 'a4.pdf')]
        const sendLater = async (to: string[]) => {
          const response = await t.request('POST', '/v3/accounts/self/outbox', {
            token: sender.token,
            body: {
              from: '+15555550151',
              to,
              files,
              return_ids: true,
              send_time: '2030-01-01 00:00:00 +0000',
            },
          })
          assert.equal(response.statusCode, 201, response.body)
          return response.json<{ ids: Record<string, string> }>().ids
        }
        const first = await sendLater(['+15555550105', '+15555550103'])
        const second = await sendLater(['+15555550105'])
        const third = await sendLater(['+15555550105'])
        await worker.drain() // renders; the send jobs wait for 2030
        const begin = async (
          id: string | undefined,
          perDestination: number,
          perSendingNumber: number,
        ) =>
          t.services.store.transmissions.beginCall(id ?? '', t.clock.now(), {
            limits: { perDestination, perSendingNumber },
          })
        const numberBusy = { lineBusy: 'sending-number', line: 'line:sending-number:+15555550151' }
        // Two calls to +15555550105, from the one sending number: both lines of each are taken.
        assert.ok(began(await begin(first['+15555550105'], 2, 2)))
        assert.ok(began(await begin(second['+15555550105'], 2, 2)))
        assert.deepEqual(await begin(first['+15555550103'], 2, 2), numberBusy)
        assert.deepEqual(await begin(third['+15555550105'], 2, 3), {
          lineBusy: 'destination',
          line: 'line:destination:+15555550105',
        })
        // A third line on the sending number lets the other destination through, not the third call.
        assert.ok(began(await begin(first['+15555550103'], 2, 3)))
        assert.deepEqual(await begin(third['+15555550105'], 3, 3), numberBusy)
        assert.ok(began(await begin(third['+15555550105'], 3, 4)))
      },
    )

    it(
      "keeps a line's limit when calls on it begin at once; a refused call leaves its entry as it was",
      { timeout: 180_000 },
      async () => {
        const own = await aWorldOfItsOwn()
        try {
          const sent: Record<string, string>[] = []
          for (let n = 0; n < 8; n++) {
            sent.push(await own.send(['+15555550100'], { send_time: '2030-01-01 00:00:00 +0000' }))
          }
          assert.equal(await own.worker.drain(), 8, 'the renders; the send jobs wait for 2030')
          const transmissions = own.t.services.store.transmissions
          const limits = { perDestination: 3, perSendingNumber: 100 }
          const answers = await Promise.all(
            sent.map(async (ids) =>
              transmissions.beginCall(ids['+15555550100'] ?? '', own.t.clock.now(), { limits }),
            ),
          )
          assert.equal(answers.filter(began).length, 3, JSON.stringify(answers))
          assert.deepEqual(
            answers.filter((answer) => !began(answer)),
            Array.from({ length: 5 }, () => ({
              lineBusy: 'destination',
              line: 'line:destination:+15555550100',
            })),
          )
          // The entries whose call began are sending; the others were not changed.
          const statuses = ((await own.outbox()) as { status: string }[]).map((r) => r.status)
          assert.deepEqual(statuses.sort(), [
            ...Array.from({ length: 5 }, () => 'scheduled_for_sending'),
            ...Array.from({ length: 3 }, () => 'sending'),
          ])
        } finally {
          await own.close()
        }
      },
    )

    it(
      'keeps the calls of a destination cancelled between retries as its fax record',
      PER_TEST,
      async () => {
        const ids = await send(['+15555550101'], { options: { retry: { count: 2, delay: 60 } } })
        await worker.drain() // renders, and the first call finds the line busy
        const id = ids['+15555550101'] ?? ''
        assert.equal(await fax(id), null, 'a retry is due: no record yet')
        const listed = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
        const entry = listed
          .json<{ records: { id: string; to: string[]; status: string }[] }>()
          .records.find(
            (r) => r.to[0] === '+15555550101' && r.status === 'scheduled_for_sending',
          )?.id
        const cancelled = await t.request('DELETE', `/v3/accounts/self/outbox/${entry ?? ''}`, {
          token: user.token,
        })
        assert.equal(cancelled.statusCode, 200, cancelled.body)
        const record = await fax(id)
        assert.equal(record?.status, 'failed_user_busy')
        assert.match(
          record?.description ?? '',
          /^cancelled by the sender after 1 attempt; the last: /,
        )
        assert.equal((await t.services.store.transmissions.listAttempts(id)).length, 1)
        // The retry went with the entry: no call is made later.
        t.clock.advance(120_000)
        await worker.drain()
        assert.equal((await t.services.store.transmissions.listAttempts(id)).length, 1)
      },
    )

    it(
      'removes the entry when its last two calls end at the same moment',
      { timeout: 180_000 },
      async () => {
        const own = await aWorldOfItsOwn()
        try {
          const destinations = ['+15555550100', '+15555550104']
          const sent: Record<string, string>[] = []
          for (let round = 0; round < 10; round++) {
            sent.push(await own.send(destinations, { send_time: '2030-01-01 00:00:00 +0000' }))
          }
          assert.equal(await own.worker.drain(), 10, 'the renders; the send jobs wait for 2030')
          assert.equal((await own.outbox()).length, 10)
          const now = own.t.clock.now()
          const transmissions = own.t.services.store.transmissions
          for (const ids of sent) {
            const calls = await Promise.all(
              destinations.map(async (to) => transmissions.beginCall(ids[to] ?? '', now, LIMITS)),
            )
            // Both calls end together, each the last as far as it can tell.
            await Promise.all(
              calls.map(async (call) => {
                assert.ok(typeof call === 'object' && 'delivery' in call, JSON.stringify(call))
                const attempt: CallAttempt = {
                  faxId: call.delivery.id,
                  attempt: call.attempt,
                  carrier: 'simulated',
                  startedAtMs: now,
                  endedAtMs: now,
                  status: 'success',
                  pagesConfirmed: [1],
                  description: 'OK',
                  remoteStationId: null,
                  bitRate: null,
                  coding: null,
                  ecm: null,
                  resolution: null,
                  header: null,
                }
                const record = outgoingFaxRecord({
                  entry: call.entry,
                  delivery: call.delivery,
                  attempts: [attempt],
                  pagesConfirmed: 1,
                  allSent: true,
                })
                await transmissions.endCall(attempt, { kind: 'final', record }, now)
              }),
            )
          }
          assert.deepEqual(await own.outbox(), [])
          for (const id of sent.flatMap((ids) => Object.values(ids))) {
            assert.equal((await own.t.services.store.faxes.get(id))?.status, 'success', id)
          }
        } finally {
          await own.close()
        }
      },
    )

    it(
      'leaves the job in hand to its worker when the last call removes the entry',
      PER_TEST,
      async () => {
        const own = await aWorldOfItsOwn()
        try {
          // +15555550100 gets through at once; +15555550105 is busy, then gets through on the
          // retry, whose end removes the entry while the worker still holds that call's job.
          const ids = await own.send(['+15555550100', '+15555550105'], {
            options: { retry: { count: 1, delay: 1 } },
          })
          assert.equal(await own.worker.drain(), 3, 'the render and the first two calls')
          assert.equal((await own.outbox()).length, 1, 'the retry is due in a second')
          own.t.clock.advance(60_000)
          assert.equal(await own.worker.drain(), 1, 'the retry')
          assert.deepEqual(await own.outbox(), [])
          const faxes = own.t.services.store.faxes
          assert.deepEqual(
            [
              (await faxes.get(ids['+15555550100'] ?? ''))?.status,
              (await faxes.get(ids['+15555550105'] ?? ''))?.status,
            ],
            ['success', 'success'],
          )
          assert.deepEqual(own.lostJobs, [], 'jobs removed under the worker that ran them')
        } finally {
          await own.close()
        }
      },
    )
  })
}
