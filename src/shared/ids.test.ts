/** The id shapes, and the order of ObjectId-like ids. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { newId24, newId32, newUuid } from './ids.js'

describe('ids', () => {
  it('makes 24 and 32 hex digits and version 4 UUIDs', () => {
    assert.match(newId24(), /^[0-9a-f]{24}$/)
    assert.match(newId32(), /^[0-9a-f]{32}$/)
    assert.match(newUuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('starts an ObjectId-like id with the Unix seconds it was made at', () => {
    const atMs = Date.UTC(2026, 10, 27, 12, 0, 0)
    assert.equal(Number.parseInt(newId24(atMs).slice(0, 8), 16), atMs / 1000)
  })

  it('makes ids in one second that sort in the order they were made, and never twice', () => {
    const atMs = Date.UTC(2026, 10, 27, 12, 0, 0)
    const ids = Array.from({ length: 10_000 }, () => newId24(atMs))
    assert.equal(new Set(ids).size, ids.length)
    const wraps = ids.filter((id, i) => i > 0 && id < (ids[i - 1] ?? '')).length
    assert.ok(wraps <= 1, `the 3-byte counter wraps at most once in 10,000 ids, not ${wraps} times`)
  })
})
