/** Contract of WebhookRepository, run on every storage engine. */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import type { Account } from '../../src/domain/account.js'
import { anAccount, aWebhook } from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

for (const engine of ENGINES) {
  describe(`${engine}: WebhookRepository`, () => {
    const world = freshStoreForEachTest(engine)
    let user: Account
    let other: Account
    beforeEach(async () => {
      user = anAccount()
      other = anAccount()
      await world().store.accounts.create(user, null)
      await world().store.accounts.create(other, null)
    })

    it('reads back every field of a webhook', async () => {
      const webhook = aWebhook(user.uid, { event: 'fax_sent' })
      await world().store.webhooks.add(webhook)
      assert.deepEqual(await world().store.webhooks.get(webhook.id), webhook)
    })

    it('answers null for an unknown webhook', async () => {
      assert.equal(await world().store.webhooks.get('0'.repeat(24)), null)
    })

    it("lists a user's webhooks for one event, oldest first", async () => {
      const newer = aWebhook(user.uid, { createdAtMs: 2 })
      const older = aWebhook(user.uid, { createdAtMs: 1 })
      const otherEvent = aWebhook(user.uid, { event: 'fax_sent' })
      const otherUser = aWebhook(other.uid)
      for (const webhook of [newer, older, otherEvent, otherUser]) {
        await world().store.webhooks.add(webhook)
      }
      assert.deepEqual(await world().store.webhooks.list(user.uid, 'fax_received'), [older, newer])
      assert.deepEqual(await world().store.webhooks.list(user.uid, 'fax_sent'), [otherEvent])
      assert.deepEqual(await world().store.webhooks.list(other.uid, 'fax_sent'), [])
    })

    it('deletes one webhook and keeps the others', async () => {
      const gone = aWebhook(user.uid)
      const kept = aWebhook(user.uid)
      await world().store.webhooks.add(gone)
      await world().store.webhooks.add(kept)
      await world().store.webhooks.delete(gone.id)
      assert.equal(await world().store.webhooks.get(gone.id), null)
      assert.deepEqual(await world().store.webhooks.list(user.uid, 'fax_received'), [kept])
      await world().store.webhooks.delete(gone.id)
    })
  })
}
