/**
 * formatUtc writes what `new Date(ms).toISOString()` says, as "YYYY-MM-DD HH:mm:ss": across
 * day, year and leap-day boundaries, before 1970, far ahead, and at every millisecond that
 * rounds down to a second; and it refuses what Date refuses.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatUtc, parseUtc, parseUtcWithOffset } from '../../src/shared/api-time.js'

const byDate = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ')

describe('formatUtc', () => {
  it('agrees with Date at boundaries', () => {
    const edges = [
      0,
      -1,
      -86_400_000,
      -86_400_001,
      Date.UTC(1969, 11, 31, 23, 59, 59, 999),
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2024, 2, 1),
      Date.UTC(2026, 11, 31, 23, 59, 59, 500),
      Date.UTC(2027, 0, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59),
      Date.UTC(1, 0, 1),
    ]
    for (const ms of edges) {
      assert.equal(formatUtc(ms), byDate(ms), String(ms))
    }
  })

  it('agrees with Date at 20,000 times spread over ±300 years', () => {
    let seed = 7
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    const span = 300 * 365.25 * 86_400_000
    for (let i = 0; i < 20_000; i += 1) {
      const ms = Math.round((next() * 2 - 1) * span)
      assert.equal(formatUtc(ms), byDate(ms), String(ms))
    }
  })

  it('throws as Date does for a time that is not one', () => {
    assert.throws(() => formatUtc(Number.NaN), RangeError)
    assert.throws(() => formatUtc(8.64e15 + 1), RangeError)
  })

  it('reads back through parseUtc', () => {
    const ms = Date.UTC(2026, 11, 4, 21, 50, 7)
    assert.equal(parseUtc(formatUtc(ms)), ms)
  })

  it('reads a time with its offset, and one without as UTC', () => {
    assert.equal(parseUtcWithOffset('2026-12-06 10:00:30'), Date.UTC(2026, 11, 6, 10, 0, 30))
    assert.equal(parseUtcWithOffset('2026-12-06 10:00:30 +0000'), Date.UTC(2026, 11, 6, 10, 0, 30))
    assert.equal(parseUtcWithOffset('2026-12-06 10:00:30 +0100'), Date.UTC(2026, 11, 6, 9, 0, 30))
    assert.equal(parseUtcWithOffset('2026-12-06 10:00:30 -0530'), Date.UTC(2026, 11, 6, 15, 30, 30))
    assert.equal(parseUtcWithOffset('2026-12-06 10:00:30 +0160'), null)
    assert.equal(parseUtcWithOffset('2026-02-30 10:00:30 +0000'), null)
    assert.equal(parseUtcWithOffset('yesterday'), null)
  })
})
