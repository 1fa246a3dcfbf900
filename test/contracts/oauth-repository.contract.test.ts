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

    it('keeps every field of a client: name, homepage and its redirect URIs in order', async () => {
      const full = anOAuthClient(developer.uid, {
        name: 'Ünïcode app ✓',
        homepage: 'https://app.example.test/',
        redirectUris: ['https://b.example.test/cb', 'com.example.app:/cb', 'http://127.0.0.1/cb'],
      })
      await world().store.oauth.createClient(full, 'hash')
      assert.deepEqual((await world().store.oauth.getClient(full.clientId))?.client, full)
    })

    it('keeps a public client without a secret, and one that belongs to no account', async () => {
      const browserApp = anOAuthClient(developer.uid, { type: 'public' })
      const servers = anOAuthClient(developer.uid, { type: 'public', uid: null })
      await world().store.oauth.createClient(browserApp, null)
      await world().store.oauth.createClient(servers, null)
      assert.deepEqual(await world().store.oauth.getClient(browserApp.clientId), {
        client: browserApp,
        secretHash: null,
      })
      assert.deepEqual(await world().store.oauth.getClient(servers.clientId), {
        client: servers,
        secretHash: null,
      })
    })

    it('refuses a public client with a secret hash, and a confidential one without', async () => {
      const publicWithSecret = anOAuthClient(developer.uid, { type: 'public' })
      await assert.rejects(world().store.oauth.createClient(publicWithSecret, 'hash'))
      const confidentialWithout = anOAuthClient(developer.uid)
      await assert.rejects(world().store.oauth.createClient(confidentialWithout, null))
      assert.equal(await world().store.oauth.getClient(publicWithSecret.clientId), null)
      assert.equal(await world().store.oauth.getClient(confidentialWithout.clientId), null)
    })

    it('saves a client: adds it, then changes all but its creation time, its codes kept', async () => {
      const first = anOAuthClient(developer.uid, { type: 'public', uid: null })
      await world().store.oauth.saveClient(first, null)
      assert.deepEqual((await world().store.oauth.getClient(first.clientId))?.client, first)
      await world().store.oauth.createCode('console-code', anAuthorizationCode(first, user.uid))
      const changed = {
        ...first,
        name: 'Renamed',
        redirectUris: ['https://console.example.test/'],
        createdAtMs: first.createdAtMs + 1000,
      }
      await world().store.oauth.saveClient(changed, null)
      assert.deepEqual((await world().store.oauth.getClient(first.clientId))?.client, {
        ...changed,
        createdAtMs: first.createdAtMs,
      })
      assert.notEqual(await world().store.oauth.findCode('console-code', first.clientId), null)
    })

    it('finds a code, every field intact (the PKCE challenge too), unused until it is used up once', async () => {
      const code = anAuthorizationCode(client, user.uid, {
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        scope: 'fax:fax:read fax:fax:edit',
      })
      await world().store.oauth.createCode('code-hash', code)
      const store = world().store.oauth
      assert.deepEqual(await store.findCode('code-hash', client.clientId), { code, used: false })
      assert.equal(await store.consumeCode('code-hash', client.clientId), true)
      assert.equal(await store.consumeCode('code-hash', client.clientId), false)
      assert.deepEqual(await store.findCode('code-hash', client.clientId), { code, used: true })
    })

    it('lets only one of two simultaneous consumers use a code up', async () => {
      await world().store.oauth.createCode('code-hash', anAuthorizationCode(client, user.uid))
      const results = await Promise.all([
        world().store.oauth.consumeCode('code-hash', client.clientId),
        world().store.oauth.consumeCode('code-hash', client.clientId),
      ])
      assert.deepEqual(results.sort(), [false, true])
    })

    it('neither finds nor uses up a code for another client', async () => {
      const code = anAuthorizationCode(client, user.uid)
      await world().store.oauth.createCode('code-hash', code)
      const store = world().store.oauth
      assert.equal(await store.findCode('code-hash', 'APIK-someone-else'), null)
      assert.equal(await store.consumeCode('code-hash', 'APIK-someone-else'), false)
      assert.equal(await store.consumeCode('code-hash', client.clientId), true)
    })

    it('finds no unknown code, and uses up none', async () => {
      assert.equal(await world().store.oauth.findCode('unknown', client.clientId), null)
      assert.equal(await world().store.oauth.consumeCode('unknown', client.clientId), false)
    })

    it('uses up an expired code too, leaving the expiry check to the caller', async () => {
      const expired = anAuthorizationCode(client, user.uid, { expiresAtMs: 1 })
      await world().store.oauth.createCode('expired-hash', expired)
      assert.equal(await world().store.oauth.consumeCode('expired-hash', client.clientId), true)
    })

    it('keeps codes apart: using one up leaves the other', async () => {
      const first = anAuthorizationCode(client, user.uid, { scope: 'first' })
      const second = anAuthorizationCode(client, user.uid, { scope: 'second' })
      await world().store.oauth.createCode('first-hash', first)
      await world().store.oauth.createCode('second-hash', second)
      assert.equal(await world().store.oauth.consumeCode('first-hash', client.clientId), true)
      assert.deepEqual(await world().store.oauth.findCode('second-hash', client.clientId), {
        code: second,
        used: false,
      })
    })
  })
}
