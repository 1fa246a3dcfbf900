/** `faxd send --at`: the times people write, and the send_time the API reads. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatSendTime, parseSendTime } from '../../src/cli/send-time.js'
import { UsageError } from '../../src/cli/usage-error.js'

/** 2026-12-06 10:20:30 in this machine's time zone. */
const NOW = new Date(2026, 11, 6, 10, 20, 30).getTime()

describe('--at', () => {
  it('reads a time from now', () => {
    assert.equal(parseSendTime('+30m', NOW), NOW + 30 * 60_000)
    assert.equal(parseSendTime('+2h', NOW), NOW + 2 * 3_600_000)
    assert.equal(parseSendTime('+1d', NOW), NOW + 86_400_000)
    assert.equal(parseSendTime('+90s', NOW), NOW + 90_000)
  })

  it('reads a time of day as the next one: today, else tomorrow', () => {
    assert.equal(parseSendTime('14:30', NOW), new Date(2026, 11, 6, 14, 30).getTime())
    assert.equal(parseSendTime('9:05:15', NOW), new Date(2026, 11, 7, 9, 5, 15).getTime())
    assert.equal(parseSendTime('10:20:30', NOW), new Date(2026, 11, 7, 10, 20, 30).getTime())
  })

  it('reads a date and time here, or in the zone written after it', () => {
    assert.equal(parseSendTime('2026-12-24 09:00', NOW), new Date(2026, 11, 24, 9).getTime())
    assert.equal(
      parseSendTime('2026-12-24 09:00:10', NOW),
      new Date(2026, 11, 24, 9, 0, 10).getTime(),
    )
    assert.equal(parseSendTime('2026-12-24T09:00:00Z', NOW), Date.UTC(2026, 11, 24, 9))
    assert.equal(parseSendTime('2026-12-24 09:00 +01:00', NOW), Date.UTC(2026, 11, 24, 8))
    assert.equal(parseSendTime('2026-12-24T09:00:00.000-0530', NOW), Date.UTC(2026, 11, 24, 14, 30))
  })

  it('refuses what names no time, no day, or a time past', () => {
    for (const [text, words] of [
      ['soon', /is not a time faxd reads: write \+30m, 14:30/],
      ['25:00', /no clock shows that time/],
      ['2026-02-30 10:00', /there is no such day/],
      ['2026-13-01 10:00', /there is no such day/],
      ['2026-12-06 10:00', /is in the past/],
      ['+30x', /is not a time faxd reads/],
    ] as const) {
      assert.throws(
        () => parseSendTime(text, NOW),
        (error: unknown) => error instanceof UsageError && words.test(error.message),
        text,
      )
    }
    // A minute's grace: "now", typed a few seconds late, is still now.
    assert.equal(parseSendTime('2026-12-06 10:20', NOW), new Date(2026, 11, 6, 10, 20).getTime())
  })

  it('writes send_time as the API reads it, in UTC', () => {
    assert.equal(formatSendTime(Date.UTC(2026, 11, 24, 8, 5, 9)), '2026-12-24 08:05:09 +0000')
  })

  it('refuses a time the clocks skip, and takes the first of a time they repeat', () => {
    const zone = process.env['TZ']
    process.env['TZ'] = 'Europe/Berlin'
    try {
      // 2027-03-28: 02:00 CET becomes 03:00 CEST; 2027-10-31: 03:00 CEST becomes 02:00 CET.
      assert.throws(
        () => parseSendTime('2027-03-28 02:30', NOW),
        /the clocks here \(Europe\/Berlin\) skip that time that day/,
      )
      assert.equal(parseSendTime('2027-10-31 02:30', NOW), Date.UTC(2027, 9, 31, 0, 30))
    } finally {
      if (zone === undefined) {
        delete process.env['TZ']
      } else {
        process.env['TZ'] = zone
      }
    }
  })
})
