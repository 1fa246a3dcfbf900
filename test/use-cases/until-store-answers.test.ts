/**
 * untilStoreAnswers on manual time: it tries again while the store is unavailable, after pauses
 * that grow from 250 ms to 5 s; any other error ends it at once; an aborted signal ends the
 * pauses, and the store's error is what it throws; the work runs once even after the abort.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StoreUnavailableError } from '../../src/domain/store-unavailable.js'
import { ManualClock } from '../../src/shared/clock.js'
import { ManualTimers } from '../../src/shared/timers.js'
import { untilStoreAnswers } from '../../src/use-cases/until-store-answers.js'

const away = (): StoreUnavailableError =>
  new StoreUnavailableError('unreachable', 'the database cannot be reached')

/** Work that fails with StoreUnavailableError `failures` times, then answers 'stored'. */
function flakyWork(clock: ManualClock, failures: number) {
  const triedAt: number[] = []
  const work = async (): Promise<string> => {
    triedAt.push(clock.now())
    if (triedAt.length <= failures) {
      throw away()
    }
    return 'stored'
  }
  return { work, triedAt }
}

describe('untilStoreAnswers', () => {
  it('tries again after 250, 500, 1000, … ms, up to 5 s apart, until the store answers', async () => {
    const clock = new ManualClock(0)
    const timers = new ManualTimers(clock)
    const { work, triedAt } = flakyWork(clock, 7)
    const reported: number[] = []
    const result = untilStoreAnswers(work, {
      signal: new AbortController().signal,
      timers,
      onUnavailable: (_error, tries) => reported.push(tries),
    })
    const expected = [250, 500, 1_000, 2_000, 4_000, 5_000, 5_000]
    for (const pauseMs of expected) {
      // A pause longer than expected leaves its try for a later step, and the gaps show it.
      await timers.waitForTimers(1)
      await timers.advance(pauseMs)
    }
    assert.equal(await result, 'stored')
    const gaps = triedAt.slice(1).map((at, index) => at - (triedAt[index] ?? 0))
    assert.deepEqual(gaps, expected)
    assert.deepEqual(reported, [1, 2, 3, 4, 5, 6, 7])
  })

  it('throws any other error at once', async () => {
    const timers = new ManualTimers(new ManualClock(0))
    const fault = new Error('syntax error at or near "selct"')
    let tries = 0
    await assert.rejects(
      untilStoreAnswers(
        async () => {
          tries++
          throw fault
        },
        { signal: new AbortController().signal, timers },
      ),
      (error) => error === fault,
    )
    assert.equal(tries, 1)
    assert.equal(timers.pending, 0)
  })

  it("stops when the signal aborts during a pause, with the store's error", async () => {
    const clock = new ManualClock(0)
    const timers = new ManualTimers(clock)
    const { work, triedAt } = flakyWork(clock, Infinity)
    const controller = new AbortController()
    const result = untilStoreAnswers(work, { signal: controller.signal, timers })
    await timers.waitForTimers(1)
    controller.abort(new Error('the lease was lost'))
    await assert.rejects(result, StoreUnavailableError)
    assert.equal(triedAt.length, 1)
    assert.equal(timers.pending, 0, 'the pause is cancelled')
  })

  it('runs the work once when the signal has already aborted', async () => {
    const clock = new ManualClock(0)
    const timers = new ManualTimers(clock)
    const controller = new AbortController()
    controller.abort(new Error('the worker is stopping'))
    assert.equal(
      await untilStoreAnswers(flakyWork(clock, 0).work, { signal: controller.signal, timers }),
      'stored',
    )
    const failing = flakyWork(clock, 1)
    await assert.rejects(
      untilStoreAnswers(failing.work, { signal: controller.signal, timers }),
      StoreUnavailableError,
    )
    assert.equal(failing.triedAt.length, 1)
  })
})
