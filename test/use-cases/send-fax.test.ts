/**
 * sendFax below the API, where a test can hand it ports and a random source of its own. The
 * sending number of each destination is the random source's pick among the `from` numbers (the
 * number before any `*` post-dial digits). A from_fax that is missing or not the caller's is
 * `from_fax_not_found`, but a store that fails while looking it up is a failure of the store (a
 * 500, logged), not an answer about the fax. The store that fails is a real one, closed (its
 * accounts repository stands in for the open one's, for every account but the sender's). Both
 * engines.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createLogger } from '../../src/shared/logger.js'
import { createApp } from '../../src/api/create-app.js'
import { DomainError } from '../../src/domain/domain-error.js'
import { parseDialString, parseE164 } from '../../src/domain/fax-number.js'
import type { AccountRepository, Store } from '../../src/domain/ports.js'
import type { Actor, Services } from '../../src/use-cases/context.js'
import { type SendFaxRequest, sendFax } from '../../src/use-cases/send-fax.js'
import { aFaxRecord, aSendFaxRequest, aToken } from '../support/sample-records.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'
import { ENGINES, openTestStore } from '../support/test-database.js'

const FROM = '+15555550150'
const SECOND_FROM = '+15555550151'

function aRequest(overrides: Partial<SendFaxRequest> = {}): SendFaxRequest {
  return aSendFaxRequest({ from: FROM, ...overrides })
}

function actorOf(user: TestUser): Actor {
  return { account: user.account, token: aToken(user.account.uid), ip: '192.0.2.7' }
}

describe('parseDialString', () => {
  it('splits a number from the digits after its *s, and normalises the number to E.164', () => {
    assert.deepEqual(parseDialString('+15555550100*123'), {
      number: '+15555550100',
      postDialDigits: '123',
      text: '+15555550100*123',
    })
    assert.deepEqual(parseDialString('15555550100**42'), {
      number: '+15555550100',
      postDialDigits: '42',
      text: '+15555550100**42',
    })
    assert.deepEqual(parseDialString('+15555550100'), {
      number: '+15555550100',
      postDialDigits: '',
      text: '+15555550100',
    })
  })

  it('answers null for what the sendFax pattern refuses', () => {
    for (const bad of [
      '+1555555',
      '+15555550100*',
      '+15555550100**4*2',
      `+15555550100${'*'.repeat(11)}1`,
      '+1555555010a',
      '*123',
      '',
    ]) {
      assert.equal(parseDialString(bad), null, bad)
    }
  })
})

describe('parseE164', () => {
  it('answers a + and at least eight digits, else null', () => {
    assert.equal(parseE164(' 15555550100 '), '+15555550100')
    assert.equal(parseE164('+15555550100'), '+15555550100')
    assert.equal(parseE164('+1555555'), null)
    assert.equal(parseE164('+15555550100*1'), null)
  })
})

for (const engine of ENGINES) {
  describe(`${engine}: sendFax`, () => {
    let t: TestApp
    let sender: TestUser
    let stranger: TestUser
    let file: string
    /** The accounts repository of a store that has been closed: every call fails. */
    let closedAccounts: Store['accounts']

    before(async () => {
      t = await openTestApp(engine)
      sender = await t.user({ numbers: [FROM, SECOND_FROM] })
      stranger = await t.user()
      file = await t.upload(sender)
      const closed = await openTestStore(engine)
      await closed.cleanup()
      closedAccounts = closed.store.accounts
    })
    after(async () => t.close())

    /**
     * The test app's services, but looking every account other than the sender's up in the
     * closed store: the sender still signs in, the from_fax owner's lookup fails.
     */
    function failingAccounts(): Services {
      const open = t.services.store.accounts
      const accounts: AccountRepository = Object.create(open, {
        get: {
          value: (uid: string) =>
            uid === sender.account.uid ? open.get(uid) : closedAccounts.get(uid),
        },
      }) as AccountRepository
      return { ...t.services, store: { ...t.services.store, accounts } }
    }

    async function outboxOf(user: TestUser): Promise<number> {
      return (
        await t.services.store.outbox.listByUser(user.account.uid, { limit: 1000, after: null })
      ).entries.length
    }

    describe('the sending number of each destination', () => {
      it('is the one the random source picks, one draw per destination in the order of to', async () => {
        const draws = [0, 0.99, 0.5, 0.49]
        const to = ['+15555550101', '+15555550102', '+15555550103', '+15555550104']
        let calls = 0
        const random = (): number => draws[calls++] ?? assert.fail('more draws than destinations')
        const result = await sendFax(
          t.services,
          actorOf(sender),
          aRequest({ from: `${FROM},${SECOND_FROM}`, to, files: [file] }),
          random,
        )

        assert.equal(calls, to.length)
        const deliveries = await t.services.store.outbox.listDeliveries(result.outboxId)
        const fromOf = (destination: string): string | null | undefined =>
          deliveries.find((d) => d.id === result.ids?.[destination])?.fromNumber
        assert.deepEqual(to.map(fromOf), [FROM, SECOND_FROM, SECOND_FROM, FROM])
      })

      it('is the number before the post-dial digits of a from number', async () => {
        const result = await sendFax(
          t.services,
          actorOf(sender),
          aRequest({ from: `${SECOND_FROM}*123`, files: [file] }),
          () => 0,
        )
        const deliveries = await t.services.store.outbox.listDeliveries(result.outboxId)
        assert.deepEqual(
          deliveries.map((d) => d.fromNumber),
          [SECOND_FROM],
        )
      })

      it('is stored in E.164 when from has no +, as is each destination', async () => {
        const result = await sendFax(
          t.services,
          actorOf(sender),
          aRequest({ from: SECOND_FROM.slice(1), to: ['15555550100*12'], files: [file] }),
          () => 0,
        )
        assert.deepEqual(Object.keys(result.ids ?? {}), ['+15555550100*12'])
        const deliveries = await t.services.store.outbox.listDeliveries(result.outboxId)
        assert.deepEqual(
          deliveries.map((d) => [d.destination, d.fromNumber]),
          [
            [
              { number: '+15555550100', postDialDigits: '12', text: '+15555550100*12' },
              SECOND_FROM,
            ],
          ],
        )
        const entry = await t.services.store.outbox.get(result.outboxId)
        assert.deepEqual([entry?.from, entry?.to], [SECOND_FROM, ['+15555550100*12']])
      })

      it('follows the source: the same draws give the same numbers', async () => {
        const to = ['+15555550101', '+15555550102', '+15555550103']
        const send = async (draw: number) => {
          const result = await sendFax(
            t.services,
            actorOf(sender),
            aRequest({ from: `${SECOND_FROM},${FROM}`, to, files: [file] }),
            () => draw,
          )
          const deliveries = await t.services.store.outbox.listDeliveries(result.outboxId)
          return [...new Set(deliveries.map((d) => d.fromNumber))]
        }
        assert.deepEqual(await send(0.25), [SECOND_FROM])
        assert.deepEqual(await send(0.75), [FROM])
      })
    })

    describe('numbers that do not parse', () => {
      it('are invalid_from and invalid_to, as the API answers them, and nothing is written', async () => {
        const before = await outboxOf(sender)
        await assert.rejects(
          sendFax(t.services, actorOf(sender), aRequest({ from: '+1555', files: [file] })),
          (error) => error instanceof DomainError && error.code === 'invalid_from',
        )
        await assert.rejects(
          sendFax(t.services, actorOf(sender), aRequest({ to: ['+15555550100*'], files: [file] })),
          (error) => error instanceof DomainError && error.code === 'invalid_to',
        )
        assert.equal(await outboxOf(sender), before)
      })

      it('are the same destination when they are once normalised', async () => {
        await assert.rejects(
          sendFax(
            t.services,
            actorOf(sender),
            aRequest({ to: ['+15555550100', '15555550100'], files: [file] }),
          ),
          (error) => error instanceof DomainError && error.code === 'duplicate_destination',
        )
      })
    })

    describe('from_fax', () => {
      it('is from_fax_not_found when no such fax exists', async () => {
        const request = aRequest({
          fromFax: { faxId: 'aaaaaaaaaaaaaaaaaaaaaaaa', userId: 'self' },
        })
        await assert.rejects(
          sendFax(t.services, actorOf(sender), request),
          (error) => error instanceof DomainError && error.code === 'from_fax_not_found',
        )
      })

      it('is from_fax_not_found when its user_id is an account the caller may not act for', async () => {
        const fax = aFaxRecord(stranger.account.uid)
        await t.services.store.faxes.add(fax)
        const request = aRequest({ fromFax: { faxId: fax.id, userId: stranger.account.uid } })
        await assert.rejects(
          sendFax(t.services, actorOf(sender), request),
          (error) => error instanceof DomainError && error.code === 'from_fax_not_found',
        )
      })

      it("passes the store's own error on when looking up its user_id fails", async () => {
        const storeError: unknown = await closedAccounts.get(stranger.account.uid).then(
          () => assert.fail('a closed store answered'),
          (error: unknown) => error,
        )
        assert.ok(storeError instanceof Error)
        assert.ok(!(storeError instanceof DomainError))
        const before = await outboxOf(sender)

        const request = aRequest({
          fromFax: { faxId: 'aaaaaaaaaaaaaaaaaaaaaaaa', userId: stranger.account.uid },
        })
        await assert.rejects(sendFax(failingAccounts(), actorOf(sender), request), (error) => {
          assert.ok(!(error instanceof DomainError), `a DomainError: ${String(error)}`)
          assert.ok(error instanceof Error)
          assert.equal(error.constructor, storeError.constructor)
          assert.equal(error.message, storeError.message)
          return true
        })
        assert.equal(await outboxOf(sender), before)
      })

      it('answers a failing store with 500 over the API, and logs it', async () => {
        const logged: string[] = []
        const app = await createApp({
          services: failingAccounts(),
          logger: createLogger('error', { write: (line: string) => logged.push(line) }),
        })
        try {
          const response = await app.inject({
            method: 'POST',
            url: '/v3/accounts/self/outbox',
            headers: {
              authorization: `Bearer ${sender.token}`,
              'content-type': 'application/json',
            },
            payload: JSON.stringify({
              from: FROM,
              to: ['+15555550100'],
              files: [],
              from_fax: { fax_id: 'aaaaaaaaaaaaaaaaaaaaaaaa', user_id: stranger.account.uid },
            }),
          })
          assert.equal(response.statusCode, 500, response.body)
          assert.notEqual(response.json<{ error: string }>().error, 'from_fax_not_found')
          assert.equal(logged.length, 1, logged.join('\n'))
        } finally {
          await app.close()
        }
      })
    })
  })
}
