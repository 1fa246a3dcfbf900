/**
 * The test app's snapshot, which many tests use to prove that a refused request changed
 * nothing, itself: equal when nothing changed, different after one value changed, a row was
 * added or removed, or a file was stored, on both engines.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`the store snapshot of tests (${engine})`, () => {
    let t: TestApp
    let user: TestUser

    before(async () => {
      t = await openTestApp(engine)
      user = await t.user()
    })
    after(async () => t.close())

    it('is the same when nothing changed', async () => {
      assert.equal(await t.snapshot(), await t.snapshot())
    })

    it('differs after one value of one row changed, even to a value of the same length', async () => {
      const before = await t.snapshot()
      await t.testStore
        .database()
        .updateTable('accounts')
        .set({ name: 'Ann' })
        .where('uid', '=', user.account.uid)
        .execute()
      const changed = await t.snapshot()
      assert.notEqual(changed, before)
      await t.testStore
        .database()
        .updateTable('accounts')
        .set({ name: 'Bob' })
        .where('uid', '=', user.account.uid)
        .execute()
      assert.notEqual(await t.snapshot(), changed)
    })

    it('differs after a row was added, and again after it was removed', async () => {
      const before = await t.snapshot()
      const token = await t.token(user.account.uid)
      const added = await t.snapshot()
      assert.notEqual(added, before)
      await t.testStore
        .database()
        .deleteFrom('access_tokens')
        .where('uid', '=', user.account.uid)
        .execute()
      assert.notEqual(await t.snapshot(), added)
      assert.ok(token)
    })

    it('differs after a file was stored', async () => {
      const before = await t.snapshot()
      await writeFile(join(t.filesDir, 'stray'), 'x')
      assert.notEqual(await t.snapshot(), before)
    })
  })
}
