/**
 * A call in progress, as the sender sees it: a fax to the slow test line (+15555550106, half a
 * minute a typical page) is sent by a worker with the simulated carrier, whose waits the test holds and
 * lets pass one by one (HeldWaits), so the test decides when the call is answered and when each
 * page is confirmed. getOutboxFax is read at each step: the destination `calling`, the pages
 * confirmed so far growing one by one, and a DELETE in the middle of the call answers 409 and
 * changes nothing: the call ends with every page sent and its fax record.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import { setTimeout as pause } from 'node:timers/promises'
import { SimulatedCarrier } from '../../src/carriers/simulated-carrier.js'
import { renderFaxJob } from '../../src/jobs/render-fax-job.js'
import { sendFaxJob } from '../../src/jobs/send-fax-job.js'
import { Worker } from '../../src/jobs/worker.js'
import { type HeldWait, HeldWaits } from '../carriers/call-recording.js'
import { documentPath } from '../support/fixtures.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'
import { ENGINES } from '../support/test-database.js'

const FROM = '+15555550150'
const SLOW_LINE = '+15555550106'
/**
 * The slow line's model at time scale 1 (docs/test-numbers.md): answer, training, a typical
 * page at fine (this carrier has no file store to measure the pages in), hang-up.
 */
const ANSWER_MS = 4_000
const TRAINING_MS = 11_600
const SLOW_PAGE_MS = 31_700
const HANG_UP_MS = 1_200

interface DestinationJson {
  to: string
  id: string
  state: 'waiting' | 'calling'
  attempts: number
  pages_confirmed: number[]
  call: { started_at: string; pages_confirmed: number[] } | null
  next_attempt_time: string | null
}

interface EntryJson {
  status: string
  destinations: DestinationJson[]
}

/** Each test takes seconds on an idle machine; the limit leaves room for a loaded one. */
const PER_TEST = { timeout: 120_000 }

for (const engine of ENGINES) {
  describe(`a call in progress (${engine})`, () => {
    let t: TestApp
    let user: TestUser
    let held: HeldWaits
    let worker: Worker

    before(async () => {
      t = await openTestApp(engine)
      user = await t.user({ numbers: [FROM] })
      held = new HeldWaits()
      worker = new Worker(
        t.services.store.jobs,
        t.clock,
        {
          'render-fax': renderFaxJob(t.services),
          'send-fax': sendFaxJob({
            ...t.services,
            carriers: [new SimulatedCarrier({ wait: held.wait })],
          }),
        },
        // A lease far longer than the test: no heartbeat moves a row while the call is held.
        { name: `progress-${engine}`, leaseMs: 3_600_000, idleMs: 10 },
      )
    })
    after(async () => {
      await worker.stop()
      await t.close()
    })

    it(
      'shows the pages confirmed as they come, and refuses to cancel mid-call',
      PER_TEST,
      async () => {
        const file = await t.upload(user, await readFile(documentPath('text-letter.pdf')), 'a.pdf')
        const sent = await t.request('POST', '/v3/accounts/self/outbox', {
          token: user.token,
          body: { from: FROM, to: [SLOW_LINE], files: [file], return_ids: true },
        })
        assert.equal(sent.statusCode, 201, sent.body)
        const faxId = sent.json<{ ids: Record<string, string> }>().ids[SLOW_LINE] ?? ''
        const listed = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
        const path = `/v3/accounts/self/outbox/${listed.json<{ records: { id: string }[] }>().records[0]?.id}`
        const read = async (): Promise<EntryJson> => {
          const response = await t.request('GET', path, { token: user.token })
          assert.equal(response.statusCode, 200, response.body)
          return response.json<EntryJson>()
        }
        /**
         * The entry once its destination shows `pages` confirmed: the carrier's report is stored
         * beside the call, not before the call goes on. The wait after it is held, so it stays.
         */
        const confirmed = async (pages: number[]): Promise<EntryJson> => {
          for (;;) {
            const entry = await read()
            const shown = entry.destinations[0]?.pages_confirmed ?? []
            if (shown.length >= pages.length) {
              return entry
            }
            await pause(10)
          }
        }
        /** The carrier's next wait, held, once it asks for it: checked to be the part expected. */
        const nextWait = async (ms: number, part: string): Promise<HeldWait> => {
          const wait = await held.next()
          assert.equal(wait.ms, ms, `the wait for the ${part}`)
          return wait
        }
        const calling = (entry: EntryJson, pages: number[]) => {
          const [destination] = entry.destinations
          assert.equal(entry.status, 'sending')
          assert.equal(destination?.state, 'calling')
          assert.equal(destination.attempts, 1)
          assert.equal(destination.next_attempt_time, null)
          assert.equal(typeof destination.call?.started_at, 'string')
          assert.deepEqual(destination.pages_confirmed, pages)
          assert.deepEqual(destination.call?.pages_confirmed, pages)
        }

        // Before the worker runs: waiting, no attempt yet, due now.
        const [waiting] = (await read()).destinations
        assert.deepEqual(
          { ...waiting, next_attempt_time: undefined },
          {
            to: SLOW_LINE,
            id: faxId,
            state: 'waiting',
            attempts: 0,
            pages_confirmed: [],
            call: null,
            next_attempt_time: undefined,
          },
        )

        // The worker renders the pages, then makes the call; it runs until the last wait passes.
        const draining = worker.drain()
        const answer = await nextWait(ANSWER_MS, 'answer')
        calling(await read(), [])
        answer.pass()
        ;(await nextWait(TRAINING_MS, 'training')).pass()
        const firstPage = await nextWait(SLOW_PAGE_MS, 'first page')
        calling(await read(), [])
        firstPage.pass()
        const secondPage = await nextWait(SLOW_PAGE_MS, 'second page')
        calling(await confirmed([1]), [1])

        // A DELETE in the middle of the call answers 409 and changes nothing.
        const before = await t.snapshot()
        const cancel = await t.request('DELETE', path, { token: user.token })
        assert.equal(cancel.statusCode, 409, cancel.body)
        assert.equal(await t.snapshot(), before, 'the refused DELETE changed nothing')

        secondPage.pass()
        const hangUp = await nextWait(HANG_UP_MS, 'hang-up')
        calling(await confirmed([1, 2]), [1, 2])
        hangUp.pass()
        assert.equal(await draining, 2, 'the render-fax and send-fax jobs')
        assert.equal(held.pending, 0, 'no wait after the hang-up')

        // The call ended: the entry left the outbox, and the fax record has both pages.
        assert.equal((await t.request('GET', path, { token: user.token })).statusCode, 404)
        const fax = await t.request('GET', `/v3/accounts/self/faxes/${faxId}`, {
          token: user.token,
        })
        assert.equal(fax.statusCode, 200)
        assert.deepEqual(
          {
            status: fax.json<{ status: string }>().status,
            pages: fax.json<{ pages: number }>().pages,
          },
          { status: 'success', pages: 2 },
        )
      },
    )
  })
}
