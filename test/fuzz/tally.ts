/** Counting what fuzzing answered, and printing the counts as test diagnostics, most frequent first. */
import type { TestContext } from 'node:test'

export function tally(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1)
}

export function printCounts(t: TestContext, title: string, counts: Map<string, number>): void {
  t.diagnostic(title)
  const rows = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  for (const [key, count] of rows) {
    t.diagnostic(`  ${String(count).padStart(6)}  ${key}`)
  }
}
