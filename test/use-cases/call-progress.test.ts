/**
 * A call in progress, as the sender sees it: a fax to the slow test line (+15555550106, twelve
 * seconds a page at time scale 1) is sent by a running worker with the simulated carrier on real
 * timers, and getOutboxFax is read while the call goes on. It shows the destination `calling`,
 * the pages confirmed so far growing one by one, and a DELETE in the middle of the call answers
 * 409 and changes nothing: the call ends with every page sent and its fax record.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { SimulatedCarrier } from '../../src/carriers/simulated-carrier.js'
import { renderFaxJob } from '../../src/jobs/render-fax-job.js'
import { sendFaxJob } from '../../src/jobs/send-fax-job.js'
import { Worker } from '../../src/jobs/worker.js'
import { documentPath } from '../support/fixtures.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'
import { ENGINES } from '../support/test-database.js'

const FROM = '+15555550150'
const SLOW_LINE = '+15555550106'
/** A page of the slow line takes 12 s × 0.03 = 360 ms: a few reads of the outbox per page. */
const TIME_SCALE = 0.03

interface DestinationJson {
  to: string
  id: string
  state: 'waiting' | 'calling'
  attempts: number
  pages_confirmed: number[]
  call: { started_at: string; pages_confirmed: number[] } | null
  next_attempt_time: string | null
}

for (const engine of ENGINES) {
  describe(`a call in progress (${engine})`, { timeout: 120_000 }, () => {
    let t: TestApp
    let user: TestUser
    let worker: Worker

    before(async () => {
      t = await openTestApp(engine)
      user = await t.user({ numbers: [FROM] })
      worker = new Worker(
        t.services.store.jobs,
        t.clock,
        {
          'render-fax': renderFaxJob(t.services),
          'send-fax': sendFaxJob({
            ...t.services,
            carriers: [new SimulatedCarrier({ timeScale: TIME_SCALE })],
          }),
        },
        { name: `progress-${engine}`, leaseMs: 60_000, idleMs: 10 },
      )
    })
    after(async () => {
      await worker.stop()
      await t.close()
    })

    it('shows the pages confirmed as they come, and refuses to cancel mid-call', async () => {
      const file = await t.upload(user, await readFile(documentPath('text-letter.pdf')), 'a.pdf')
      const sent = await t.request('POST', '/v3/accounts/self/outbox', {
        token: user.token,
        body: { from: FROM, to: [SLOW_LINE], files: [file], return_ids: true },
      })
      assert.equal(sent.statusCode, 201, sent.body)
      const faxId = sent.json<{ ids: Record<string, string> }>().ids[SLOW_LINE] ?? ''
      const listed = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
      const path = `/v3/accounts/self/outbox/${listed.json<{ records: { id: string }[] }>().records[0]?.id}`

      // Before the worker runs: waiting, no attempt yet, due now.
      const before = await t.request('GET', path, { token: user.token })
      const [waiting] = before.json<{ destinations: DestinationJson[] }>().destinations
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

      worker.start()
      const seen: number[][] = []
      let cancelAnswered: number | undefined
      const deadline = Date.now() + 60_000
      for (;;) {
        assert.ok(
          Date.now() < deadline,
          `no end of the call in sight; seen ${JSON.stringify(seen)}`,
        )
        const read = await t.request('GET', path, { token: user.token })
        if (read.statusCode === 404) {
          break // the call ended: the entry left the outbox
        }
        const body = read.json<{ status: string; destinations: DestinationJson[] }>()
        const [destination] = body.destinations
        if (destination?.state === 'calling') {
          assert.equal(body.status, 'sending')
          assert.equal(destination.attempts, 1)
          assert.equal(destination.next_attempt_time, null)
          assert.deepEqual(destination.call?.pages_confirmed, destination.pages_confirmed)
          const pages = destination.pages_confirmed
          if (JSON.stringify(seen.at(-1)) !== JSON.stringify(pages)) {
            seen.push(pages)
          }
          if (pages.length === 1 && cancelAnswered === undefined) {
            const cancel = await t.request('DELETE', path, { token: user.token })
            cancelAnswered = cancel.statusCode
          }
        }
        await sleep(20)
      }
      assert.equal(cancelAnswered, 409, 'the DELETE in the middle of the call')
      // Each step of the two-page fax was seen, in order (the last, both pages, lasts only as
      // long as the hang-up), and nothing went backwards.
      assert.deepEqual(seen.slice(0, 2), [[], [1]], `pages confirmed as seen while calling`)
      assert.ok(seen.length <= 3 && (seen.length === 2 || seen[2]?.join() === '1,2'))
      const fax = await t.request('GET', `/v3/accounts/self/faxes/${faxId}`, { token: user.token })
      assert.equal(fax.statusCode, 200)
      assert.deepEqual(
        {
          status: fax.json<{ status: string }>().status,
          pages: fax.json<{ pages: number }>().pages,
        },
        { status: 'success', pages: 2 },
      )
    })
  })
}
