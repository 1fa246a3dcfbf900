/**
 * Deliveries around a rotation of the hook's signing secret, on each engine, end to end: the
 * secret is rotated through the API, a real Worker runs the deliver-webhook handler, and a real
 * receiver checks each request's signatures. During the 24-hour grace period a delivery verifies
 * with the old secret and the new one (X-Faxd-Signature with the new, X-Faxd-Signature-Previous
 * with the old); from its end on, with the new one alone, retries of earlier events included.
 */
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { Worker } from '../../src/jobs/worker.js'
import { SECRET_ROTATION_GRACE_MS } from '../../src/domain/webhook-delivery.js'
import { deliverWebhookJob } from '../../src/webhooks/deliver-webhook-job.js'
import { enqueueWebhookEvent } from '../../src/webhooks/enqueue-webhook-event.js'
import { NodeWebhookHttpClient } from '../../src/webhooks/node-http-client.js'
import { ENGINES } from '../support/test-database.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'
import { type ReceivedRequest, type Receiver, startReceiver } from './receiver.js'

const SECOND = 1000
const HOUR = 3600 * SECOND

function signature(secret: string, request: ReceivedRequest): string {
  const timestamp = request.headers['x-faxd-timestamp'] as string
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`
}

/** What a receiver holding `secret` concludes: one of the signature headers matches. */
function verifies(secret: string, request: ReceivedRequest): boolean {
  const expected = signature(secret, request)
  return ['x-faxd-signature', 'x-faxd-signature-previous'].some(
    (name) => request.headers[name] === expected,
  )
}

for (const engine of ENGINES) {
  describe(`${engine}: deliveries around a secret rotation`, () => {
    let t: TestApp
    let receiver: Receiver
    let user: TestUser
    let worker: Worker
    let faxCount = 0

    beforeEach(async () => {
      t = await openTestApp(engine)
      receiver = await startReceiver()
      user = await t.user()
      const { store } = t.services
      const handler = deliverWebhookJob({
        store,
        clock: t.clock,
        http: new NodeWebhookHttpClient(),
        settings: { allowPrivateTargets: true },
      })
      worker = new Worker(
        store.jobs,
        t.clock,
        { 'deliver-webhook': handler },
        { name: 'rotation-test', leaseMs: 60_000, idleMs: 1000 },
      )
    })

    afterEach(async () => {
      await receiver.close()
      await t.close()
    })

    async function createHook(): Promise<string> {
      const created = await t.request('POST', '/v3/hooks', {
        token: user.token,
        body: { target: receiver.url(), event: 'fax_received' },
      })
      assert.equal(created.statusCode, 200, created.body)
      return created.json<{ id: string }>().id
    }

    async function currentSecret(hookId: string): Promise<string> {
      const log = await t.request('GET', `/v3/hooks/${hookId}/deliveries`, { token: user.token })
      return log.json<{ signing_secret: string }>().signing_secret
    }

    async function rotate(hookId: string): Promise<string> {
      const response = await t.request('POST', `/v3/hooks/${hookId}/rotate-secret`, {
        token: user.token,
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json<{ signing_secret: string }>().signing_secret
    }

    /** Receives a fax for the user and runs the attempts due now; answers the last request. */
    async function deliverOne(): Promise<ReceivedRequest> {
      faxCount += 1
      const faxId = faxCount.toString(16).padStart(24, '0')
      await enqueueWebhookEvent(t.services.store, t.clock, {
        uid: user.account.uid,
        event: 'fax_received',
        hookIdForPayload: faxId,
        data: { id: faxId, uid: user.account.uid, pages: 1, status: 'success' },
      })
      return attemptDue()
    }

    async function attemptDue(): Promise<ReceivedRequest> {
      const before = receiver.requests.length
      assert.equal(await worker.drain(), 1)
      assert.equal(receiver.requests.length, before + 1)
      const request = receiver.requests.at(-1)
      assert.ok(request)
      assert.equal(
        request.headers['x-faxd-timestamp'],
        String(Math.floor(t.clock.now() / SECOND)),
        'signed at the attempt',
      )
      return request
    }

    it('signs with both secrets during the grace period, and with the new one alone from its end', async () => {
      const hookId = await createHook()
      const oldSecret = await currentSecret(hookId)
      const before = await deliverOne()
      assert.equal(before.headers['x-faxd-signature'], signature(oldSecret, before))
      assert.equal(before.headers['x-faxd-signature-previous'], undefined)

      t.clock.advance(60 * SECOND)
      const rotatedAt = t.clock.now()
      const newSecret = await rotate(hookId)
      assert.notEqual(newSecret, oldSecret)

      const justAfter = await deliverOne()
      assert.equal(justAfter.headers['x-faxd-signature'], signature(newSecret, justAfter))
      assert.equal(justAfter.headers['x-faxd-signature-previous'], signature(oldSecret, justAfter))
      assert.ok(verifies(oldSecret, justAfter) && verifies(newSecret, justAfter))
      assert.ok(!verifies(`${oldSecret}x`, justAfter))

      t.clock.set(rotatedAt + SECRET_ROTATION_GRACE_MS - SECOND)
      const lastSecond = await deliverOne()
      assert.ok(verifies(oldSecret, lastSecond), 'the old secret, one second before the end')
      assert.ok(verifies(newSecret, lastSecond))

      t.clock.set(rotatedAt + SECRET_ROTATION_GRACE_MS)
      const ended = await deliverOne()
      assert.equal(ended.headers['x-faxd-signature'], signature(newSecret, ended))
      assert.equal(ended.headers['x-faxd-signature-previous'], undefined)
      assert.ok(verifies(newSecret, ended))
      assert.ok(!verifies(oldSecret, ended), 'the old secret no longer')
    })

    it('a retry made after the grace period is signed with the new secret alone', async () => {
      const hookId = await createHook()
      const oldSecret = await currentSecret(hookId)
      const rotatedAt = t.clock.now()
      const newSecret = await rotate(hookId)
      t.clock.set(rotatedAt + SECRET_ROTATION_GRACE_MS - 10 * SECOND)
      receiver.answer(500, 204)
      const first = await deliverOne()
      assert.ok(verifies(oldSecret, first) && verifies(newSecret, first))
      t.clock.advance(30 * SECOND)
      const retry = await attemptDue()
      assert.equal(retry.headers['x-faxd-delivery'], first.headers['x-faxd-delivery'])
      assert.equal(retry.body, first.body, 'the same event')
      assert.ok(verifies(newSecret, retry))
      assert.ok(!verifies(oldSecret, retry))
      assert.equal(retry.headers['x-faxd-signature-previous'], undefined)
    })

    it('a second rotation in the grace period: the replaced secret signs beside the newest for 24 hours more, the oldest no longer', async () => {
      const hookId = await createHook()
      const oldest = await currentSecret(hookId)
      const firstRotation = t.clock.now()
      const middle = await rotate(hookId)
      t.clock.advance(HOUR)
      const newest = await rotate(hookId)
      assert.equal(await currentSecret(hookId), newest)

      const soon = await deliverOne()
      assert.equal(soon.headers['x-faxd-signature'], signature(newest, soon))
      assert.equal(soon.headers['x-faxd-signature-previous'], signature(middle, soon))
      assert.ok(!verifies(oldest, soon), 'the oldest secret stopped at the second rotation')

      t.clock.set(firstRotation + SECRET_ROTATION_GRACE_MS + 30 * 60 * SECOND)
      const later = await deliverOne()
      assert.ok(verifies(middle, later), 'its grace period began at the second rotation')
      assert.ok(verifies(newest, later))

      t.clock.set(firstRotation + HOUR + SECRET_ROTATION_GRACE_MS)
      const ended = await deliverOne()
      assert.ok(verifies(newest, ended))
      assert.ok(!verifies(middle, ended))
    })
  })
}
