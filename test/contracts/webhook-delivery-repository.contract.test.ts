/** Contract of WebhookDeliveryRepository, run on every storage engine. */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import type { Account } from '../../src/domain/account.js'
import type { Webhook } from '../../src/domain/webhook.js'
import {
  deliveryJob,
  planWebhookDeliveries,
  type DeliveryAttempt,
  type PlannedDelivery,
  type WebhookDelivery,
  type WebhookEventInput,
} from '../../src/domain/webhook-delivery.js'
import { anAccount, aWebhook } from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

const T0 = Date.UTC(2026, 2, 1, 9, 30, 0)
const DAY = 24 * 60 * 60_000

function eventFor(uid: string, overrides: Partial<WebhookEventInput> = {}): WebhookEventInput {
  return {
    uid,
    event: 'fax_sent',
    hookIdForPayload: 'f'.repeat(24),
    data: { id: 'f'.repeat(24), uid, pages: 1, status: 'success' },
    ...overrides,
  }
}

function attemptAt(atMs: number, statusCode: number | null = 500): DeliveryAttempt {
  return { atMs, statusCode, error: statusCode === null ? 'ECONNREFUSED' : null, durationMs: 12 }
}

for (const engine of ENGINES) {
  describe(`${engine}: WebhookDeliveryRepository`, () => {
    const world = freshStoreForEachTest(engine)
    let user: Account
    let hook: Webhook
    let otherHook: Webhook
    beforeEach(async () => {
      user = anAccount()
      await world().store.accounts.create(user, null)
      hook = aWebhook(user.uid, { event: 'fax_sent', target: 'https://a.example.test/hook' })
      otherHook = aWebhook(user.uid, { event: 'fax_sent', target: 'https://b.example.test/hook' })
      await world().store.webhooks.add(hook)
      await world().store.webhooks.add(otherHook)
    })

    function plan(hooks: readonly Webhook[], atMs = T0): PlannedDelivery[] {
      return planWebhookDeliveries(hooks, eventFor(user.uid), atMs)
    }

    async function jobRows() {
      return world().database().selectFrom('jobs').selectAll().orderBy('run_at').execute()
    }

    async function deliveryRowCount(): Promise<number> {
      const rows = await world().database().selectFrom('webhook_deliveries').select('id').execute()
      return rows.length
    }

    it('writes each delivery with the job of its first attempt, and reads every field back', async () => {
      const planned = plan([hook, otherHook])
      const written = await world().store.webhookDeliveries.create(planned)
      assert.deepEqual(
        written,
        planned.map((p) => p.delivery),
      )
      for (const { delivery } of planned) {
        assert.deepEqual(await world().store.webhookDeliveries.get(delivery.id), delivery)
      }
      const jobs = await jobRows()
      const byPayload = (a: { payload: string }, b: { payload: string }) =>
        a.payload.localeCompare(b.payload)
      assert.deepEqual(
        jobs
          .map((j) => ({
            id: j.id,
            kind: j.kind,
            payload: j.payload,
            run_at: j.run_at,
            locked_by: j.locked_by,
            outbox_id: j.outbox_id,
          }))
          .sort(byPayload),
        planned
          .map((p) => ({
            id: p.job.id,
            kind: 'deliver-webhook',
            payload: JSON.stringify({ deliveryId: p.delivery.id, attempt: 1 }),
            run_at: T0,
            locked_by: null,
            outbox_id: null,
          }))
          .sort(byPayload),
      )
    })

    it('writes nothing at all when one row of the event cannot be written', async () => {
      const [first] = plan([hook])
      const [second] = plan([otherHook])
      assert.ok(first && second)
      const clash: PlannedDelivery = {
        ...second,
        delivery: { ...second.delivery, id: first.delivery.id },
      }
      await assert.rejects(world().store.webhookDeliveries.create([first, clash]))
      assert.equal(await deliveryRowCount(), 0)
      assert.deepEqual(await jobRows(), [])
    })

    it('leaves out the deliveries (and jobs) of a hook deleted before they are written', async () => {
      const planned = plan([hook, otherHook])
      await world().store.webhooks.delete(otherHook.id)
      const written = await world().store.webhookDeliveries.create(planned)
      assert.deepEqual(
        written.map((d) => d.hookId),
        [hook.id],
      )
      assert.equal(await deliveryRowCount(), 1)
      assert.equal((await jobRows()).length, 1)
    })

    it('answers null for an unknown delivery', async () => {
      assert.equal(await world().store.webhookDeliveries.get('evt_' + '0'.repeat(24)), null)
    })

    it("lists one hook's deliveries newest first, at most the limit", async () => {
      const older = plan([hook], T0)
      const newer = plan([hook], T0 + 1000)
      const newest = plan([hook], T0 + 2000)
      const elsewhere = plan([otherHook], T0 + 3000)
      for (const batch of [newer, older, newest, elsewhere]) {
        await world().store.webhookDeliveries.create(batch)
      }
      const ids = (batch: PlannedDelivery[]) => batch.map((p) => p.delivery.id)
      const listed = await world().store.webhookDeliveries.listByHook(hook.id, 100)
      assert.deepEqual(
        listed.map((d) => d.id),
        [...ids(newest), ...ids(newer), ...ids(older)],
      )
      const limited = await world().store.webhookDeliveries.listByHook(hook.id, 2)
      assert.deepEqual(
        limited.map((d) => d.id),
        [...ids(newest), ...ids(newer)],
      )
      assert.deepEqual(await world().store.webhookDeliveries.listByHook('0'.repeat(24), 100), [])
    })

    it('keeps the first signing secret of a hook, and has none for an unknown hook', async () => {
      const secrets = world().store.webhookDeliveries
      const current = async (hookId: string, candidate: string) =>
        (await secrets.signingSecrets(hookId, candidate))?.current ?? null
      assert.deepEqual(await secrets.signingSecrets(hook.id, 'whsec_first'), {
        current: 'whsec_first',
        previous: null,
      })
      assert.equal(await current(hook.id, 'whsec_second'), 'whsec_first')
      assert.equal(await current(otherHook.id, 'whsec_other'), 'whsec_other')
      assert.equal(await secrets.signingSecrets('0'.repeat(24), 'whsec_none'), null)
      const fresh = aWebhook(user.uid)
      await world().store.webhooks.add(fresh)
      const answers = await Promise.all(
        ['whsec_x', 'whsec_y', 'whsec_z'].map((candidate) => current(fresh.id, candidate)),
      )
      assert.equal(new Set(answers).size, 1, `concurrent callers got ${answers.join(', ')}`)
    })

    it('rotates a signing secret: the new one signs, the replaced one is kept with its end', async () => {
      const secrets = world().store.webhookDeliveries
      await secrets.signingSecrets(hook.id, 'whsec_first')
      await secrets.signingSecrets(otherHook.id, 'whsec_other')
      const rotated = await secrets.rotateSigningSecret(hook.id, 'whsec_second', T0 + DAY)
      const expected = {
        current: 'whsec_second',
        previous: { secret: 'whsec_first', validUntilMs: T0 + DAY },
      }
      assert.deepEqual(rotated, expected)
      assert.deepEqual(await secrets.signingSecrets(hook.id, 'whsec_unused'), expected)
      assert.deepEqual(await secrets.signingSecrets(otherHook.id, 'whsec_unused'), {
        current: 'whsec_other',
        previous: null,
      })
    })

    it('a second rotation makes the current secret the previous one and forgets the older', async () => {
      const secrets = world().store.webhookDeliveries
      await secrets.signingSecrets(hook.id, 'whsec_first')
      await secrets.rotateSigningSecret(hook.id, 'whsec_second', T0 + DAY)
      const again = await secrets.rotateSigningSecret(hook.id, 'whsec_third', T0 + 2 * DAY)
      const expected = {
        current: 'whsec_third',
        previous: { secret: 'whsec_second', validUntilMs: T0 + 2 * DAY },
      }
      assert.deepEqual(again, expected)
      assert.deepEqual(await secrets.signingSecrets(hook.id, 'whsec_unused'), expected)
      const row = await world()
        .database()
        .selectFrom('webhooks')
        .selectAll()
        .where('id', '=', hook.id)
        .executeTakeFirstOrThrow()
      assert.ok(!JSON.stringify(row).includes('whsec_first'), 'the oldest secret is gone')
    })

    it('rotating a hook that has no secret yet gives it one and no previous one; an unknown hook, none', async () => {
      const secrets = world().store.webhookDeliveries
      const rotated = await secrets.rotateSigningSecret(hook.id, 'whsec_new', T0 + DAY)
      assert.deepEqual(rotated, { current: 'whsec_new', previous: null })
      assert.deepEqual(await secrets.signingSecrets(hook.id, 'whsec_unused'), rotated)
      assert.equal(await secrets.rotateSigningSecret('0'.repeat(24), 'whsec_none', T0), null)
      const rows = await world().database().selectFrom('webhooks').select('id').execute()
      assert.equal(rows.length, 2, 'no hook was made for the unknown id')
    })

    it('concurrent rotations each replace the secret the one before stored: none is lost unseen', async () => {
      const secrets = world().store.webhookDeliveries
      await secrets.signingSecrets(hook.id, 'whsec_first')
      const candidates = ['whsec_a', 'whsec_b', 'whsec_c', 'whsec_d']
      const answers = await Promise.all(
        candidates.map((candidate) => secrets.rotateSigningSecret(hook.id, candidate, T0 + DAY)),
      )
      const replaced = answers.map((answer) => answer?.previous?.secret)
      // Run one after another, the rotations replace whsec_first and then three of the
      // candidates, each once; two that read the same secret would both answer it.
      assert.equal(new Set(replaced).size, candidates.length, `replaced ${replaced.join(', ')}`)
      assert.ok(replaced.includes('whsec_first'))
      const final = await secrets.signingSecrets(hook.id, 'whsec_unused')
      assert.ok(final && candidates.includes(final.current))
      assert.ok(!replaced.includes(final.current), 'the last one stored replaced nothing after it')
      assert.ok(final.previous && candidates.includes(final.previous.secret))
    })

    it('records a failed attempt with the job of the next one, in one step', async () => {
      const [planned] = plan([hook])
      assert.ok(planned)
      await world().store.webhookDeliveries.create([planned])
      const nextJob = deliveryJob(planned.delivery.id, 2, T0 + 30_000)
      const recorded = await world().store.webhookDeliveries.recordAttempt(
        planned.delivery.id,
        1,
        attemptAt(T0),
        { status: 'pending', nextJob },
      )
      assert.equal(recorded, true)
      const expected: WebhookDelivery = {
        ...planned.delivery,
        attempts: [attemptAt(T0)],
        nextAttemptAtMs: T0 + 30_000,
      }
      assert.deepEqual(await world().store.webhookDeliveries.get(planned.delivery.id), expected)
      const jobs = await jobRows()
      assert.deepEqual(
        jobs.map((j) => [j.id, JSON.parse(j.payload) as unknown, j.run_at]),
        [
          [planned.job.id, { deliveryId: planned.delivery.id, attempt: 1 }, T0],
          [nextJob.id, { deliveryId: planned.delivery.id, attempt: 2 }, T0 + 30_000],
        ],
      )
    })

    it('records an attempt once: the same attempt again changes nothing', async () => {
      const [planned] = plan([hook])
      assert.ok(planned)
      await world().store.webhookDeliveries.create([planned])
      const repository = world().store.webhookDeliveries
      const id = planned.delivery.id
      const first = deliveryJob(id, 2, T0 + 30_000)
      const again = deliveryJob(id, 2, T0 + 31_000)
      assert.equal(
        await repository.recordAttempt(id, 1, attemptAt(T0), { status: 'pending', nextJob: first }),
        true,
      )
      assert.equal(
        await repository.recordAttempt(id, 1, attemptAt(T0 + 1000), {
          status: 'pending',
          nextJob: again,
        }),
        false,
      )
      assert.equal(
        await repository.recordAttempt(id, 3, attemptAt(T0 + 1000), { status: 'delivered' }),
        false,
      )
      const stored = await repository.get(id)
      assert.deepEqual(stored?.attempts, [attemptAt(T0)])
      assert.deepEqual(
        (await jobRows()).map((j) => j.id),
        [planned.job.id, first.id],
      )
    })

    for (const status of ['delivered', 'failed', 'refused'] as const) {
      it(`ends a delivery as ${status}: no next attempt, and nothing more is recorded`, async () => {
        const [planned] = plan([hook])
        assert.ok(planned)
        await world().store.webhookDeliveries.create([planned])
        const repository = world().store.webhookDeliveries
        const id = planned.delivery.id
        const attempt = attemptAt(T0, status === 'delivered' ? 204 : null)
        assert.equal(await repository.recordAttempt(id, 1, attempt, { status }), true)
        const stored = await repository.get(id)
        assert.equal(stored?.status, status)
        assert.equal(stored?.nextAttemptAtMs, null)
        assert.deepEqual(stored?.attempts, [attempt])
        assert.equal((await jobRows()).length, 1, 'only the first attempt job')
        const later = deliveryJob(id, 3, T0 + 60_000)
        assert.equal(
          await repository.recordAttempt(id, 2, attemptAt(T0 + 1), {
            status: 'pending',
            nextJob: later,
          }),
          false,
        )
        assert.equal((await repository.get(id))?.status, status)
      })
    }

    it('answers false for the attempt of a delivery that does not exist', async () => {
      const recorded = await world().store.webhookDeliveries.recordAttempt(
        'evt_' + '0'.repeat(24),
        1,
        attemptAt(T0),
        { status: 'delivered' },
      )
      assert.equal(recorded, false)
    })

    it("deleting a hook deletes its deliveries and keeps the other hook's", async () => {
      const planned = plan([hook, otherHook])
      await world().store.webhookDeliveries.create(planned)
      await world().store.webhooks.delete(hook.id)
      assert.deepEqual(await world().store.webhookDeliveries.listByHook(hook.id, 100), [])
      const kept = await world().store.webhookDeliveries.listByHook(otherHook.id, 100)
      assert.deepEqual(
        kept.map((d) => d.hookId),
        [otherHook.id],
      )
      for (const { delivery } of planned.filter((p) => p.delivery.hookId === hook.id)) {
        assert.equal(await world().store.webhookDeliveries.get(delivery.id), null)
      }
    })
  })
}
