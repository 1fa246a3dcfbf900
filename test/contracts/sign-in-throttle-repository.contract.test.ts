/** Contract of SignInThrottleRepository, run on every storage engine. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ENGINES, freshStoreForEachTest } from '../support/test-database.js'

const HOUR = 3_600_000

for (const engine of ENGINES) {
  describe(`${engine}: SignInThrottleRepository`, () => {
    const world = freshStoreForEachTest(engine)
    const waitOf = (key: string, failures: number) => 1_000_000 + failures * 10 + key.length

    it('reads nothing for keys it has not seen', async () => {
      assert.deepEqual(await world().store.signInThrottle.read(['pair:a 1', 'address:1']), [])
      assert.deepEqual(await world().store.signInThrottle.read([]), [])
    })

    it('counts failures per key and keeps the wait the callback gives for the new count', async () => {
      const throttle = world().store.signInThrottle
      assert.deepEqual(await throttle.recordFailure(['k1', 'k22'], 100, 0, waitOf), [
        { key: 'k1', failures: 1, lastFailureAtMs: 100, untilMs: 1_000_012 },
        { key: 'k22', failures: 1, lastFailureAtMs: 100, untilMs: 1_000_013 },
      ])
      await throttle.recordFailure(['k1'], 200, 0, waitOf)
      const read = await throttle.read(['k1', 'k22', 'k3'])
      assert.deepEqual(
        read.sort((a, b) => a.key.localeCompare(b.key)),
        [
          { key: 'k1', failures: 2, lastFailureAtMs: 200, untilMs: 1_000_022 },
          { key: 'k22', failures: 1, lastFailureAtMs: 100, untilMs: 1_000_013 },
        ],
      )
    })

    it('counts every one of simultaneous failures', async () => {
      const throttle = world().store.signInThrottle
      await Promise.all(
        Array.from({ length: 8 }, () => throttle.recordFailure(['busy'], 5, 0, waitOf)),
      )
      assert.equal((await throttle.read(['busy']))[0]?.failures, 8)
    })

    it('starts a count again after its last failure is older than forgetBeforeMs', async () => {
      const throttle = world().store.signInThrottle
      await throttle.recordFailure(['old'], 1_000, 0, () => 2_000)
      await throttle.recordFailure(['old'], 1_500, 0, () => 2_000)
      const [again] = await throttle.recordFailure(['old'], 30 * HOUR, 1_600, () => 31 * HOUR)
      assert.equal(again?.failures, 1)
    })

    it('deletes rows whose time ended before forgetBeforeMs when a failure comes in', async () => {
      const throttle = world().store.signInThrottle
      await throttle.recordFailure(['stale'], 1_000, 0, () => 2_000)
      await throttle.keep('trusted:stale', 1_000, 3_000)
      await throttle.keep('trusted:fresh', 1_000, 10 * HOUR)
      await throttle.recordFailure(['other'], 5 * HOUR, 4_000, () => 6 * HOUR)
      const left = await throttle.read(['stale', 'trusted:stale', 'trusted:fresh', 'other'])
      assert.deepEqual(left.map((row) => row.key).sort(), ['other', 'trusted:fresh'])
    })

    it('clears keys, and keeps a key with no failures until a time', async () => {
      const throttle = world().store.signInThrottle
      await throttle.recordFailure(['a', 'b'], 10, 0, waitOf)
      await throttle.clear(['a'])
      await throttle.clear([])
      assert.deepEqual(
        (await throttle.read(['a', 'b'])).map((row) => row.key),
        ['b'],
      )
      await throttle.keep('b', 20, 99_999)
      assert.deepEqual(await throttle.read(['b']), [
        { key: 'b', failures: 0, lastFailureAtMs: 10, untilMs: 99_999 },
      ])
    })
  })
}
