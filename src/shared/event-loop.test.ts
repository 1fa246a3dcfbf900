/**
 * Long work in fair slices: the slices of several loops are served in the order they asked, and
 * each turn of the event loop runs slices only until its budget is spent.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { describe, it } from 'node:test'
import { nextSlice, SLICE_BUDGET_MS } from './event-loop.js'

/** Holds the thread for `ms` of wall time, as a slice of work does. */
function work(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // busy
  }
}

describe('nextSlice', () => {
  it('serves the slices of several loops in turn, and each turn only up to its budget', async () => {
    const sliceMs = SLICE_BUDGET_MS * 0.6
    // The turns of the event loop, counted where slices are served (setImmediate).
    let turn = 0
    let counting = true
    const count = (): void => {
      if (counting) {
        turn += 1
        setImmediate(count)
      }
    }
    setImmediate(count)
    const served: { loop: string; turn: number }[] = []
    const loop = async (name: string): Promise<void> => {
      for (let i = 0; i < 10; i += 1) {
        await nextSlice()
        served.push({ loop: name, turn })
        work(sliceMs)
      }
    }
    await Promise.all(['a', 'b', 'c'].map(loop))
    counting = false

    assert.equal(served.length, 30)
    assert.equal(served.map((s) => s.loop).join(''), 'abc'.repeat(10))
    const slicesPerTurn = new Map<number, number>()
    for (const { turn: t } of served) {
      slicesPerTurn.set(t, (slicesPerTurn.get(t) ?? 0) + 1)
    }
    // A slice starts only while the turn's budget lasts: two of 0.6 × budget spend it.
    assert.ok(Math.max(...slicesPerTurn.values()) <= 2, JSON.stringify([...slicesPerTurn]))
  })

  it('lets I/O that arrived meanwhile in between', async () => {
    let slices = 0
    let looping = true
    const loop = (async () => {
      // Bounded, so that a loop that never yields ends the test as a failure, not a hang.
      while (looping && slices < 1000) {
        await nextSlice()
        slices += 1
        work(SLICE_BUDGET_MS)
      }
    })()
    // A file read answers through the poll phase: only a loop that gives up the event loop
    // between slices lets it in before its own 1000 slices are done.
    await readFile(import.meta.filename)
    const slicesWhenRead = slices
    looping = false
    await loop
    assert.ok(slicesWhenRead < 1000, `the read was answered after ${slicesWhenRead} slices`)
  })
})
