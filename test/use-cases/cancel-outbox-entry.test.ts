/**
 * The fax records of a cancelled entry's destinations that had been called (cancellationRecords,
 * the rule cancelOutboxEntry hands the store): each keeps its calls and says after how many it
 * was cancelled. The store's side (the records written in the commit that removes the entry) is
 * in test/contracts/outbox-repository.contract.test.ts, the whole path in transmit-delivery.test.ts.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { CallAttempt } from '../../src/domain/transmission.js'
import { cancellationRecords } from '../../src/use-cases/cancel-outbox-entry.js'
import { anOutboxEntry, deliveriesOf } from '../support/sample-records.js'

const CANCELLED_AT = Date.UTC(2026, 10, 27, 12, 0, 0)

function anAttempt(
  faxId: string,
  attempt: number,
  overrides: Partial<CallAttempt> = {},
): CallAttempt {
  return {
    faxId,
    attempt,
    carrier: 'simulated',
    startedAtMs: CANCELLED_AT - 600_000 + attempt * 60_000,
    endedAtMs: CANCELLED_AT - 600_000 + attempt * 60_000 + 20_000,
    status: 'failed_user_busy',
    pagesConfirmed: [],
    description: `line busy (${attempt})`,
    remoteStationId: null,
    bitRate: null,
    coding: null,
    ecm: null,
    resolution: null,
    header: null,
    ...overrides,
  }
}

describe('cancellationRecords', () => {
  const entry = anOutboxEntry('u'.repeat(32), {
    to: ['+15555550101', '+15555550102', '+15555550103'],
  })
  const [once, twice, never] = deliveriesOf(entry)
  assert.ok(once && twice && never)

  it('makes one record per called destination, saying after how many attempts, with the last status', () => {
    const records = cancellationRecords(
      entry,
      [
        { delivery: once, attempts: [anAttempt(once.id, 1)], pagesConfirmed: 0 },
        {
          delivery: twice,
          attempts: [
            anAttempt(twice.id, 1),
            anAttempt(twice.id, 2, { status: 'failed_no_answer', description: 'no answer' }),
          ],
          pagesConfirmed: 0,
        },
      ],
      CANCELLED_AT,
    )
    assert.deepEqual(
      records.map((r) => [r.id, r.to, r.status, r.description, r.updatedAtMs]),
      [
        [
          once.id,
          once.destination.text,
          'failed_user_busy',
          'cancelled by the sender after 1 attempt; the last: line busy (1)',
          CANCELLED_AT,
        ],
        [
          twice.id,
          twice.destination.text,
          'failed_no_answer',
          'cancelled by the sender after 2 attempts; the last: no answer',
          CANCELLED_AT,
        ],
      ],
    )
  })

  it('keeps the pages confirmed before the cancellation: partially_sent', () => {
    const [record] = cancellationRecords(
      entry,
      [
        {
          delivery: once,
          attempts: [anAttempt(once.id, 1, { pagesConfirmed: [1] })],
          pagesConfirmed: 1,
        },
      ],
      CANCELLED_AT,
    )
    assert.equal(record?.status, 'partially_sent')
    assert.equal(record?.pages, 1)
  })

  it('makes no record of a destination whose only call never ended', () => {
    assert.deepEqual(
      cancellationRecords(
        entry,
        [{ delivery: never, attempts: [], pagesConfirmed: 0 }],
        CANCELLED_AT,
      ),
      [],
    )
  })
})
