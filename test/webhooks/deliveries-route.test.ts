/**
 * GET /v3/hooks/{hook_id}/deliveries: the delivery log of one hook through the API, after real
 * deliveries to a real receiver; its answer matches what /v3/openapi.json says of it, and its
 * signing secret is the key the receiver can check signatures with.
 */
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { afterEach, beforeEach, describe, it } from 'node:test'
import SwaggerParser from '@apidevtools/swagger-parser'
import { Ajv } from 'ajv'
import { Worker } from '../../src/jobs/worker.js'
import { deliverWebhookJob } from '../../src/webhooks/deliver-webhook-job.js'
import { enqueueWebhookEvent } from '../../src/webhooks/enqueue-webhook-event.js'
import { NodeWebhookHttpClient } from '../../src/webhooks/node-http-client.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'
import { type Receiver, startReceiver } from './receiver.js'

type Json = Record<string, any>

let t: TestApp
let receiver: Receiver
let user: TestUser
let stranger: TestUser

beforeEach(async () => {
  t = await openTestApp()
  receiver = await startReceiver()
  user = await t.user()
  stranger = await t.user()
})

afterEach(async () => {
  await receiver.close()
  await t.close()
})

async function createHook(owner: TestUser, target: string): Promise<string> {
  const created = await t.request('POST', '/v3/hooks', {
    token: owner.token,
    body: { target, event: 'fax_received' },
  })
  assert.equal(created.statusCode, 200, created.body)
  return created.json<{ id: string }>().id
}

function worker(): Worker {
  const { store } = t.services
  const handler = deliverWebhookJob({
    store,
    clock: t.clock,
    http: new NodeWebhookHttpClient(),
    settings: { allowPrivateTargets: true },
  })
  return new Worker(
    store.jobs,
    t.clock,
    { 'deliver-webhook': handler },
    { name: 'route-test', leaseMs: 60_000, idleMs: 1000 },
  )
}

async function receiveFax(faxId: string): Promise<void> {
  await enqueueWebhookEvent(t.services.store, t.clock, {
    uid: user.account.uid,
    event: 'fax_received',
    hookIdForPayload: faxId,
    data: { id: faxId, uid: user.account.uid, pages: 2, status: 'success' },
  })
}

async function deliveriesOf(hookId: string, token = user.token) {
  return t.request('GET', `/v3/hooks/${hookId}/deliveries`, { token })
}

describe('GET /v3/hooks/{hook_id}/deliveries', () => {
  it('answers the signing secret and no records before the first event', async () => {
    const hookId = await createHook(user, receiver.url())
    const first = await deliveriesOf(hookId)
    assert.equal(first.statusCode, 200, first.body)
    const body = first.json<Json>()
    assert.match(body['signing_secret'], /^whsec_[A-Za-z0-9_-]{43}$/)
    assert.deepEqual(body['records'], [])
    const again = await deliveriesOf(hookId)
    assert.equal(again.json<Json>()['signing_secret'], body['signing_secret'])
  })

  it('lists the deliveries newest first, each with its attempts', async () => {
    const hookId = await createHook(user, receiver.url())
    assert.equal(t.clock.now(), Date.UTC(2026, 10, 27, 12, 0, 0))
    receiver.answer(500, 200, 204)
    await receiveFax('a'.repeat(24))
    const run = worker()
    assert.equal(await run.drain(), 1)
    t.clock.advance(30_000)
    assert.equal(await run.drain(), 1)
    t.clock.advance(60_000)
    await receiveFax('b'.repeat(24))
    receiver.answer(503)
    assert.equal(await run.drain(), 1)

    const response = await deliveriesOf(hookId)
    assert.equal(response.statusCode, 200, response.body)
    const body = response.json<Json>()
    const [newer, older, ...more] = body['records'] as Json[]
    assert.ok(newer && older)
    assert.equal(more.length, 0)
    assert.deepEqual(
      {
        ...older,
        attempts: (older['attempts'] as Json[]).map((a: Json) => ({ ...a, duration_ms: 0 })),
      },
      {
        id: receiver.requests[0]?.headers['x-faxd-delivery'],
        event: 'fax_received',
        status: 'delivered',
        created_at: '2026-11-27 12:00:00',
        attempts: [
          { at: '2026-11-27 12:00:00', status_code: 500, error: null, duration_ms: 0 },
          { at: '2026-11-27 12:00:30', status_code: 200, error: null, duration_ms: 0 },
        ],
        next_attempt_at: null,
      },
    )
    assert.deepEqual(
      {
        ...newer,
        attempts: (newer['attempts'] as Json[]).map((a: Json) => ({ ...a, duration_ms: 0 })),
      },
      {
        id: receiver.requests[2]?.headers['x-faxd-delivery'],
        event: 'fax_received',
        status: 'pending',
        created_at: '2026-11-27 12:01:30',
        attempts: [{ at: '2026-11-27 12:01:30', status_code: 503, error: null, duration_ms: 0 }],
        next_attempt_at: '2026-11-27 12:02:00',
      },
    )
    for (const record of [newer, older]) {
      for (const attempt of record['attempts'] as Json[]) {
        assert.ok(Number.isInteger(attempt['duration_ms']) && attempt['duration_ms'] >= 0)
      }
    }

    const secret = body['signing_secret'] as string
    for (const request of receiver.requests) {
      const timestamp = request.headers['x-faxd-timestamp'] as string
      const mac = createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')
      assert.equal(request.headers['x-faxd-signature'], `v1=${mac}`)
    }
  })

  it('answers what the OpenAPI document says of it', async () => {
    const hookId = await createHook(user, receiver.url())
    receiver.answer(302)
    await receiveFax('c'.repeat(24))
    assert.equal(await worker().drain(), 1)
    const raw = (await t.request('GET', '/v3/openapi.json')).json<Json>()
    const document = (await SwaggerParser.dereference(
      structuredClone(raw) as unknown as string,
    )) as unknown as Json
    const operation = document['paths']['/hooks/{hook_id}/deliveries']['get']
    assert.equal(operation.operationId, 'listWebhookDeliveries')
    assert.deepEqual(operation.security[0].personal_access_token, [
      'fax:all:read',
      'fax:webhook:read',
    ])
    const schema = operation.responses['200'].content['application/json'].schema
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema)
    const body = (await deliveriesOf(hookId)).json<Json>()
    assert.equal(body['records'].length, 1)
    assert.equal(body['records'][0].attempts[0].status_code, 302)
    assert.ok(validate(body), JSON.stringify(validate.errors))
  })

  it("answers 404 webhook_not_found for another account's hook and for an unknown hook", async () => {
    const foreignHook = await createHook(stranger, receiver.url('/stranger'))
    const before = await t.snapshot()
    for (const hookId of [foreignHook, 'f'.repeat(24)]) {
      const response = await deliveriesOf(hookId)
      assert.equal(response.statusCode, 404, response.body)
      assert.deepEqual(Object.keys(response.json<Json>()).sort(), ['description', 'error'])
      assert.equal(response.json<Json>()['error'], 'webhook_not_found')
    }
    assert.equal(await t.snapshot(), before, 'no secret was given to a foreign hook')
    const own = await deliveriesOf(foreignHook, stranger.token)
    assert.equal(own.statusCode, 200)
  })

  it('shows at most the 100 newest deliveries', async () => {
    const hookId = await createHook(user, receiver.url())
    for (let index = 0; index < 101; index++) {
      await receiveFax(index.toString(16).padStart(24, '0'))
      t.clock.advance(1000)
    }
    const records = (await deliveriesOf(hookId)).json<Json>()['records'] as Json[]
    assert.equal(records.length, 100)
    assert.equal(records[0]?.['created_at'], '2026-11-27 12:01:40')
    assert.equal(records[99]?.['created_at'], '2026-11-27 12:00:01')
  })
})
