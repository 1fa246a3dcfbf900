/**
 * Contract of TransmissionRepository's fence, run on every storage engine: each hold on a call
 * (a new attempt, a take-over) gets a newer fence; a worker whose call was taken over can
 * neither end it (CallNotHeldError, and no row changes) nor change its progress (what it
 * negotiated, its pages); the holder of the newest fence can, once. What a call negotiated is
 * answered to the take-over, and kept with the attempt, ECM and resolution included. A call's
 * start puts its entry in `sending` with one status change; a busy line, or a second call of an
 * entry already sending, adds none.
 */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import type { Account } from '../../src/domain/account.js'
import type { Negotiated } from '../../src/domain/carrier.js'
import type { OutboxEntry } from '../../src/domain/outbox-entry.js'
import {
  CallNotHeldError,
  type CallAttempt,
  type DeliveryInCall,
} from '../../src/domain/transmission.js'
import { newId24 } from '../../src/shared/ids.js'
import {
  aFaxRecord,
  anAccount,
  anOutboxEntry,
  aRenderJob,
  deliveriesOf,
} from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

const T0 = Date.UTC(2026, 0, 1)
const LIMITS = { limits: { perDestination: 1, perSendingNumber: 4 } }
const NEGOTIATED: Negotiated = {
  remoteStationId: '+49 30 111111',
  bitRate: 9600,
  coding: 'mr',
  ecm: false,
  resolution: 'standard',
}

function anAttempt(call: DeliveryInCall, overrides: Partial<CallAttempt> = {}): CallAttempt {
  return {
    faxId: call.delivery.id,
    attempt: call.attempt,
    carrier: 'simulated',
    startedAtMs: T0,
    endedAtMs: T0 + 30_000,
    status: 'failed_to_send',
    pagesConfirmed: [1],
    description: 'the call dropped',
    remoteStationId: null,
    bitRate: null,
    coding: null,
    ecm: null,
    resolution: null,
    header: null,
    ...overrides,
  }
}

function began(call: DeliveryInCall | 'gone' | object): DeliveryInCall {
  assert.ok(typeof call === 'object' && 'delivery' in call, `no call: ${JSON.stringify(call)}`)
  return call
}

for (const engine of ENGINES) {
  describe(`${engine}: TransmissionRepository fence`, () => {
    const world = freshStoreForEachTest(engine)
    const transmissions = () => world().store.transmissions
    let user: Account
    let entry: OutboxEntry
    let deliveryId: string

    /** An entry with one destination, rendered: its send job is due. */
    beforeEach(async () => {
      user = anAccount()
      await world().store.accounts.create(user, null)
      entry = anOutboxEntry(user.uid, { to: ['+4930111111'], sendAtMs: T0, status: 'submitted' })
      const [delivery] = deliveriesOf(entry)
      assert.ok(delivery)
      deliveryId = delivery.id
      await world().store.outbox.create(entry, [delivery], aRenderJob(entry))
      assert.ok(await world().store.outbox.beginConverting(entry.id, T0))
      assert.ok(
        await world().store.outbox.finishConverting(
          entry.id,
          { documentKey: `outbox/${entry.id}.tif`, pageCount: 3 },
          T0,
        ),
      )
    })

    /** Every row the end of a call may write, for "nothing changed". */
    async function rowsOfTheFax(): Promise<unknown> {
      const db = world().database()
      return {
        entry: await db
          .selectFrom('outbox_entries')
          .selectAll()
          .where('id', '=', entry.id)
          .execute(),
        changes: await db
          .selectFrom('outbox_status_changes')
          .selectAll()
          .where('outbox_id', '=', entry.id)
          .execute(),
        deliveries: await db
          .selectFrom('deliveries')
          .selectAll()
          .where('id', '=', deliveryId)
          .execute(),
        attempts: await db
          .selectFrom('fax_attempts')
          .selectAll()
          .where('fax_id', '=', deliveryId)
          .execute(),
        faxes: await db.selectFrom('faxes').selectAll().where('id', '=', deliveryId).execute(),
        jobs: await db.selectFrom('jobs').select(['id', 'run_at']).orderBy('id').execute(),
      }
    }

    it('puts the entry in sending with one status change; a busy line and a second call add none', async () => {
      const two = anOutboxEntry(user.uid, {
        to: ['+4930222222', '+4930222222'],
        sendAtMs: T0,
        status: 'submitted',
      })
      const [first, second] = deliveriesOf(two)
      assert.ok(first && second)
      await world().store.outbox.create(two, [first, second], aRenderJob(two))
      assert.ok(await world().store.outbox.beginConverting(two.id, T0))
      const rendered = { documentKey: `outbox/${two.id}.tif`, pageCount: 1 }
      assert.ok(await world().store.outbox.finishConverting(two.id, rendered, T0))
      const changes = () =>
        world()
          .database()
          .selectFrom('outbox_status_changes')
          .select(['status', 'changed_at'])
          .where('outbox_id', '=', two.id)
          .orderBy('position')
          .execute()
      const scheduled = await changes()
      assert.equal(scheduled.at(-1)?.status, 'scheduled_for_sending')

      const call = began(await transmissions().beginCall(first.id, T0 + 5, LIMITS))
      const sending = await changes()
      assert.deepEqual(sending, [...scheduled, { status: 'sending', changed_at: T0 + 5 }])
      assert.equal(call.entry.status, 'sending')
      assert.deepEqual(call.entry.statusChanges.at(-1), { status: 'sending', atMs: T0 + 5 })

      // One call per destination: the second delivery's line is busy.
      assert.deepEqual(await transmissions().beginCall(second.id, T0 + 6, LIMITS), {
        lineBusy: 'destination',
        line: 'line:destination:+4930222222',
      })
      assert.deepEqual(await changes(), sending)
      const wider = { limits: { perDestination: 2, perSendingNumber: 4 } }
      const next = began(await transmissions().beginCall(second.id, T0 + 7, wider))
      assert.equal(next.entry.status, 'sending')
      assert.deepEqual(await changes(), sending)
      assert.deepEqual(next.entry.statusChanges, call.entry.statusChanges)
    })

    it('never answers gone for a call refused while a call on its line ends', async () => {
      // Calls on one line (limit 1) begun and ended in a tight loop by two stores at once: a
      // call's end takes no line lock, so it may free the line between a refused flag and the
      // read that says why. Each delivery must end up called; none may be given up as gone.
      const COUNT = 24
      const ids: string[] = []
      for (let n = 0; n < COUNT; n++) {
        const one = anOutboxEntry(user.uid, {
          to: ['+4930333333'],
          sendAtMs: T0,
          status: 'submitted',
        })
        const [delivery] = deliveriesOf(one)
        assert.ok(delivery)
        ids.push(delivery.id)
        await world().store.outbox.create(one, [delivery], aRenderJob(one))
        assert.ok(await world().store.outbox.beginConverting(one.id, T0))
        const rendered = { documentKey: `outbox/${one.id}.tif`, pageCount: 1 }
        assert.ok(await world().store.outbox.finishConverting(one.id, rendered, T0))
      }
      const stores = [world().store, await world().openAgain()]
      const limits = { limits: { perDestination: 1, perSendingNumber: 100 } }
      const pending = [...ids]
      const gone: string[] = []
      await Promise.all(
        stores.map(async (store) => {
          while (pending.length > 0) {
            const id = pending.shift() ?? ''
            const call = await store.transmissions.beginCall(id, T0 + 1, limits)
            if (call === 'gone') {
              gone.push(id)
            } else if ('lineBusy' in call) {
              pending.push(id)
              await new Promise((resolve) => setImmediate(resolve))
            } else {
              const record = aFaxRecord(user.uid, { id })
              const attempt = anAttempt(call, { status: 'success', pagesConfirmed: [1] })
              await store.transmissions.endCall(attempt, { kind: 'final', record }, T0 + 2, {
                fence: call.fence,
              })
            }
          }
        }),
      )
      assert.deepEqual(gone, [])
      const ended = await world().database().selectFrom('faxes').select('id').execute()
      assert.equal(ended.length, COUNT)
    })

    it('hands each hold on a call a newer fence: a new attempt, a take-over', async () => {
      const first = began(await transmissions().beginCall(deliveryId, T0, LIMITS))
      const taker = began(
        await transmissions().beginCall(deliveryId, T0 + 1, { ...LIMITS, takeOver: true }),
      )
      assert.ok(taker.interrupted, 'the take-over answers the open call')
      assert.equal(taker.attempt, first.attempt)
      assert.ok(taker.fence > first.fence)
      await transmissions().endCall(
        anAttempt(taker),
        { kind: 'retry', retryAtMs: T0 + 60_000, jobId: newId24() },
        T0 + 2,
        { fence: taker.fence },
      )
      const second = began(await transmissions().beginCall(deliveryId, T0 + 60_000, LIMITS))
      assert.equal(second.attempt, first.attempt + 1)
      assert.ok(second.fence > taker.fence)
    })

    it('refuses endCall from a worker whose call was taken over, and changes nothing', async () => {
      const stale = began(await transmissions().beginCall(deliveryId, T0, LIMITS))
      await transmissions().recordProgress(deliveryId, [1], stale.fence)
      const taker = began(
        await transmissions().beginCall(deliveryId, T0 + 1, { ...LIMITS, takeOver: true }),
      )
      assert.deepEqual(taker.interrupted?.pagesConfirmed, [1])
      const before = await rowsOfTheFax()
      for (const next of [
        { kind: 'retry', retryAtMs: T0 + 60_000, jobId: newId24() } as const,
        { kind: 'final', record: aFaxRecord(user.uid, { id: deliveryId }) } as const,
      ]) {
        await assert.rejects(
          transmissions().endCall(
            anAttempt(stale, { status: 'success', pagesConfirmed: [1, 2, 3] }),
            next,
            T0 + 30_000,
            {
              fence: stale.fence,
            },
          ),
          (error: unknown) => {
            assert.ok(error instanceof CallNotHeldError)
            assert.match(error.message, /another worker took it over/)
            return true
          },
        )
      }
      // Its late progress is not kept either.
      await transmissions().recordProgress(deliveryId, [1, 2], stale.fence, NEGOTIATED)
      assert.deepEqual(await rowsOfTheFax(), before)
      // The taker ends the call, as it stood.
      await transmissions().endCall(
        anAttempt(taker, { carrier: 'interrupted' }),
        { kind: 'retry', retryAtMs: T0 + 60_000, jobId: newId24() },
        T0 + 2,
        { fence: taker.fence },
      )
      const attempts = await transmissions().listAttempts(deliveryId)
      assert.deepEqual(
        attempts.map((a) => [a.attempt, a.carrier, a.pagesConfirmed]),
        [[1, 'interrupted', [1]]],
      )
    })

    it('refuses to end one hold twice', async () => {
      const call = began(await transmissions().beginCall(deliveryId, T0, LIMITS))
      const retry = { kind: 'retry', retryAtMs: T0 + 60_000, jobId: newId24() } as const
      await transmissions().endCall(anAttempt(call), retry, T0 + 1, { fence: call.fence })
      const before = await rowsOfTheFax()
      await assert.rejects(
        transmissions().endCall(anAttempt(call), { ...retry, jobId: newId24() }, T0 + 2, {
          fence: call.fence,
        }),
        (error: unknown) =>
          error instanceof CallNotHeldError && /already ended/.test(error.message),
      )
      assert.deepEqual(await rowsOfTheFax(), before)
    })

    it('answers a take-over what the call negotiated, as its newest hold kept it', async () => {
      const call = began(await transmissions().beginCall(deliveryId, T0, LIMITS))
      const first = { ...NEGOTIATED, bitRate: 14400 }
      // What was negotiated goes with the pages, in one write.
      await transmissions().recordProgress(deliveryId, [1], call.fence, first)
      // The machines agree anew (a slower rate after RTN): the newer values are kept.
      await transmissions().recordProgress(deliveryId, [1, 2], call.fence, NEGOTIATED)
      // A later write of pages alone keeps them.
      await transmissions().recordProgress(deliveryId, [1, 2, 3], call.fence)
      const taker = began(
        await transmissions().beginCall(deliveryId, T0 + 1, { ...LIMITS, takeOver: true }),
      )
      assert.deepEqual(
        [taker.interrupted?.negotiated, taker.interrupted?.pagesConfirmed],
        [NEGOTIATED, [1, 2, 3]],
      )
      // The stale hold's report changes nothing; the next take-over answers the same.
      await transmissions().recordProgress(deliveryId, [1], call.fence, first)
      const again = began(
        await transmissions().beginCall(deliveryId, T0 + 2, { ...LIMITS, takeOver: true }),
      )
      assert.deepEqual(
        [again.interrupted?.negotiated, again.interrupted?.pagesConfirmed],
        [NEGOTIATED, [1, 2, 3]],
      )
      await transmissions().endCall(
        anAttempt(again, {
          carrier: 'interrupted',
          remoteStationId: NEGOTIATED.remoteStationId,
          bitRate: NEGOTIATED.bitRate,
          coding: NEGOTIATED.coding,
          ecm: NEGOTIATED.ecm,
          resolution: 'standard',
        }),
        { kind: 'retry', retryAtMs: T0 + 60_000, jobId: newId24() },
        T0 + 3,
        { fence: again.fence },
      )
      const [attempt] = await transmissions().listAttempts(deliveryId)
      assert.deepEqual(
        [attempt?.remoteStationId, attempt?.bitRate, attempt?.coding, attempt?.ecm],
        ['+49 30 111111', 9600, 'mr', false],
      )
      assert.equal(attempt?.resolution, 'standard')
      // The next attempt starts knowing nothing of the last one's connection.
      began(await transmissions().beginCall(deliveryId, T0 + 60_000, LIMITS))
      const next = began(
        await transmissions().beginCall(deliveryId, T0 + 60_001, { ...LIMITS, takeOver: true }),
      )
      assert.equal(next.interrupted?.negotiated, null)
    })

    it("keeps the header line an attempt's pages carried", async () => {
      const call = began(await transmissions().beginCall(deliveryId, T0, LIMITS))
      const header = '2026-12-06 09:05 UTC  FROM: Zoë ✓ +15555550150  TO: +15555550100'
      await transmissions().endCall(
        anAttempt(call, { header }),
        { kind: 'retry', retryAtMs: T0 + 60_000, jobId: newId24() },
        T0 + 2,
        { fence: call.fence },
      )
      const [attempt] = await transmissions().listAttempts(deliveryId)
      assert.equal(attempt?.header, header)
    })

    it('keeps an attempt that never connected with nothing negotiated', async () => {
      const call = began(await transmissions().beginCall(deliveryId, T0, LIMITS))
      const taker = began(
        await transmissions().beginCall(deliveryId, T0 + 1, { ...LIMITS, takeOver: true }),
      )
      assert.equal(taker.interrupted?.negotiated, null)
      await transmissions().endCall(
        anAttempt(taker, { carrier: 'interrupted', pagesConfirmed: [] }),
        { kind: 'retry', retryAtMs: T0 + 60_000, jobId: newId24() },
        T0 + 2,
        { fence: taker.fence },
      )
      const [attempt] = await transmissions().listAttempts(deliveryId)
      assert.equal(attempt?.attempt, call.attempt)
      assert.deepEqual(
        [attempt?.remoteStationId, attempt?.bitRate, attempt?.coding, attempt?.ecm],
        [null, null, null, null],
      )
      assert.equal(attempt?.resolution, null)
    })

    it('keeps the progress of the hold that has the call', async () => {
      const call = began(await transmissions().beginCall(deliveryId, T0, LIMITS))
      await transmissions().recordProgress(deliveryId, [1, 2], call.fence)
      const [progress] = await transmissions().listProgress(entry.id)
      assert.deepEqual(progress?.call?.pagesConfirmed, [1, 2])
    })
  })
}
