/**
 * From the API to a webhook: faxes sent to each of the seven simulated test numbers end with the
 * status, attempts and pages the number says, report every attempt to the sender's fax_sent
 * hooks and can be downloaded as the pages that were rendered; a fax to a number of this server
 * reaches its owner's inbox and fax_received hooks. The hooks are a real HTTP server on 127.0.0.1 (private targets allowed for
 * the test), the signatures are checked with the secret the delivery log shows.
 */
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { readTiff } from '../../src/codec/tiff-read.js'
import { renderFaxJob } from '../../src/jobs/render-fax-job.js'
import { sendFaxJob } from '../../src/jobs/send-fax-job.js'
import { Worker } from '../../src/jobs/worker.js'
import { deliverWebhookJob } from '../../src/webhooks/deliver-webhook-job.js'
import { NodeWebhookHttpClient } from '../../src/webhooks/node-http-client.js'
import { documentPath } from '../support/fixtures.js'
import { assertHeaderedCopy } from '../support/headered-copy.js'
import { instantCarriers } from '../support/instant-carriers.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'
import { ENGINES } from '../support/test-database.js'
import { type Receiver, startReceiver } from '../webhooks/receiver.js'

const FROM = '+15555550150'
const INBOX = '+15555550160'

interface Payload {
  hook: { id: string; event: string; target: string }
  data: { id: string; status: string; pages: number; to: string; from: string; uid: string }
}

/** Each test's limit: several times the under 5 s each takes on an idle machine. */
const PER_TEST = { timeout: 60_000 }

for (const engine of ENGINES) {
  describe(`fax webhooks, API to receiver (${engine})`, () => {
    let t: TestApp
    let sender: TestUser
    let receiver: TestUser
    let hooks: Receiver
    let worker: Worker
    let file: string

    before(async () => {
      t = await openTestApp(engine)
      sender = await t.user({ numbers: [FROM] })
      receiver = await t.user({ numbers: [INBOX] })
      hooks = await startReceiver(200)
      const carriers = instantCarriers(t)
      worker = new Worker(
        t.services.store.jobs,
        t.clock,
        {
          'render-fax': renderFaxJob(t.services),
          'send-fax': sendFaxJob({ ...t.services, carriers }),
          'deliver-webhook': deliverWebhookJob({
            store: t.services.store,
            clock: t.clock,
            http: new NodeWebhookHttpClient(),
            settings: { allowPrivateTargets: true },
          }),
        },
        { name: `hooks-${engine}`, leaseMs: 600_000, idleMs: 10 },
      )
      file = await t.upload(sender, await readFile(documentPath('text-letter.pdf')), 'letter.pdf')
    })
    after(async () => {
      await hooks.close()
      await t.close()
    })

    async function hook(user: TestUser, event: string, path: string): Promise<string> {
      const response = await t.request('POST', '/v3/hooks', {
        token: user.token,
        body: { target: hooks.url(path), event },
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json<{ id: string }>().id
    }

    async function secretOf(user: TestUser, hookId: string): Promise<string> {
      const log = await t.request('GET', `/v3/hooks/${hookId}/deliveries`, { token: user.token })
      assert.equal(log.statusCode, 200, log.body)
      return log.json<{ signing_secret: string }>().signing_secret
    }

    function received(
      path: string,
    ): { payload: Payload; timestamp: string; signature: string; body: string }[] {
      return hooks.requests
        .filter((request) => request.path === path)
        .map((request) => ({
          payload: JSON.parse(request.body) as Payload,
          timestamp: String(request.headers['x-faxd-timestamp']),
          signature: String(request.headers['x-faxd-signature']),
          body: request.body,
        }))
    }

    /** Runs due jobs, moving the clock a minute at a time, `rounds` times. */
    async function run(rounds: number): Promise<void> {
      for (let round = 0; round < rounds; round++) {
        await worker.drain()
        t.clock.advance(60_000)
      }
    }

    it(
      'reports each attempt to fax_sent, signed, with hook.id = fax id and a new data.id on retries',
      PER_TEST,
      async () => {
        const hookId = await hook(sender, 'fax_sent', '/sent')
        const response = await t.request('POST', '/v3/accounts/self/outbox', {
          token: sender.token,
          body: {
            from: FROM,
            to: ['+15555550105'],
            files: [file],
            return_ids: true,
            options: { retry: { count: 1, delay: 10 } },
          },
        })
        const faxId = response.json<{ ids: Record<string, string> }>().ids['+15555550105'] ?? ''
        await run(4)
        const events = received('/sent')
        assert.deepEqual(
          events.map((event) => [
            event.payload.hook.id,
            event.payload.hook.event,
            event.payload.data.status,
          ]),
          [
            [faxId, 'fax_sent', 'failed_user_busy'],
            [faxId, 'fax_sent', 'success'],
          ],
        )
        assert.equal(events[0]?.payload.data.id, faxId, 'the first attempt has data.id = hook.id')
        assert.notEqual(events[1]?.payload.data.id, faxId, 'a retry has its own data.id')
        assert.equal(events[1]?.payload.data.pages, 2)
        const secret = await secretOf(sender, hookId)
        for (const event of events) {
          const expected = createHmac('sha256', secret)
            .update(`${event.timestamp}.${event.body}`)
            .digest('hex')
          assert.equal(event.signature, `v1=${expected}`)
        }
        const record = await t.request('GET', `/v3/accounts/self/faxes/${faxId}`, {
          token: sender.token,
        })
        assert.equal(record.json<{ status: string }>().status, 'success')
        // The downloaded file is the rendered pages, each with its header line.
        const stored = await t.services.store.faxes.get(faxId)
        assert.ok(stored?.documentKey)
        const download = await t.request('GET', `/v3/accounts/self/files/${faxId}?format=tiff`, {
          token: sender.token,
        })
        assert.equal(download.statusCode, 200)
        assertHeaderedCopy(
          new Uint8Array(download.rawPayload),
          await readFile(join(t.filesDir, stored.documentKey)),
        )
        assert.equal(readTiff(new Uint8Array(download.rawPayload)).length, 2)
      },
    )

    it(
      'ends a fax to every test number as it says, each attempt signed to the hook, the pages downloadable',
      PER_TEST,
      async () => {
        const hookId = await hook(sender, 'fax_sent', '/every')
        // Per number (docs/test-numbers.md), with one retry 10 s later: the status of each
        // attempt and the pages it got through, then the record's status and pages.
        const expected: Record<
          string,
          { attempts: [string, number[]][]; status: string; pages: number }
        > = {
          '+15555550100': { attempts: [['success', [1, 2]]], status: 'success', pages: 2 },
          '+15555550101': {
            attempts: [
              ['failed_user_busy', []],
              ['failed_user_busy', []],
            ],
            status: 'failed_user_busy',
            pages: 0,
          },
          '+15555550102': {
            attempts: [
              ['failed_no_answer', []],
              ['failed_no_answer', []],
            ],
            status: 'failed_no_answer',
            pages: 0,
          },
          '+15555550103': {
            attempts: [['failed_unallocated_number', []]],
            status: 'failed_unallocated_number',
            pages: 0,
          },
          '+15555550104': {
            attempts: [
              ['partially_sent', [1]],
              ['partially_sent', [1]],
            ],
            status: 'partially_sent',
            pages: 1,
          },
          '+15555550105': {
            attempts: [
              ['failed_user_busy', []],
              ['success', [1, 2]],
            ],
            status: 'success',
            pages: 2,
          },
          '+15555550106': { attempts: [['success', [1, 2]]], status: 'success', pages: 2 },
        }
        const response = await t.request('POST', '/v3/accounts/self/outbox', {
          token: sender.token,
          body: {
            from: FROM,
            to: Object.keys(expected),
            files: [file],
            return_ids: true,
            options: { retry: { count: 1, delay: 10 } },
          },
        })
        assert.equal(response.statusCode, 201, response.body)
        const ids = response.json<{ ids: Record<string, string> }>().ids
        await run(4)
        const secret = await secretOf(sender, hookId)
        const events = received('/every')
        for (const [number, want] of Object.entries(expected)) {
          const faxId = ids[number] ?? ''
          const record = await t.request('GET', `/v3/accounts/self/faxes/${faxId}`, {
            token: sender.token,
          })
          assert.equal(record.statusCode, 200, `${number}: ${record.body}`)
          const fax = record.json<{ status: string; pages: number; to: string }>()
          assert.deepEqual([fax.to, fax.status, fax.pages], [number, want.status, want.pages])
          const attempts = await t.request('GET', `/v3/accounts/self/faxes/${faxId}/attempts`, {
            token: sender.token,
          })
          assert.deepEqual(
            attempts
              .json<{ records: { status: string; pages: number[] }[] }>()
              .records.map((a) => [a.status, a.pages]),
            want.attempts,
            number,
          )
          // One fax_sent per attempt, signed with the hook's secret, in the order of the attempts.
          const itsEvents = events.filter((event) => event.payload.hook.id === faxId)
          assert.deepEqual(
            itsEvents.map((event) => [event.payload.data.status, event.payload.data.pages]),
            want.attempts.map(([status, pages]) => [status, pages.length]),
            number,
          )
          for (const event of itsEvents) {
            const signature = createHmac('sha256', secret)
              .update(`${event.timestamp}.${event.body}`)
              .digest('hex')
            assert.equal(event.signature, `v1=${signature}`, number)
          }
          // The file of every record is the rendered pages, each with the header line of the
          // attempt that sent it (or, for pages none got through, of the last).
          const stored = await t.services.store.faxes.get(faxId)
          assert.ok(stored?.documentKey, number)
          const download = await t.request('GET', `/v3/accounts/self/files/${faxId}?format=tiff`, {
            token: sender.token,
          })
          assert.equal(download.statusCode, 200, number)
          assertHeaderedCopy(
            new Uint8Array(download.rawPayload),
            await readFile(join(t.filesDir, stored.documentKey)),
          )
          assert.equal(readTiff(new Uint8Array(download.rawPayload)).length, 2, number)
        }
      },
    )

    it(
      'delivers a fax to a number of this server into its owner inbox, with fax_received',
      PER_TEST,
      async () => {
        await hook(receiver, 'fax_received', '/received')
        const response = await t.request('POST', '/v3/accounts/self/outbox', {
          token: sender.token,
          body: { from: FROM, to: [INBOX], files: [file], return_ids: true },
        })
        assert.equal(response.statusCode, 201)
        await run(2)
        const inbox = await t.request('GET', '/v3/accounts/self/faxes?category=inbox', {
          token: receiver.token,
        })
        const records = inbox.json<{
          data: {
            records: {
              direction: string
              from: string
              to: string
              pages: number
              status: string
            }[]
          }
        }>().data.records
        assert.deepEqual(
          records.map((r) => [r.direction, r.from, r.to, r.pages, r.status]),
          [['incoming', FROM, INBOX, 2, 'success']],
        )
        const [event] = received('/received')
        assert.equal(event?.payload.hook.event, 'fax_received')
        assert.equal(event?.payload.data.uid, receiver.account.uid)
        assert.equal(event?.payload.data.from, FROM)
      },
    )
  })
}
