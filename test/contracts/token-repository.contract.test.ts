/** Contract of TokenRepository, run on every storage engine. */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import type { Account } from '../../src/domain/account.js'
import type { AccessToken, OAuthClient } from '../../src/domain/credentials.js'
import { anAccount, anOAuthClient, aToken } from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

for (const engine of ENGINES) {
  describe(`${engine}: TokenRepository`, () => {
    const world = freshStoreForEachTest(engine)
    let user: Account
    let client: OAuthClient
    let refresh: AccessToken
    beforeEach(async () => {
      user = anAccount()
      client = anOAuthClient(user.uid)
      await world().store.accounts.create(user, null)
      await world().store.oauth.createClient(client, 'client-secret-hash')
      refresh = oauthToken('oauth_refresh')
      await world().store.tokens.create({ token: refresh, secretHash: 'refresh-hash' })
    })

    function oauthToken(kind: 'oauth_access' | 'oauth_refresh'): AccessToken {
      return aToken(user.uid, {
        kind,
        clientId: client.clientId,
        scopes: ['all'],
        expiresAtMs: Date.UTC(2026, 0, 1, 1),
      })
    }

    it('finds a stored token by the hash of its secret, every field intact', async () => {
      const personal = aToken(user.uid)
      await world().store.tokens.create({ token: personal, secretHash: 'personal-hash' })
      assert.deepEqual(await world().store.tokens.findBySecretHash('personal-hash'), personal)
      assert.deepEqual(await world().store.tokens.findBySecretHash('refresh-hash'), refresh)
    })

    it("lists an account's tokens newest first, and revokes one by its id, once", async () => {
      const older = aToken(user.uid, { createdAtMs: Date.UTC(2025, 0, 1) })
      const newer = aToken(user.uid, { createdAtMs: Date.UTC(2026, 5, 1) })
      const someoneElse = anAccount()
      await world().store.accounts.create(someoneElse, null)
      await world().store.tokens.create(
        { token: older, secretHash: 'older-hash' },
        { token: newer, secretHash: 'newer-hash' },
        { token: aToken(someoneElse.uid), secretHash: 'other-hash' },
      )
      const listed = await world().store.tokens.listOf(user.uid)
      // The refresh token of beforeEach was made on 2026-01-01, between the two.
      assert.deepEqual(
        listed.map((token) => token.id),
        [newer.id, refresh.id, older.id],
      )
      assert.deepEqual(listed[0], newer)
      const at = Date.UTC(2026, 6, 1)
      assert.equal(await world().store.tokens.revoke(older.id, at), true)
      assert.equal(await world().store.tokens.revoke(older.id, at + 1), false, 'once')
      assert.equal(await world().store.tokens.revoke('no-such-token', at), false)
      const revoked = await world().store.tokens.findBearer('older-hash')
      assert.equal(revoked?.token.revokedAtMs, at)
      assert.equal((await world().store.tokens.findBearer('newer-hash'))?.token.revokedAtMs, null)
    })

    it('reads back a revoked token with no scopes', async () => {
      const token = aToken(user.uid, { scopes: [], revokedAtMs: Date.UTC(2026, 0, 2) })
      await world().store.tokens.create({ token: token, secretHash: 'revoked-hash' })
      assert.deepEqual(await world().store.tokens.findBySecretHash('revoked-hash'), token)
    })

    it('stores tokens given together all or none', async () => {
      const access = oauthToken('oauth_access')
      const clash = aToken(user.uid)
      await assert.rejects(
        world().store.tokens.create(
          { token: access, secretHash: 'access-hash' },
          { token: clash, secretHash: 'refresh-hash' },
        ),
      )
      assert.equal(await world().store.tokens.findBySecretHash('access-hash'), null)
    })

    it('finds a bearer with its account, as they are after each change', async () => {
      const personal = aToken(user.uid)
      await world().store.tokens.create({ token: personal, secretHash: 'personal-hash' })
      assert.deepEqual(await world().store.tokens.findBearer('personal-hash'), {
        token: personal,
        account: user,
      })
      assert.deepEqual(await world().store.tokens.findBearer('personal-hash'), {
        token: personal,
        account: user,
      })
      await world().store.accounts.update(user.uid, { name: 'Renamed' })
      const renamed = await world().store.tokens.findBearer('personal-hash')
      assert.equal(renamed?.account.name, 'Renamed')
      assert.equal(await world().store.tokens.replace(personal.id, 5, []), true)
      const revoked = await world().store.tokens.findBearer('personal-hash')
      assert.equal(revoked?.token.revokedAtMs, 5)
      assert.equal(await world().store.tokens.findBearer('unknown'), null)
    })

    it('answers null for an unknown secret hash', async () => {
      assert.equal(await world().store.tokens.findBySecretHash('unknown'), null)
    })

    it('refuses two tokens with the same secret hash', async () => {
      const token = aToken(user.uid)
      await assert.rejects(
        world().store.tokens.create({ token: token, secretHash: 'refresh-hash' }),
      )
      assert.deepEqual(await world().store.tokens.findBySecretHash('refresh-hash'), refresh)
    })

    it('revokes the old token and stores the new ones', async () => {
      const access = oauthToken('oauth_access')
      const nextRefresh = oauthToken('oauth_refresh')
      const atMs = Date.UTC(2026, 0, 1, 0, 30)
      const replaced = await world().store.tokens.replace(refresh.id, atMs, [
        { token: access, secretHash: 'access-hash' },
        { token: nextRefresh, secretHash: 'next-refresh-hash' },
      ])
      assert.equal(replaced, true)
      assert.deepEqual(await world().store.tokens.findBySecretHash('refresh-hash'), {
        ...refresh,
        revokedAtMs: atMs,
      })
      assert.deepEqual(await world().store.tokens.findBySecretHash('access-hash'), access)
      assert.deepEqual(
        await world().store.tokens.findBySecretHash('next-refresh-hash'),
        nextRefresh,
      )
    })

    it('replaces a token once: the second replace answers false and stores nothing', async () => {
      const first = oauthToken('oauth_access')
      assert.equal(
        await world().store.tokens.replace(refresh.id, 1, [{ token: first, secretHash: 'first' }]),
        true,
      )
      const second = oauthToken('oauth_access')
      assert.equal(
        await world().store.tokens.replace(refresh.id, 2, [
          { token: second, secretHash: 'second' },
        ]),
        false,
      )
      assert.equal(await world().store.tokens.findBySecretHash('second'), null)
      assert.equal((await world().store.tokens.findBySecretHash('refresh-hash'))?.revokedAtMs, 1)
    })

    it('lets only one of two simultaneous replaces win', async () => {
      const results = await Promise.all(
        ['a', 'b'].map((name) =>
          world().store.tokens.replace(refresh.id, 5, [
            { token: oauthToken('oauth_access'), secretHash: `access-${name}` },
          ]),
        ),
      )
      assert.deepEqual(results.sort(), [false, true])
      const stored = await Promise.all(
        ['a', 'b'].map((name) => world().store.tokens.findBySecretHash(`access-${name}`)),
      )
      assert.equal(stored.filter((token) => token !== null).length, 1)
    })

    it('does not replace a token revoked when it was stored', async () => {
      const revoked = aToken(user.uid, { revokedAtMs: 1 })
      await world().store.tokens.create({ token: revoked, secretHash: 'revoked-hash' })
      const next = aToken(user.uid)
      assert.equal(
        await world().store.tokens.replace(revoked.id, 9, [{ token: next, secretHash: 'next' }]),
        false,
      )
      assert.equal(await world().store.tokens.findBySecretHash('next'), null)
      assert.equal((await world().store.tokens.findBySecretHash('revoked-hash'))?.revokedAtMs, 1)
    })

    it('does not replace an unknown token', async () => {
      const next = aToken(user.uid)
      assert.equal(
        await world().store.tokens.replace('0'.repeat(24), 9, [
          { token: next, secretHash: 'next' },
        ]),
        false,
      )
      assert.equal(await world().store.tokens.findBySecretHash('next'), null)
    })

    it('keeps the old token valid when the new tokens cannot be stored', async () => {
      const clashing = oauthToken('oauth_access')
      await assert.rejects(
        world().store.tokens.replace(refresh.id, 9, [
          { token: clashing, secretHash: 'refresh-hash' },
        ]),
      )
      assert.equal((await world().store.tokens.findBySecretHash('refresh-hash'))?.revokedAtMs, null)
    })

    it('revokes a whole family at once, and nothing of another family or already revoked', async () => {
      const tokens = world().store.tokens
      const member = (familyId: string, revokedAtMs: number | null = null) =>
        aToken(user.uid, { kind: 'oauth_access', clientId: client.clientId, familyId, revokedAtMs })
      const family = [member('family-a'), member('family-a'), member('family-a', 3)]
      const other = member('family-b')
      await tokens.create(...family.map((token, i) => ({ token, secretHash: `a${i}` })), {
        token: other,
        secretHash: 'b',
      })
      assert.equal(await tokens.revokeFamily('family-a', 7), 2)
      assert.deepEqual(
        await Promise.all(
          ['a0', 'a1', 'a2', 'b'].map(async (h) => (await tokens.findBySecretHash(h))?.revokedAtMs),
        ),
        [7, 7, 3, null],
      )
      assert.equal(await tokens.revokeFamily('family-a', 8), 0)
    })

    it('keeps the family of a token', async () => {
      const token = aToken(user.uid, {
        kind: 'oauth_refresh',
        clientId: client.clientId,
        familyId: 'f1',
      })
      await world().store.tokens.create({ token, secretHash: 'family-hash' })
      assert.equal((await world().store.tokens.findBySecretHash('family-hash'))?.familyId, 'f1')
    })
  })
}
