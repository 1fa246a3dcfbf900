/** Contract of OAuthRepository, run on every storage engine. */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import type { Account } from '../../src/domain/account.js'
import type { OAuthClient } from '../../src/domain/credentials.js'
import { anAccount, anAuthorizationCode, anOAuthClient } from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

for (const engine of ENGINES) {
  describe(`${engine}: OAuthRepository`, () => {
    const world = freshStoreForEachTest(engine)
    let developer: Account
    let user: Account
    let client: OAuthClient
    beforeEach(async () => {
      developer = anAccount()
      user = anAccount()
      client = anOAuthClient(developer.uid)
      await world().store.accounts.create(developer, null)
      await world().store.accounts.create(user, null)
      await world().store.oauth.createClient(client, 'client-secret-hash')
    })

    it('reads back a client and the hash of its secret', async () => {
      assert.deepEqual(await world().store.oauth.getClient(client.clientId), {
        client,
        secretHash: 'client-secret-hash',
      })
    })

    it('answers null for an unknown client', async () => {
      assert.equal(await world().store.oauth.getClient('unknown'), null)
    })

    it('refuses a second client with the same id', async () => {
      const copy = anOAuthClient(user.uid, { clientId: client.clientId })
      await assert.rejects(world().store.oauth.createClient(copy, 'other'))
      assert.equal(
        (await world().store.oauth.getClient(client.clientId))?.client.uid,
        developer.uid,
      )
    })

    it('hands out a code once, every field intact, and null afterwards', async () => {
      const code = anAuthorizationCode(client, user.uid)
      await world().store.oauth.createCode('code-hash', code)
      assert.deepEqual(await world().store.oauth.consumeCode('code-hash', client.clientId), code)
      assert.equal(await world().store.oauth.consumeCode('code-hash', client.clientId), null)
    })

    it('hands out a code to only one of two simultaneous consumers', async () => {
      await world().store.oauth.createCode('code-hash', anAuthorizationCode(client, user.uid))
      const results = await Promise.all([
        world().store.oauth.consumeCode('code-hash', client.clientId),
        world().store.oauth.consumeCode('code-hash', client.clientId),
      ])
      assert.equal(results.filter((code) => code !== null).length, 1)
    })

    it('neither answers nor uses up a code for another client', async () => {
      const code = anAuthorizationCode(client, user.uid)
      await world().store.oauth.createCode('code-hash', code)
      assert.equal(await world().store.oauth.consumeCode('code-hash', 'APIK-someone-else'), null)
      assert.deepEqual(await world().store.oauth.consumeCode('code-hash', client.clientId), code)
    })

    it('answers null for an unknown code', async () => {
      assert.equal(await world().store.oauth.consumeCode('unknown', client.clientId), null)
    })

    it('hands out an expired code too, leaving the expiry check to the caller', async () => {
      const expired = anAuthorizationCode(client, user.uid, { expiresAtMs: 1 })
      await world().store.oauth.createCode('expired-hash', expired)
      assert.deepEqual(
        await world().store.oauth.consumeCode('expired-hash', client.clientId),
        expired,
      )
    })

    it('keeps codes apart: consuming one leaves the other', async () => {
      const first = anAuthorizationCode(client, user.uid, { scope: 'first' })
      const second = anAuthorizationCode(client, user.uid, { scope: 'second' })
      await world().store.oauth.createCode('first-hash', first)
      await world().store.oauth.createCode('second-hash', second)
      assert.deepEqual(await world().store.oauth.consumeCode('first-hash', client.clientId), first)
      assert.deepEqual(
        await world().store.oauth.consumeCode('second-hash', client.clientId),
        second,
      )
    })
  })
}
