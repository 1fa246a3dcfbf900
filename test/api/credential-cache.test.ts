/**
 * The credential cache (src/storage/sql/credential-cache.ts) never answers with what changed:
 * on each engine, a token revoked, an account suspended or a number taken away from a member
 * by another process (a second handle on the same database, as the operator's CLI or another
 * API process would have) fails on the very next request of a client whose lookups the API
 * had just answered from memory. The same holds for changes the API makes itself. A number
 * that is not ours is remembered as not ours, until another process adds it.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { E164 } from '../../src/domain/fax-number.js'
import { sha256Hex } from '../../src/shared/secrets.js'
import { aFaxNumber } from '../support/sample-records.js'
import { ENGINES } from '../support/test-database.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

let numbers = 0
/** A number no other test of the file has used. */
function aNewNumber(): E164 {
  numbers += 1
  return `+1555555${String(numbers).padStart(4, '0')}` as E164
}

for (const engine of ENGINES) {
  describe(`${engine}: the credential cache`, () => {
    let t: TestApp

    // One app for the file: each test makes its own users and its own number.
    before(async () => {
      t = await openTestApp(engine)
    })
    after(async () => {
      await t.close()
    })

    /** Two requests, so that the second is answered from the cache. */
    async function accountAnswersTwice(user: TestUser): Promise<void> {
      for (let i = 0; i < 2; i += 1) {
        const answer = await t.request('GET', '/v3/accounts/self', { token: user.token })
        assert.equal(answer.statusCode, 200, answer.body)
      }
    }

    it('a token revoked by another process is refused on its next request', async () => {
      const user = await t.user()
      await accountAnswersTwice(user)
      await t.testStore
        .database()
        .updateTable('access_tokens')
        .set({ revoked_at: t.clock.now() })
        .where('secret_hash', '=', sha256Hex(user.token))
        .execute()
      const refused = await t.request('GET', '/v3/accounts/self', { token: user.token })
      assert.equal(refused.statusCode, 401, refused.body)
      assert.equal(refused.json<{ error: string }>().error, 'invalid_token')
    })

    it('an account suspended by another process is refused on its next request', async () => {
      const user = await t.user()
      await accountAnswersTwice(user)
      await t.testStore
        .database()
        .updateTable('accounts')
        .set({ status: 'suspended' })
        .where('uid', '=', user.account.uid)
        .execute()
      const refused = await t.request('GET', '/v3/accounts/self', { token: user.token })
      assert.equal(refused.json<{ error: string }>().error, 'account_inactive', refused.body)
    })

    it('a token deleted by another process is refused on its next request', async () => {
      const user = await t.user()
      await accountAnswersTwice(user)
      await t.testStore
        .database()
        .deleteFrom('access_tokens')
        .where('secret_hash', '=', sha256Hex(user.token))
        .execute()
      const refused = await t.request('GET', '/v3/accounts/self', { token: user.token })
      assert.equal(refused.statusCode, 401, refused.body)
    })

    it('a number that was not ours is found on the next lookup after another process adds it', async () => {
      const admin = await t.user({ type: 'corporate_admin' })
      const number = aFaxNumber(admin.account.uid, { number: aNewNumber() })
      const numbers = t.testStore.store.numbers
      assert.equal(await numbers.get(number.number), null)
      assert.equal(await numbers.get(number.number), null, 'its absence, from memory')
      const other = await t.testStore.openAgain()
      await other.numbers.add(number)
      assert.equal((await numbers.get(number.number))?.id, number.id)
    })

    describe('a number taken away from a member', () => {
      let admin: TestUser
      let member: TestUser
      let file: string
      let fromNumber: E164

      beforeEach(async () => {
        fromNumber = aNewNumber()
        admin = await t.user({ type: 'corporate_admin', numbers: [fromNumber] })
        member = await t.user({ adminUid: admin.account.uid })
        const assigned = await t.request(
          'PUT',
          `/v3/accounts/self/numbers/${encodeURIComponent(fromNumber)}`,
          { token: admin.token, body: { assigned_to: member.account.uid } },
        )
        assert.ok(assigned.statusCode < 300, assigned.body)
        file = await t.upload(member)
      })

      async function sendFrom(): Promise<{ statusCode: number; body: string }> {
        return t.request('POST', '/v3/accounts/self/outbox', {
          token: member.token,
          body: { from: fromNumber, to: ['+15555550199'], files: [file] },
        })
      }

      async function assertRefused(): Promise<void> {
        const refused = await sendFrom()
        assert.equal(refused.statusCode, 400, refused.body)
        assert.equal(JSON.parse(refused.body).error, 'invalid_from_number')
      }

      it('by another process can no longer be used as `from` on the next request', async () => {
        for (let i = 0; i < 2; i += 1) {
          const sent = await sendFrom()
          assert.equal(sent.statusCode, 201, sent.body)
        }
        const other = await t.testStore.openAgain()
        const number = await other.numbers.get(fromNumber)
        assert.ok(number)
        await other.numbers.revoke(number.id, member.account.uid)
        await assertRefused()
      })

      it('through the API can no longer be used as `from` on the next request', async () => {
        for (let i = 0; i < 2; i += 1) {
          const sent = await sendFrom()
          assert.equal(sent.statusCode, 201, sent.body)
        }
        const revoked = await t.request(
          'DELETE',
          `/v3/accounts/${member.account.uid}/numbers/${encodeURIComponent(fromNumber)}`,
          { token: admin.token },
        )
        assert.ok(revoked.statusCode < 300, revoked.body)
        await assertRefused()
      })
    })
  })
}
