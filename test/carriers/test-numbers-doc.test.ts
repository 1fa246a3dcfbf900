/**
 * docs/test-numbers.md stays true to the simulated carrier: its table lists exactly the numbers
 * the carrier handles, each with the status, retryability and duration (two pages at fine, time
 * scale 1) that a call to it really ends with.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { SimulatedCarrier } from '../../src/carriers/simulated-carrier.js'
import { TEST_NUMBERS } from '../../src/carriers/test-numbers.js'
import type { CallResult } from '../../src/domain/carrier.js'
import { anOutgoingCall, RecordedWaits } from './call-recording.js'

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'test-numbers.md')

/** The table's rows by number: the cells after the number. */
async function documentedRows(): Promise<Map<string, string[]>> {
  const rows = new Map<string, string[]>()
  for (const line of (await readFile(DOC, 'utf8')).split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim())
    const number = /^`(\+[0-9]+)`$/.exec(cells[1] ?? '')?.[1]
    if (line.startsWith('|') && number !== undefined) {
      rows.set(number, cells.slice(2, -1))
    }
  }
  return rows
}

/** The attempts a number's row describes: two for the number that is busy only at first. */
async function attempts(number: string): Promise<CallResult[]> {
  const results: CallResult[] = []
  for (const attempt of number === '+15555550105' ? [1, 2] : [1]) {
    const recorded = new RecordedWaits()
    const carrier = new SimulatedCarrier({ wait: recorded.wait })
    const call = anOutgoingCall(number, { attempt, pages: [1, 2], resolution: 'fine' })
    results.push(await carrier.call(call, {}, new AbortController().signal))
  }
  return results
}

describe('docs/test-numbers.md', () => {
  it('lists exactly the test numbers of the simulated carrier', async () => {
    const documented = [...(await documentedRows()).keys()].sort()
    assert.deepEqual(documented, [...TEST_NUMBERS.keys()].sort())
  })

  it('gives each number the status, retryability and duration its calls have', async () => {
    const rows = await documentedRows()
    for (const number of TEST_NUMBERS.keys()) {
      const [, status, retryable, duration] = rows.get(number) ?? []
      const results = await attempts(number)
      const described = (text: (result: CallResult) => string) => results.map(text).join(', then ')
      assert.equal(
        status,
        described((result) => `\`${result.status}\``),
        number,
      )
      assert.equal(
        retryable,
        described((result) => (result.retryable ? 'yes' : 'no')),
        number,
      )
      assert.equal(
        duration,
        described((result) => `${result.durationMs / 1000} s`),
        number,
      )
    }
  })
})
