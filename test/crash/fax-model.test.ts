/**
 * The crash test's judge, judged: the closed form of each test number's outcome agrees with the
 * attempt-by-attempt model for every retry count and page count, and the replay of recorded
 * attempts accepts what the model allows (an interrupted call included) and names what it does
 * not (a transmission after a success, a missing retry, a wrong status).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  expectedOutcome,
  modelCall,
  replayAttempts,
  RESTARTS_PER_FAX,
  TEST_NUMBERS,
  type AttemptRow,
  type FaxOptions,
  type TestNumber,
} from './fax-model.js'

const RETRYABLE = new Set(['failed_user_busy', 'failed_no_answer', 'partially_sent'])

/** The attempts a fax makes when nothing interrupts it, call by call through modelCall. */
function uninterrupted(to: TestNumber, options: FaxOptions): AttemptRow[] {
  const rows: AttemptRow[] = []
  const confirmed = new Set<number>()
  const every = Array.from({ length: options.pages }, (_, index) => index + 1)
  for (let attempt = 1; ; attempt++) {
    const pages = options.partiallySentRetry ? every.filter((page) => !confirmed.has(page)) : every
    const call = modelCall(to, attempt, pages)
    rows.push({ attempt, status: call.status, carrier: 'simulated', pagesConfirmed: call.pages })
    call.pages.forEach((page) => confirmed.add(page))
    const allSent = confirmed.size >= options.pages
    if (allSent || !RETRYABLE.has(call.status) || attempt > options.retryCount) {
      return rows
    }
  }
}

function row(attempt: number, status: string, pages: number[], carrier = 'simulated'): AttemptRow {
  return { attempt, status, carrier, pagesConfirmed: pages }
}

describe('the test-number model of the crash test', () => {
  it('agrees with its closed form for every number, retry count, page count and psr', () => {
    for (const to of TEST_NUMBERS) {
      for (const retryCount of [0, 1, 2, 3]) {
        for (const pages of [1, 2, 3]) {
          for (const partiallySentRetry of [false, true]) {
            const options = { retryCount, pages, partiallySentRetry }
            const rows = uninterrupted(to, options)
            const replay = replayAttempts(to, options, rows)
            const expected = expectedOutcome(to, options)
            const about = `${to} ${JSON.stringify(options)}`
            assert.deepEqual(replay.problems, [], about)
            assert.equal(replay.moreExpected, false, about)
            assert.deepEqual(
              { status: replay.finalStatus, attempts: rows.length, pages: replay.pagesConfirmed },
              expected,
              about,
            )
          }
        }
      }
    }
  })

  it('writes down the table of docs/test-numbers.md for a two-page fax', () => {
    const two = (retryCount: number, partiallySentRetry = false) => ({
      retryCount,
      partiallySentRetry,
      pages: 2,
    })
    assert.deepEqual(expectedOutcome('+15555550100', two(3)), {
      status: 'success',
      attempts: 1,
      pages: 2,
    })
    assert.deepEqual(expectedOutcome('+15555550101', two(2)), {
      status: 'failed_user_busy',
      attempts: 3,
      pages: 0,
    })
    assert.deepEqual(expectedOutcome('+15555550103', two(3)), {
      status: 'failed_unallocated_number',
      attempts: 1,
      pages: 0,
    })
    assert.deepEqual(expectedOutcome('+15555550104', two(2)), {
      status: 'partially_sent',
      attempts: 3,
      pages: 1,
    })
    assert.deepEqual(expectedOutcome('+15555550104', two(1, true)), {
      status: 'success',
      attempts: 2,
      pages: 2,
    })
    assert.deepEqual(expectedOutcome('+15555550104', two(0, true)), {
      status: 'partially_sent',
      attempts: 1,
      pages: 1,
    })
    assert.deepEqual(expectedOutcome('+15555550105', two(0)), {
      status: 'failed_user_busy',
      attempts: 1,
      pages: 0,
    })
    assert.deepEqual(expectedOutcome('+15555550105', two(1)), {
      status: 'success',
      attempts: 2,
      pages: 2,
    })
  })

  it('accepts a call ended by the worker that took it over, and goes on from it', () => {
    const options = { retryCount: 1, partiallySentRetry: false, pages: 2 }
    // A restart carries only the pages left, without partially_sent_retry.
    const failedThenSent = replayAttempts('+15555550100', options, [
      row(1, 'failed_to_send', [1], 'interrupted'),
      row(2, 'success', [2]),
    ])
    assert.deepEqual(failedThenSent.problems, [])
    assert.equal(failedThenSent.finalStatus, 'success')
    assert.deepEqual([failedThenSent.interrupted, failedThenSent.restarts], [1, 1])
    assert.deepEqual(failedThenSent.events, [{ attempt: 2, status: 'success', pages: 1 }])
    const resentAll = replayAttempts('+15555550100', options, [
      row(1, 'failed_to_send', [1], 'interrupted'),
      row(2, 'success', [1, 2]),
    ])
    assert.deepEqual(resentAll.problems, ['attempt 2 confirmed [1,2], the model says [2]'])
    // Without a retry, a crash of ours still gets another attempt.
    const noRetry = replayAttempts('+15555550100', { ...options, retryCount: 0 }, [
      row(1, 'failed_to_send', [], 'interrupted'),
    ])
    assert.deepEqual(noRetry.problems, [])
    assert.deepEqual([noRetry.moreExpected, noRetry.finalStatus], [true, null])
    const complete = replayAttempts('+15555550106', options, [
      row(1, 'success', [1, 2], 'interrupted'),
    ])
    assert.deepEqual(complete.problems, [])
    assert.equal(complete.finalStatus, 'success')
    // A page through, then a restart, which gets the page left through.
    const pageThenRestart = replayAttempts('+15555550104', options, [
      row(1, 'partially_sent', [1]),
      row(2, 'failed_to_send', [], 'interrupted'),
      row(3, 'success', [2]),
    ])
    assert.deepEqual(pageThenRestart.problems, [])
    assert.equal(pageThenRestart.finalStatus, 'success')
  })

  it('counts an interrupted call past the restarts allowed as a failed attempt', () => {
    const options = { retryCount: 0, partiallySentRetry: false, pages: 2 }
    const crashes = Array.from({ length: RESTARTS_PER_FAX + 1 }, (_, index) =>
      row(index + 1, 'failed_to_send', index === 0 ? [1] : [], 'interrupted'),
    )
    const replay = replayAttempts('+15555550100', options, crashes)
    assert.deepEqual(replay.problems, [])
    assert.deepEqual([replay.restarts, replay.moreExpected], [RESTARTS_PER_FAX, false])
    // A page through, then an interrupted last call: the fax is partially sent, not failed.
    assert.equal(replay.finalStatus, 'partially_sent')
    assert.deepEqual(replay.events, [
      { attempt: RESTARTS_PER_FAX + 1, status: 'failed_to_send', pages: 0 },
    ])
  })

  it('names a transmission after a success, a missing retry and a wrong status', () => {
    const options = { retryCount: 2, partiallySentRetry: false, pages: 2 }
    const again = replayAttempts('+15555550100', options, [
      row(1, 'success', [1, 2]),
      row(2, 'success', [1, 2]),
    ])
    assert.deepEqual(again.problems, ['attempt 2 (success) came after the fax had ended'])
    const short = replayAttempts('+15555550102', options, [
      row(1, 'failed_no_answer', []),
      row(2, 'failed_no_answer', []),
    ])
    assert.deepEqual(short.problems, [])
    assert.equal(short.moreExpected, true)
    assert.equal(short.finalStatus, null)
    const wrong = replayAttempts('+15555550103', options, [row(1, 'failed_user_busy', [])])
    assert.deepEqual(wrong.problems, [
      'attempt 1 is failed_user_busy, the model says failed_unallocated_number',
    ])
    const gap = replayAttempts('+15555550101', options, [
      row(1, 'failed_user_busy', []),
      row(3, 'failed_user_busy', []),
    ])
    assert.deepEqual(gap.problems, ['attempt #1 is numbered 3, not 2'])
  })
})
