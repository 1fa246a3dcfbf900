/** What `faxd send --wait` and `faxd status` say of each destination, from the API's answers. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type {
  AttemptAnswer,
  FaxAnswer,
  OutboxAnswer,
  OutboxDestinationAnswer,
} from '../../src/client/api-answers.js'
import {
  describeStage,
  fromNow,
  oneLine,
  outcomeOf,
  printable,
  stageInOutbox,
} from '../../src/client/send-progress.js'

const NOW = Date.UTC(2026, 11, 6, 10, 0, 0)

function entry(
  status: OutboxAnswer['status'],
  pageCount: number,
  destination: Partial<OutboxDestinationAnswer> = {},
): [OutboxAnswer, OutboxDestinationAnswer] {
  const d: OutboxDestinationAnswer = {
    to: '+15555550100',
    id: 'f1',
    state: 'waiting',
    attempts: 0,
    pages_confirmed: [],
    call: null,
    next_attempt_time: null,
    ...destination,
  }
  return [
    {
      id: 'o1',
      status,
      to: [d.to],
      send_time: '2026-12-06 10:00:00 +0000',
      page_count: pageCount,
      destinations: [d],
    },
    d,
  ]
}

function fax(status: string, pages: number, description = status): FaxAnswer {
  return {
    id: 'f1',
    direction: 'outgoing',
    from: '+15555550150',
    to: '+15555550100',
    status,
    description,
    pages,
    start_time: '2026-12-06 10:00:00',
    last_update: '2026-12-06 10:01:00',
  }
}

function attempt(n: number, station: string | null, rate: number | null): AttemptAnswer {
  return {
    attempt: n,
    started_at: '2026-12-06 10:00:00',
    ended_at: '2026-12-06 10:01:00',
    status: 'success',
    description: 'OK',
    pages: [1],
    remote_station_id: station,
    bit_rate: rate,
  }
}

const say = (e: [OutboxAnswer, OutboxDestinationAnswer]) =>
  oneLine(describeStage(stageInOutbox(e[0], e[1], NOW), NOW))

describe('send progress', () => {
  it('before the call: accepted, rendering, scheduled, waiting', () => {
    assert.equal(say(entry('submitted', 0)), 'accepted, waiting to be rendered')
    // Scheduled entries are scheduled_for_sending before their pages are rendered, too.
    assert.equal(say(entry('scheduled_for_sending', 0)), 'accepted, waiting to be rendered')
    assert.equal(say(entry('converting', 0)), 'rendering the pages')
    const later = entry('scheduled_for_sending', 2, {
      next_attempt_time: '2026-12-06 12:05:00 +0000',
    })
    assert.match(
      say(later),
      /^scheduled for \d\d:\d\d:00 \(in 2 h 5 min\)$|^scheduled for 2026-12-0\d /,
    )
    assert.equal(
      say(entry('sending', 2, { next_attempt_time: '2026-12-06 10:00:00 +0000' })),
      'waiting for a line',
    )
  })

  it('in the call: dialing, then page k of n, counting pages earlier attempts got through', () => {
    const call = { started_at: '2026-12-06 10:00:00', pages_confirmed: [] }
    assert.equal(
      say(entry('sending', 3, { state: 'calling', attempts: 1, call })),
      'dialing, then page 1 of 3 (attempt 1)',
    )
    assert.equal(
      say(entry('sending', 3, { state: 'calling', attempts: 2, pages_confirmed: [1, 2], call })),
      'sending page 3 of 3 (attempt 2)',
    )
  })

  it('between attempts: when the next one is due', () => {
    const retry = entry('sending', 2, {
      attempts: 1,
      next_attempt_time: '2026-12-06 10:00:30 +0000',
    })
    assert.match(say(retry), /^attempt 1 failed; retry at \d\d:00:30 \(in 30 s\)$/)
    const two = entry('sending', 2, { attempts: 2, next_attempt_time: null })
    assert.equal(say(two), '2 attempts failed; waiting to retry')
  })

  it('at the end: what got through, to whom, at what rate', () => {
    const sent = {
      kind: 'ended' as const,
      fax: fax('success', 2),
      attempts: [attempt(1, null, null), attempt(2, 'ACME FAX', 9600)],
    }
    assert.equal(
      oneLine(describeStage(sent, NOW)),
      'sent: 2 pages to "ACME FAX" at 9600 bit/s after 2 attempts',
    )
    const partial = {
      kind: 'ended' as const,
      fax: fax('partially_sent', 1, 'the call dropped after page 1'),
      attempts: [],
    }
    assert.equal(
      oneLine(describeStage(partial, NOW)),
      'partially sent: 1 page got through (the call dropped after page 1)',
    )
    const busy = {
      kind: 'ended' as const,
      fax: fax('failed_user_busy', 0, 'the line was busy'),
      attempts: [],
    }
    assert.equal(oneLine(describeStage(busy, NOW)), 'failed: the line was busy (failed_user_busy)')
  })

  it('tells success, partial and failure apart', () => {
    assert.equal(outcomeOf([fax('success', 2), fax('success', 1)]), 'success')
    assert.equal(outcomeOf([fax('success', 2), fax('failed_user_busy', 0)]), 'partial')
    assert.equal(outcomeOf([fax('partially_sent', 1)]), 'partial')
    assert.equal(outcomeOf([fax('failed_no_answer', 0), fax('failed', 0)]), 'failure')
    assert.equal(outcomeOf([]), 'failure')
  })

  it('says how long until a time apart from the words, so that a log line changes with the stage', () => {
    const retry = entry('sending', 2, {
      attempts: 1,
      next_attempt_time: '2026-12-06 10:00:30 +0000',
    })
    const words = describeStage(stageInOutbox(retry[0], retry[1], NOW), NOW)
    assert.equal(words.detail, '(in 30 s)')
    const later = describeStage(stageInOutbox(retry[0], retry[1], NOW + 10_000), NOW + 10_000)
    assert.equal(later.text, words.text)
    assert.equal(later.detail, '(in 20 s)')
    assert.equal(fromNow(NOW + 3 * 86_400_000, NOW), 'in 3 days')
    assert.equal(fromNow(NOW - 5, NOW), 'now')
  })

  it('a destination cancelled before its call, and received faxes, in their own words', () => {
    assert.equal(
      oneLine(describeStage({ kind: 'cancelled' }, NOW)),
      'cancelled before it was called',
    )
    assert.equal(outcomeOf([fax('success', 1), null]), 'partial')
    assert.equal(outcomeOf([null]), 'failure')
    const received = { ...fax('success', 3), direction: 'incoming' as const, from: '+15555550199' }
    assert.equal(
      oneLine(describeStage({ kind: 'ended', fax: received, attempts: [] }, NOW)),
      'received: 3 pages from +15555550199',
    )
    const partly = { ...received, status: 'partially_received', description: 'the call dropped' }
    assert.equal(
      oneLine(describeStage({ kind: 'ended', fax: partly, attempts: [] }, NOW)),
      'partly received: 3 pages (the call dropped)',
    )
  })

  it('prints what the far end sent without its control characters', () => {
    assert.equal(printable('ACME\u001b[2J\u009bFAX'), 'ACME\ufffd[2J\ufffdFAX')
    const station = attempt(1, 'EVIL\u0007', 14400)
    assert.equal(
      oneLine(describeStage({ kind: 'ended', fax: fax('success', 1), attempts: [station] }, NOW)),
      'sent: 1 page to "EVIL\ufffd" at 14400 bit/s',
    )
  })
})
