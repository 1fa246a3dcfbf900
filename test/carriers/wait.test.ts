/**
 * timerWait, the real Wait: it lets the time pass, and ends with an AbortError as soon as its
 * signal aborts, also when the signal has aborted already. Nothing here measures time: a wait
 * that ignored its signal would keep the test waiting for an hour, past its timeout.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { timerWait } from '../../src/carriers/wait.js'

const AN_HOUR = 3_600_000

/** Each test's limit: each takes milliseconds; a wait that ignored its signal would take an hour. */
const PER_TEST = { timeout: 10_000 }

describe('timerWait', () => {
  it('resolves after a short wait, and at once for none', PER_TEST, async () => {
    const signal = new AbortController().signal
    await timerWait(1, signal)
    await timerWait(0, signal)
  })

  it('rejects with an AbortError on a signal that has already aborted', PER_TEST, async () => {
    await assert.rejects(timerWait(AN_HOUR, AbortSignal.abort()), { name: 'AbortError' })
    await assert.rejects(timerWait(0, AbortSignal.abort()), { name: 'AbortError' })
  })

  it('rejects with an AbortError when its signal aborts during the wait', PER_TEST, async () => {
    const controller = new AbortController()
    const waiting = timerWait(AN_HOUR, controller.signal)
    setImmediate(() => controller.abort())
    await assert.rejects(waiting, { name: 'AbortError' })
  })
})
