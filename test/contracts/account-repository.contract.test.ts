/** Contract of AccountRepository, run on every storage engine. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { assertRejectsWithCode } from '../support/domain-error-assertions.js'
import { anAccount } from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

for (const engine of ENGINES) {
  describe(`${engine}: AccountRepository`, () => {
    const world = freshStoreForEachTest(engine)

    it('reads back every field of a stored account', async () => {
      const account = anAccount({ memberQuota: 250, memberRole: 'sales' })
      await world().store.accounts.create(account, 'scrypt$salt$key')
      assert.deepEqual(await world().store.accounts.get(account.uid), account)
    })

    it('reads back the empty and null parts of an account', async () => {
      const account = anAccount({
        phone: null,
        notifications: null,
        accountData: {},
        settings: {},
        profileImage: '',
      })
      await world().store.accounts.create(account, null)
      assert.deepEqual(await world().store.accounts.get(account.uid), account)
    })

    it('lists every account, oldest first', async () => {
      const later = anAccount({ createdAtMs: Date.UTC(2026, 5, 1) })
      const earlier = anAccount({ createdAtMs: Date.UTC(2025, 5, 1) })
      await world().store.accounts.create(later, null)
      await world().store.accounts.create(earlier, null)
      assert.deepEqual(await world().store.accounts.list(), [earlier, later])
    })

    it('answers null for an unknown uid', async () => {
      assert.equal(await world().store.accounts.get('0'.repeat(32)), null)
    })

    it('refuses a second account with the same email', async () => {
      const first = anAccount({ email: 'same@example.test' })
      const second = anAccount({ email: 'same@example.test', name: 'Other' })
      await world().store.accounts.create(first, null)
      await assertRejectsWithCode(world().store.accounts.create(second, null), 'email_taken')
      assert.equal(await world().store.accounts.get(second.uid), null)
      assert.deepEqual(await world().store.accounts.get(first.uid), first)
    })

    it('finds an account and its password hash by email', async () => {
      const withPassword = anAccount()
      const withoutPassword = anAccount()
      await world().store.accounts.create(withPassword, 'scrypt$salt$key')
      await world().store.accounts.create(withoutPassword, null)
      assert.deepEqual(await world().store.accounts.findSignIn(withPassword.email), {
        account: withPassword,
        passwordHash: 'scrypt$salt$key',
      })
      assert.deepEqual(await world().store.accounts.findSignIn(withoutPassword.email), {
        account: withoutPassword,
        passwordHash: null,
      })
      assert.equal(await world().store.accounts.findSignIn('nobody@example.test'), null)
    })

    it('lists the members of an admin, oldest first, and no one else', async () => {
      const admin = anAccount({ accountType: 'corporate_admin' })
      const otherAdmin = anAccount({ accountType: 'corporate_admin' })
      await world().store.accounts.create(admin, null)
      await world().store.accounts.create(otherAdmin, null)
      const later = anAccount({
        accountType: 'corporate_member',
        adminUid: admin.uid,
        createdAtMs: admin.createdAtMs + 2,
      })
      const earlier = anAccount({
        accountType: 'corporate_member',
        adminUid: admin.uid,
        createdAtMs: admin.createdAtMs + 1,
      })
      const stranger = anAccount({ accountType: 'corporate_member', adminUid: otherAdmin.uid })
      for (const member of [later, earlier, stranger]) {
        await world().store.accounts.create(member, null)
      }
      assert.deepEqual(await world().store.accounts.listMembers(admin.uid), [earlier, later])
      assert.deepEqual(await world().store.accounts.listMembers(later.uid), [])
    })

    it('refuses a member whose admin does not exist', async () => {
      const orphan = anAccount({ accountType: 'corporate_member', adminUid: 'f'.repeat(32) })
      await assert.rejects(world().store.accounts.create(orphan, null))
      assert.equal(await world().store.accounts.get(orphan.uid), null)
    })

    it('changes only the fields it is given', async () => {
      const account = anAccount()
      await world().store.accounts.create(account, 'hash')
      await world().store.accounts.update(account.uid, {
        name: 'Augusta',
        phone: null,
        settings: { language: 'en' },
        notifications: null,
      })
      assert.deepEqual(await world().store.accounts.get(account.uid), {
        ...account,
        name: 'Augusta',
        phone: null,
        settings: { language: 'en' },
        notifications: null,
      })
      assert.equal((await world().store.accounts.findSignIn(account.email))?.passwordHash, 'hash')
    })

    it('changes every changeable field', async () => {
      const account = anAccount({ notifications: null })
      await world().store.accounts.create(account, null)
      const changes = {
        email: 'new@example.test',
        name: 'N',
        lastname: 'L',
        phone: '+15551234567',
        profileImage: 'https://example.test/new.png',
        accountData: { company_name: 'New' },
        settings: { x: 1 },
        notifications: { y: [true] },
      }
      await world().store.accounts.update(account.uid, changes)
      assert.deepEqual(await world().store.accounts.get(account.uid), { ...account, ...changes })
      assert.equal(await world().store.accounts.findSignIn(account.email), null)
    })

    it('leaves an account as it was when given no changes', async () => {
      const account = anAccount()
      await world().store.accounts.create(account, null)
      await world().store.accounts.update(account.uid, {})
      assert.deepEqual(await world().store.accounts.get(account.uid), account)
    })

    it('refuses to change an email to one in use, and keeps the old one', async () => {
      const taken = anAccount()
      const account = anAccount()
      await world().store.accounts.create(taken, null)
      await world().store.accounts.create(account, null)
      await assertRejectsWithCode(
        world().store.accounts.update(account.uid, { email: taken.email, name: 'Changed' }),
        'email_taken',
      )
      assert.deepEqual(await world().store.accounts.get(account.uid), account)
    })

    it('lets an account keep its own email in an update', async () => {
      const account = anAccount()
      await world().store.accounts.create(account, null)
      await world().store.accounts.update(account.uid, { email: account.email, name: 'Same' })
      assert.equal((await world().store.accounts.get(account.uid))?.name, 'Same')
    })

    it('sets a member quota and role, each on its own', async () => {
      const admin = anAccount({ accountType: 'corporate_admin' })
      const member = anAccount({ accountType: 'corporate_member', adminUid: admin.uid })
      await world().store.accounts.create(admin, null)
      await world().store.accounts.create(member, null)
      await world().store.accounts.setMemberDetails(member.uid, { quota: 100 })
      assert.deepEqual(await world().store.accounts.get(member.uid), {
        ...member,
        memberQuota: 100,
      })
      await world().store.accounts.setMemberDetails(member.uid, { role: 'support' })
      assert.deepEqual(await world().store.accounts.get(member.uid), {
        ...member,
        memberQuota: 100,
        memberRole: 'support',
      })
      await world().store.accounts.setMemberDetails(member.uid, {})
      assert.equal((await world().store.accounts.get(member.uid))?.memberRole, 'support')
    })

    it('keeps accounts across a reopen of the database', async () => {
      const account = anAccount()
      await world().store.accounts.create(account, null)
      const reopened = await world().openAgain()
      assert.deepEqual(await reopened.accounts.get(account.uid), account)
    })
  })
}
