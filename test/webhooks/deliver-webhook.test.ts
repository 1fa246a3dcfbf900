/**
 * Webhook delivery end to end on a real store: enqueueWebhookEvent writes the deliveries, a real
 * Worker runs the deliver-webhook handler with the real HTTP client, and a real HTTP server on
 * 127.0.0.1 receives. Time is a ManualClock: retries become due when the test moves it.
 */
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { Account } from '../../src/domain/account.js'
import type { ClaimedJob } from '../../src/domain/job-queue.js'
import type { Webhook, WebhookEvent } from '../../src/domain/webhook.js'
import type { WebhookDelivery } from '../../src/domain/webhook-delivery.js'
import { Worker } from '../../src/jobs/worker.js'
import { ManualClock } from '../../src/shared/clock.js'
import { deliverWebhookJob } from '../../src/webhooks/deliver-webhook-job.js'
import { enqueueWebhookEvent } from '../../src/webhooks/enqueue-webhook-event.js'
import { NodeWebhookHttpClient } from '../../src/webhooks/node-http-client.js'
import type { HostResolver, OwnAddresses } from '../../src/webhooks/target-guard.js'
import type { WebhookHttpClient } from '../../src/webhooks/webhook-http-client.js'
import { anAccount, aWebhook } from '../support/sample-records.js'
import { type TestStore, openTestStore } from '../support/test-database.js'
import { type Receiver, closedPort, startReceiver } from './receiver.js'

const T0 = Date.UTC(2026, 4, 12, 8, 15, 30)
const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const FAX_ID = '66df09cf1d6d0b295c363956'
const DATA = {
  id: FAX_ID,
  uid: '490ae330dbc749f0b6561dafa300f2fb',
  pages: 1,
  from: '+13343040000',
  to: '+13343040001',
  start_time: '2026-05-12 08:14:02',
  file: '1d0b618e4fb54957878eed0ecc64ae5e.tiff',
  file_name: 'fax-to-13343040001',
  status: 'success',
  cost: 1,
}

interface WorldOptions {
  readonly allowPrivateTargets?: boolean
  readonly timeoutMs?: number
  readonly resolve?: HostResolver
  readonly ownAddresses?: OwnAddresses
  readonly http?: WebhookHttpClient
}

interface World {
  readonly testStore: TestStore
  readonly clock: ManualClock
  readonly receiver: Receiver
  readonly user: Account
  /** Errors thrown by the handler (the worker's onFailure); a delivery never throws. */
  readonly failures: unknown[]
  worker(options?: WorldOptions): Worker
  hook(target: string, event?: WebhookEvent): Promise<Webhook>
  send(event?: WebhookEvent): Promise<WebhookDelivery[]>
  delivery(id: string): Promise<WebhookDelivery>
  jobCount(): Promise<number>
  secretOf(hook: Webhook): Promise<string>
}

let world: World | undefined
let cleanups: (() => Promise<void>)[] = []

beforeEach(async () => {
  const testStore = await openTestStore('sqlite')
  const receiver = await startReceiver()
  cleanups = [() => receiver.close(), () => testStore.cleanup()]
  const { store } = testStore
  const clock = new ManualClock(T0)
  const user = anAccount()
  await store.accounts.create(user, null)
  const failures: unknown[] = []
  world = {
    testStore,
    clock,
    receiver,
    user,
    failures,
    worker: (options = {}) =>
      new Worker(
        store.jobs,
        clock,
        {
          'deliver-webhook': deliverWebhookJob({
            store,
            clock,
            http: options.http ?? new NodeWebhookHttpClient(),
            settings: {
              allowPrivateTargets: options.allowPrivateTargets ?? true,
              ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
            },
            ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
            ...(options.ownAddresses === undefined ? {} : { ownAddresses: options.ownAddresses }),
          }),
        },
        { name: 'webhooks-test', leaseMs: 60_000, idleMs: 1000 },
        { onFailure: (_job: ClaimedJob, error: unknown) => failures.push(error) },
      ),
    async hook(target, event = 'fax_sent') {
      const hook = aWebhook(user.uid, { target, event })
      await store.webhooks.add(hook)
      return hook
    },
    send: (event = 'fax_sent') =>
      enqueueWebhookEvent(store, clock, {
        uid: user.uid,
        event,
        hookIdForPayload: FAX_ID,
        data: DATA,
      }),
    async delivery(id) {
      const found = await store.webhookDeliveries.get(id)
      assert.ok(found, `delivery ${id} exists`)
      return found
    },
    async jobCount() {
      const rows = await testStore.database().selectFrom('jobs').select('id').execute()
      return rows.length
    },
    async secretOf(hook) {
      const secrets = await store.webhookDeliveries.signingSecrets(hook.id, 'whsec_not_this_one')
      assert.ok(
        secrets !== null && secrets.current !== 'whsec_not_this_one',
        'the hook has its secret',
      )
      return secrets.current
    },
  }
})

afterEach(async () => {
  world = undefined
  for (const cleanup of cleanups.reverse()) {
    await cleanup()
  }
  cleanups = []
})

function w(): World {
  assert.ok(world, 'the world is open')
  return world
}

/** The one delivery of a send to one hook. */
async function sendOne(): Promise<WebhookDelivery> {
  const [delivery, ...others] = await w().send()
  assert.ok(delivery)
  assert.equal(others.length, 0)
  return delivery
}

function header(request: { headers: Record<string, unknown> }, name: string): string {
  const value = request.headers[name]
  assert.equal(typeof value, 'string', `header ${name}`)
  return value as string
}

function expectedSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

describe('delivering a webhook', () => {
  it('POSTs the Fax.Plus payload once, signed, and marks the delivery delivered', async () => {
    const hook = await w().hook(w().receiver.url())
    const delivery = await sendOne()
    const worker = w().worker()
    assert.equal(await worker.drain(), 1)

    const [request, ...more] = w().receiver.requests
    assert.ok(request)
    assert.equal(more.length, 0)
    assert.equal(request.method, 'POST')
    assert.equal(request.path, '/hook')
    assert.deepEqual(JSON.parse(request.body), {
      hook: {
        id: FAX_ID,
        event: 'fax_sent',
        event_time: '2026-05-12 08:15:30',
        target: hook.target,
      },
      data: DATA,
    })
    assert.equal(header(request, 'content-type'), 'application/json')
    assert.equal(header(request, 'user-agent'), 'faxd-webhooks/1')
    assert.equal(header(request, 'x-faxd-event'), 'fax_sent')
    assert.equal(header(request, 'x-faxd-delivery'), delivery.id)
    assert.match(delivery.id, /^evt_[0-9a-f]{24}$/)
    const timestamp = header(request, 'x-faxd-timestamp')
    assert.equal(timestamp, String(T0 / 1000))
    const secret = await w().secretOf(hook)
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/)
    assert.equal(
      header(request, 'x-faxd-signature'),
      expectedSignature(secret, timestamp, request.body),
    )
    assert.equal(request.headers['x-faxd-signature-previous'], undefined, 'never rotated')

    const stored = await w().delivery(delivery.id)
    assert.equal(stored.status, 'delivered')
    assert.equal(stored.nextAttemptAtMs, null)
    assert.equal(stored.attempts.length, 1)
    assert.deepEqual(
      { ...stored.attempts[0], durationMs: 0 },
      { atMs: T0, statusCode: 200, error: null, durationMs: 0 },
    )
    assert.ok(Number.isInteger(stored.attempts[0]?.durationMs))
    assert.equal(await w().jobCount(), 0)
    w().clock.advance(2 * 24 * HOUR)
    assert.equal(await worker.drain(), 0)
    assert.equal(w().receiver.requests.length, 1)
    assert.deepEqual(w().failures, [])
  })

  it('counts any 2xx as delivered, and sends one delivery per hook of the event, each with its own id', async () => {
    const first = await w().hook(w().receiver.url('/first'))
    const second = await w().hook(w().receiver.url('/second'))
    await w().hook(w().receiver.url('/received'), 'fax_received')
    w().receiver.answer(204)
    const deliveries = await w().send()
    assert.deepEqual(
      deliveries.map((d) => d.hookId),
      [first.id, second.id],
    )
    assert.equal(await w().worker().drain(), 2)
    const paths = w()
      .receiver.requests.map((r) => r.path)
      .sort()
    assert.deepEqual(paths, ['/first', '/second'])
    const ids = w().receiver.requests.map((r) => header(r, 'x-faxd-delivery'))
    assert.equal(new Set(ids).size, 2)
    for (const delivery of deliveries) {
      assert.equal((await w().delivery(delivery.id)).status, 'delivered')
    }
    const [firstSecret, secondSecret] = [await w().secretOf(first), await w().secretOf(second)]
    assert.notEqual(firstSecret, secondSecret)
  })

  it('enqueues nothing for a user without a hook for the event', async () => {
    await w().hook(w().receiver.url(), 'fax_received')
    assert.deepEqual(await w().send('fax_sent'), [])
    assert.equal(await w().jobCount(), 0)
  })

  it('retries a 500 after 30 s and then 1 min with the same delivery id, and logs all three attempts', async () => {
    const hook = await w().hook(w().receiver.url())
    w().receiver.answer(500, 500, 200)
    const delivery = await sendOne()
    const worker = w().worker()

    assert.equal(await worker.drain(), 1)
    assert.equal((await w().delivery(delivery.id)).nextAttemptAtMs, T0 + 30 * SECOND)
    w().clock.advance(30 * SECOND - 1)
    assert.equal(await worker.drain(), 0, 'not due before 30 s')
    w().clock.advance(1)
    assert.equal(await worker.drain(), 1)
    assert.equal((await w().delivery(delivery.id)).nextAttemptAtMs, T0 + 90 * SECOND)
    w().clock.advance(MINUTE - 1)
    assert.equal(await worker.drain(), 0, 'not due before 1 more minute')
    w().clock.advance(1)
    assert.equal(await worker.drain(), 1)

    const stored = await w().delivery(delivery.id)
    assert.equal(stored.status, 'delivered')
    assert.deepEqual(
      stored.attempts.map((a) => [a.atMs, a.statusCode, a.error]),
      [
        [T0, 500, null],
        [T0 + 30 * SECOND, 500, null],
        [T0 + 90 * SECOND, 200, null],
      ],
    )
    const requests = w().receiver.requests
    assert.equal(requests.length, 3)
    const secret = await w().secretOf(hook)
    for (const [index, request] of requests.entries()) {
      assert.equal(header(request, 'x-faxd-delivery'), delivery.id)
      assert.equal(request.body, requests[0]?.body, 'the same body on every attempt')
      const timestamp = header(request, 'x-faxd-timestamp')
      assert.equal(Number(timestamp) * 1000, stored.attempts[index]?.atMs)
      assert.equal(
        header(request, 'x-faxd-signature'),
        expectedSignature(secret, timestamp, request.body),
      )
    }
    assert.equal(await w().jobCount(), 0)
    assert.deepEqual(w().failures, [])
  })

  it('retries with doubling waits up to 1 h for 24 h after the event, then fails for good', async () => {
    await w().hook(w().receiver.url())
    w().receiver.answer(503)
    const delivery = await sendOne()
    const worker = w().worker()
    assert.equal(await worker.drain(), 1)
    for (;;) {
      const current = await w().delivery(delivery.id)
      if (current.status !== 'pending') {
        break
      }
      assert.ok(current.nextAttemptAtMs !== null)
      w().clock.set(current.nextAttemptAtMs - 1)
      assert.equal(await worker.drain(), 0)
      w().clock.set(current.nextAttemptAtMs)
      assert.equal(await worker.drain(), 1)
    }

    const stored = await w().delivery(delivery.id)
    assert.equal(stored.status, 'failed')
    assert.equal(stored.nextAttemptAtMs, null)
    const times = stored.attempts.map((a) => a.atMs)
    const waits = times.slice(1).map((time, index) => (time - (times[index] ?? 0)) / SECOND)
    assert.deepEqual(waits.slice(0, 9), [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
    assert.ok(
      waits.slice(7).every((wait) => wait === 3600),
      'at most 1 h',
    )
    const last = times.at(-1) ?? 0
    assert.ok(last <= T0 + 24 * HOUR, 'no attempt after 24 h')
    assert.ok(last + HOUR > T0 + 24 * HOUR, 'retried until the next wait would pass 24 h')
    assert.equal(w().receiver.requests.length, stored.attempts.length)
    assert.ok(stored.attempts.every((a) => a.statusCode === 503))

    assert.equal(await w().jobCount(), 0)
    w().clock.advance(7 * 24 * HOUR)
    assert.equal(await worker.drain(), 0)
    assert.equal(w().receiver.requests.length, stored.attempts.length)
  })

  it('does not follow a redirect: a 3xx is a failed attempt, retried later', async () => {
    await w().hook(w().receiver.url())
    w().receiver.answer({ status: 302, headers: { location: w().receiver.url('/elsewhere') } }, 200)
    const delivery = await sendOne()
    assert.equal(await w().worker().drain(), 1)
    assert.deepEqual(
      w().receiver.requests.map((r) => r.path),
      ['/hook'],
    )
    const stored = await w().delivery(delivery.id)
    assert.equal(stored.status, 'pending')
    assert.equal(stored.nextAttemptAtMs, T0 + 30 * SECOND)
    assert.equal(stored.attempts[0]?.statusCode, 302)
    assert.match(stored.attempts[0]?.error ?? '', /redirect to .*\/elsewhere not followed/)
  })

  it('retries a connection that is refused, with the error in the log', async () => {
    await w().hook(`http://127.0.0.1:${await closedPort()}/hook`)
    const delivery = await sendOne()
    assert.equal(await w().worker().drain(), 1)
    const stored = await w().delivery(delivery.id)
    assert.equal(stored.status, 'pending')
    assert.equal(stored.attempts[0]?.statusCode, null)
    assert.match(stored.attempts[0]?.error ?? '', /ECONNREFUSED/)
    assert.equal(stored.nextAttemptAtMs, T0 + 30 * SECOND)
    assert.equal(await w().jobCount(), 1)
  })

  it('gives up on a receiver that does not answer within the timeout, and retries', async () => {
    await w().hook(w().receiver.url())
    w().receiver.answer('hang')
    const delivery = await sendOne()
    assert.equal(await w().worker({ timeoutMs: 200 }).drain(), 1)
    assert.equal(w().receiver.requests.length, 1)
    const stored = await w().delivery(delivery.id)
    assert.equal(stored.status, 'pending')
    assert.equal(stored.attempts[0]?.statusCode, null)
    assert.equal(stored.attempts[0]?.error, 'no answer within 200 ms')
  })

  it('does nothing for a job whose attempt is already recorded, or whose hook is gone', async () => {
    const hook = await w().hook(w().receiver.url())
    const delivery = await sendOne()
    const worker = w().worker()
    assert.equal(await worker.drain(), 1)
    await w().testStore.store.jobs.enqueue(
      {
        id: 'a'.repeat(24),
        kind: 'deliver-webhook',
        payload: { deliveryId: delivery.id, attempt: 1 },
        runAtMs: T0,
      },
      T0,
    )
    assert.equal(await worker.drain(), 1)
    assert.equal(w().receiver.requests.length, 1, 'no second POST')
    assert.equal((await w().delivery(delivery.id)).attempts.length, 1)

    w().receiver.answer(500)
    const pending = await sendOne()
    assert.equal(await worker.drain(), 1)
    await w().testStore.store.webhooks.delete(hook.id)
    w().clock.advance(30 * SECOND)
    assert.equal(await worker.drain(), 1)
    assert.equal(w().receiver.requests.length, 2, 'no POST for a deleted hook')
    assert.equal(await w().testStore.store.webhookDeliveries.get(pending.id), null)
    assert.equal(await w().jobCount(), 0)
    assert.deepEqual(w().failures, [])
  })
})

describe('refusing targets (server-side request forgery)', () => {
  it('refuses 127.0.0.1 unless private targets are allowed: no request, no retry', async () => {
    await w().hook(w().receiver.url())
    const delivery = await sendOne()
    const worker = w().worker({ allowPrivateTargets: false })
    assert.equal(await worker.drain(), 1)
    assert.equal(w().receiver.requests.length, 0)
    const stored = await w().delivery(delivery.id)
    assert.equal(stored.status, 'refused')
    assert.equal(stored.nextAttemptAtMs, null)
    assert.equal(stored.attempts.length, 1)
    assert.equal(stored.attempts[0]?.statusCode, null)
    assert.match(stored.attempts[0]?.error ?? '', /^refused: 127\.0\.0\.1: loopback address$/)
    assert.equal(await w().jobCount(), 0)
    w().clock.advance(2 * 24 * HOUR)
    assert.equal(await worker.drain(), 0)
    assert.equal(w().receiver.requests.length, 0)
  })

  const refused: [string, RegExp][] = [
    ['http://10.0.0.1/hook', /10\.0\.0\.1: private \(RFC 1918\)/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254: link-local/],
    ['http://[::1]:9/hook', /::1: loopback/],
    ['http://[::ffff:127.0.0.1]/hook', /::ffff:7f00:1: IPv4-mapped loopback/],
    ['http://2130706433/hook', /127\.0\.0\.1: loopback/],
    ['http://100.64.0.1/hook', /CGNAT/],
    ['http://0.0.0.0/hook', /this network/],
  ]
  for (const [target, reason] of refused) {
    it(`refuses ${target}`, async () => {
      await w().hook(target)
      const delivery = await sendOne()
      assert.equal(await w().worker({ allowPrivateTargets: false }).drain(), 1)
      const stored = await w().delivery(delivery.id)
      assert.equal(stored.status, 'refused')
      assert.match(stored.attempts[0]?.error ?? '', reason)
      assert.equal(await w().jobCount(), 0)
    })
  }

  it('refuses the host name localhost, which resolves to loopback', async () => {
    await w().hook(`http://localhost:${w().receiver.port}/hook`)
    const delivery = await sendOne()
    assert.equal(await w().worker({ allowPrivateTargets: false }).drain(), 1)
    const stored = await w().delivery(delivery.id)
    assert.equal(stored.status, 'refused')
    assert.match(stored.attempts[0]?.error ?? '', /^refused: localhost resolves to .*loopback/)
    assert.equal(w().receiver.requests.length, 0)
  })

  it('refuses a name of which any one address is forbidden', async () => {
    const resolve: HostResolver = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '192.168.1.20', family: 4 },
    ]
    await w().hook('https://mixed.example.test/hook')
    const delivery = await sendOne()
    assert.equal(await w().worker({ allowPrivateTargets: false, resolve }).drain(), 1)
    const stored = await w().delivery(delivery.id)
    assert.equal(stored.status, 'refused')
    assert.match(
      stored.attempts[0]?.error ?? '',
      /mixed\.example\.test resolves to 192\.168\.1\.20/,
    )
  })

  it('refuses a target that is not http or https', async () => {
    await w().hook('ftp://files.example.test/hook')
    const delivery = await sendOne()
    assert.equal(await w().worker().drain(), 1)
    const stored = await w().delivery(delivery.id)
    assert.equal(stored.status, 'refused')
    assert.match(stored.attempts[0]?.error ?? '', /ftp:/)
  })

  it('connects to the address it checked: one lookup per attempt, none by the HTTP client', async () => {
    const lookups: string[] = []
    const resolve: HostResolver = async (hostname) => {
      lookups.push(hostname)
      return [{ address: '127.0.0.1', family: 4 }]
    }
    // receiver.test has no address in any real DNS: the request can only reach the receiver
    // through the address the guard checked.
    await w().hook(`http://receiver.test:${w().receiver.port}/hook`)
    w().receiver.answer(500, 200)
    const delivery = await sendOne()
    const worker = w().worker({ resolve })
    assert.equal(await worker.drain(), 1)
    w().clock.advance(30 * SECOND)
    assert.equal(await worker.drain(), 1)
    assert.deepEqual(lookups, ['receiver.test', 'receiver.test'])
    assert.equal((await w().delivery(delivery.id)).status, 'delivered')
    assert.equal(w().receiver.requests.length, 2)
    assert.equal(header(w().receiver.requests[0]!, 'host'), `receiver.test:${w().receiver.port}`)
  })

  it('retries when the name cannot be resolved: a lookup failure is not a refusal', async () => {
    const resolve: HostResolver = async (hostname) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    }
    await w().hook('https://gone.example.test/hook')
    const delivery = await sendOne()
    assert.equal(await w().worker({ allowPrivateTargets: false, resolve }).drain(), 1)
    const stored = await w().delivery(delivery.id)
    assert.equal(stored.status, 'pending')
    assert.match(stored.attempts[0]?.error ?? '', /ENOTFOUND gone\.example\.test/)
    assert.equal(stored.nextAttemptAtMs, T0 + 30 * SECOND)
  })
})

describe("refusing this server's own addresses", () => {
  /**
   * The network of these tests: 8.8.8.8 stands for a public address of this server. No range
   * forbids it, and a connection to it reaches this machine, so here the real HTTP client is
   * sent to 127.0.0.1 instead, where the receiver listens. The target is a name, resolved to
   * 8.8.8.8 by the test's resolver, so that every connection goes through the checked addresses.
   */
  const PUBLIC_OWN = '8.8.8.8'
  const routedHome: WebhookHttpClient = {
    post: (request) =>
      new NodeWebhookHttpClient().post({
        ...request,
        addresses: request.addresses.map((a) =>
          a.address === PUBLIC_OWN ? { address: '127.0.0.1', family: 4 } : a,
        ),
      }),
  }
  const resolve: HostResolver = async () => [{ address: PUBLIC_OWN, family: 4 }]
  const target = () => `http://own.example.test:${w().receiver.port}/hook`

  it('reaches the receiver through that address while it is not one of ours', async () => {
    await w().hook(target())
    const delivery = await sendOne()
    const worker = w().worker({
      allowPrivateTargets: false,
      resolve,
      http: routedHome,
      ownAddresses: () => ['127.0.0.1', '::1'],
      timeoutMs: 2000,
    })
    assert.equal(await worker.drain(), 1)
    assert.equal((await w().delivery(delivery.id)).status, 'delivered')
    assert.equal(w().receiver.requests.length, 1)
  })

  it('refuses it once it is an address of this server: no request, no retry', async () => {
    await w().hook(target())
    const delivery = await sendOne()
    const worker = w().worker({
      allowPrivateTargets: false,
      resolve,
      http: routedHome,
      ownAddresses: () => ['127.0.0.1', '::1', PUBLIC_OWN],
      timeoutMs: 2000,
    })
    assert.equal(await worker.drain(), 1)
    assert.equal(w().receiver.requests.length, 0)
    const stored = await w().delivery(delivery.id)
    assert.equal(stored.status, 'refused')
    assert.equal(stored.nextAttemptAtMs, null)
    assert.deepEqual(
      stored.attempts.map((a) => [a.statusCode, a.error]),
      [[null, 'refused: own.example.test resolves to 8.8.8.8: an address of this server']],
    )
    assert.equal(await w().jobCount(), 0)
    w().clock.advance(2 * 24 * HOUR)
    assert.equal(await worker.drain(), 0)
    assert.equal(w().receiver.requests.length, 0)
  })

  it('calls it when the operator allows private targets, as it calls loopback then', async () => {
    await w().hook(target())
    const delivery = await sendOne()
    const worker = w().worker({
      allowPrivateTargets: true,
      resolve,
      http: routedHome,
      ownAddresses: () => ['127.0.0.1', '::1', PUBLIC_OWN],
      timeoutMs: 2000,
    })
    assert.equal(await worker.drain(), 1)
    assert.equal((await w().delivery(delivery.id)).status, 'delivered')
    assert.equal(w().receiver.requests.length, 1)
  })
})

describe('a user name or password in the target', () => {
  it('refuses a stored target that has one, even with private targets allowed, and sends nothing', async () => {
    // A row stored before registration refused such targets.
    await w().hook(`http://user:pass@127.0.0.1:${w().receiver.port}/hook`)
    const delivery = await sendOne()
    const worker = w().worker({ allowPrivateTargets: true })
    assert.equal(await worker.drain(), 1)
    assert.equal(w().receiver.requests.length, 0)
    const stored = await w().delivery(delivery.id)
    assert.equal(stored.status, 'refused')
    assert.deepEqual(
      stored.attempts.map((a) => [a.statusCode, a.error]),
      [[null, 'refused: the target has a user name or password in it, which faxd does not send']],
    )
    assert.equal(await w().jobCount(), 0)
  })

  it('is never turned into Basic credentials by the HTTP client', async () => {
    for (const url of [
      `http://user:pass@127.0.0.1:${w().receiver.port}/hook`,
      `http://user@127.0.0.1:${w().receiver.port}/hook`,
    ]) {
      await assert.rejects(
        new NodeWebhookHttpClient().post({
          url: new URL(url),
          addresses: [{ address: '127.0.0.1', family: 4 }],
          headers: {},
          body: '{}',
          timeoutMs: 2000,
        }),
        /a target with a user name or password is never called/,
      )
    }
    assert.equal(w().receiver.requests.length, 0)
    const plain = await new NodeWebhookHttpClient().post({
      url: new URL(w().receiver.url()),
      addresses: [{ address: '127.0.0.1', family: 4 }],
      headers: {},
      body: '{}',
      timeoutMs: 2000,
    })
    assert.equal(plain.statusCode, 200)
    assert.equal(w().receiver.requests[0]?.headers.authorization, undefined)
  })
})
