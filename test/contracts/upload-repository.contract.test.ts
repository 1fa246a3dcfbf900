/** Contract of UploadRepository, run on every storage engine. */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import type { Account } from '../../src/domain/account.js'
import { anAccount, anUpload } from '../support/sample-records.js'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

for (const engine of ENGINES) {
  describe(`${engine}: UploadRepository`, () => {
    const world = freshStoreForEachTest(engine)
    let user: Account
    beforeEach(async () => {
      user = anAccount()
      await world().store.accounts.create(user, null)
    })

    it('reads back every field of an uploaded file, by its path', async () => {
      const file = anUpload(user.uid, { sizeBytes: 150 * 1024 * 1024 })
      await world().store.uploads.add(file)
      assert.deepEqual(await world().store.uploads.get(file.path), file)
    })

    it('answers null for an unknown path', async () => {
      assert.equal(await world().store.uploads.get('/nobody/nothing.pdf'), null)
    })

    it('refuses a second file with the same path', async () => {
      const file = anUpload(user.uid)
      await world().store.uploads.add(file)
      await assert.rejects(world().store.uploads.add({ ...file, fileName: 'other.pdf' }))
      assert.deepEqual(await world().store.uploads.get(file.path), file)
    })

    it('keeps files apart', async () => {
      const first = anUpload(user.uid, { mimeType: 'image/tiff' })
      const second = anUpload(user.uid, { sizeBytes: 1 })
      await world().store.uploads.add(first)
      await world().store.uploads.add(second)
      assert.deepEqual(await world().store.uploads.get(first.path), first)
      assert.deepEqual(await world().store.uploads.get(second.path), second)
    })
  })
}
