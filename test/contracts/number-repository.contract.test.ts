/** Contract of NumberRepository, run on every storage engine. */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import type { Account } from '../../src/domain/account.js'
import { asE164 } from '../../src/domain/fax-number.js'
import { assertRejectsWithCode } from '../support/domain-error-assertions.js'
import { aFaxNumber, anAccount } from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

for (const engine of ENGINES) {
  describe(`${engine}: NumberRepository`, () => {
    const world = freshStoreForEachTest(engine)
    let owner: Account
    let alice: Account
    let bob: Account
    beforeEach(async () => {
      owner = anAccount({ accountType: 'corporate_admin' })
      alice = anAccount({ accountType: 'corporate_member', adminUid: owner.uid })
      bob = anAccount({ accountType: 'corporate_member', adminUid: owner.uid })
      for (const account of [owner, alice, bob]) {
        await world().store.accounts.create(account, null)
      }
    })

    it('reads back every field of a stored number, by its digits', async () => {
      const number = aFaxNumber(owner.uid, {
        status: 'waiting_verification',
        assignedTo: [alice.uid, bob.uid].sort(),
        isCanceled: true,
      })
      await world().store.numbers.add(number)
      assert.deepEqual(await world().store.numbers.get(number.number), number)
    })

    it('lists every number of the server in number order, each with its assignees', async () => {
      const other = anAccount()
      await world().store.accounts.create(other, null)
      const first = aFaxNumber(owner.uid, { assignedTo: [alice.uid, bob.uid].sort() })
      const second = aFaxNumber(other.uid)
      await world().store.numbers.add(second)
      await world().store.numbers.add(first)
      const expected = [first, second].sort((a, b) => a.number.localeCompare(b.number))
      assert.deepEqual(await world().store.numbers.listAll(), expected)
    })

    it('reads back a number without assignments or expiry', async () => {
      const number = aFaxNumber(owner.uid, { expiresAtMs: null })
      await world().store.numbers.add(number)
      assert.deepEqual(await world().store.numbers.get(number.number), number)
    })

    it('answers null for an unknown number', async () => {
      assert.equal(await world().store.numbers.get(asE164('+15559999999')), null)
    })

    it('refuses a second number with the same digits', async () => {
      const first = aFaxNumber(owner.uid)
      const second = aFaxNumber(alice.uid, { number: first.number })
      await world().store.numbers.add(first)
      await assertRejectsWithCode(world().store.numbers.add(second), 'number_taken')
      assert.deepEqual(await world().store.numbers.listOwnedBy(alice.uid), [])
      assert.deepEqual(await world().store.numbers.get(first.number), first)
    })

    it('stores nothing of a number whose assignment cannot be stored', async () => {
      const number = aFaxNumber(owner.uid, { assignedTo: ['f'.repeat(32)] })
      await assert.rejects(world().store.numbers.add(number))
      assert.equal(await world().store.numbers.get(number.number), null)
    })

    it('lists the numbers a user owns, with their assignments, and no others', async () => {
      const first = aFaxNumber(owner.uid, { assignedTo: [alice.uid] })
      const second = aFaxNumber(owner.uid)
      await world().store.numbers.add(second)
      await world().store.numbers.add(first)
      await world().store.numbers.add(aFaxNumber(bob.uid))
      const owned = await world().store.numbers.listOwnedBy(owner.uid)
      assert.deepEqual(
        owned,
        [first, second].sort((a, b) => a.number.localeCompare(b.number)),
      )
      assert.deepEqual(await world().store.numbers.listOwnedBy(alice.uid), [])
    })

    it('assigns a number to a user, once however often asked', async () => {
      const number = aFaxNumber(owner.uid)
      await world().store.numbers.add(number)
      await world().store.numbers.assign(number.id, alice.uid)
      await world().store.numbers.assign(number.id, alice.uid)
      const assigned = { ...number, assignedTo: [alice.uid] }
      assert.deepEqual(await world().store.numbers.get(number.number), assigned)
      assert.deepEqual(await world().store.numbers.listAssignedTo(alice.uid), [assigned])
      assert.deepEqual(await world().store.numbers.listAssignedTo(bob.uid), [])
    })

    it('lists every user a number is assigned to, for each of them', async () => {
      const number = aFaxNumber(owner.uid)
      await world().store.numbers.add(number)
      await world().store.numbers.assign(number.id, bob.uid)
      await world().store.numbers.assign(number.id, alice.uid)
      const assigned = { ...number, assignedTo: [alice.uid, bob.uid].sort() }
      assert.deepEqual(await world().store.numbers.listAssignedTo(alice.uid), [assigned])
      assert.deepEqual(await world().store.numbers.listAssignedTo(bob.uid), [assigned])
    })

    it('revokes one user and keeps the others', async () => {
      const number = aFaxNumber(owner.uid, { assignedTo: [alice.uid, bob.uid].sort() })
      await world().store.numbers.add(number)
      await world().store.numbers.revoke(number.id, alice.uid)
      assert.deepEqual((await world().store.numbers.get(number.number))?.assignedTo, [bob.uid])
      assert.deepEqual(await world().store.numbers.listAssignedTo(alice.uid), [])
      await world().store.numbers.revoke(number.id, alice.uid)
      assert.deepEqual((await world().store.numbers.get(number.number))?.assignedTo, [bob.uid])
    })
  })
}
