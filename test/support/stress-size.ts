/**
 * How big the stress tests run (test/crash, test/queue, test/fuzz, the oversized bodies of
 * test/api, the database outages of test/cli): at full size under
 * `npm run test:stress`, which sets FAXD_STRESS=1, and at a size that still exercises every
 * check of each test in `npm test`, so that CI stays within its time. Every size is in the
 * table below and nowhere else; a test prints the sizes it ran at (printStressSizes), so a run's
 * log shows them. A size's own variable (CRASH_FAXES, DRAIN_JOBS, FUZZ_CASES, …) overrides both.
 */
import type { TestContext } from 'node:test'

interface Size {
  /** In `npm test`. */
  readonly ci: number
  /** In `npm run test:stress`. */
  readonly full: number
  /** The environment variable that sets this size for one run. */
  readonly variable: string
}

const SIZES = {
  /** test/crash/sigkill.test.ts: faxes (destinations) sent while workers are killed. */
  crashFaxes: { ci: 40, full: 300, variable: 'CRASH_FAXES' },
  /** SIGKILLs: a third at any moment, a third mid-call, a third mid-webhook (3 or more). */
  crashKills: { ci: 4, full: 12, variable: 'CRASH_KILLS' },
  /** The longest pause between two of its eight batches of sendFax calls (the shortest: ¼). */
  crashSendPauseMs: { ci: 4_000, full: 20_000, variable: 'CRASH_SEND_PAUSE_MS' },
  /** test/queue/multi-process-drain.test.ts: jobs four processes drain. */
  drainJobs: { ci: 5_000, full: 100_000, variable: 'DRAIN_JOBS' },
  /** test/fuzz: requests sendFax must refuse; requests per engine to the other routes. */
  fuzzBodies: { ci: 2_000, full: 10_000, variable: 'FUZZ_CASES' },
  /** test/fuzz/send-fax.fuzz.test.ts: requests per engine with real files and numbers. */
  fuzzStoreBodies: { ci: 200, full: 400, variable: 'FUZZ_STORE_CASES' },
  /** test/fuzz/sip-port.fuzz.test.ts: mutated SIP messages sent to `faxd serve`'s SIP port. */
  fuzzSipMessages: { ci: 3_000, full: 30_000, variable: 'FUZZ_SIP_MESSAGES' },
  /** test/cli/database-outage.test.ts: stops of PostgreSQL, `-m fast` and `-m immediate` in turn. */
  outageStops: { ci: 2, full: 6, variable: 'OUTAGE_STOPS' },
  /** test/api/oversized-bodies.test.ts: oversized sendFax bodies written to the end. */
  oversizedBodies: { ci: 6, full: 40, variable: 'OVERSIZED_BODIES' },
  /** The largest of them, in MB (the smallest is just over the 1 MB limit). */
  oversizedBodyMb: { ci: 12, full: 32, variable: 'OVERSIZED_BODY_MB' },
  /** test/carriers/impaired-calls.test.ts: own-stack calls per loss rate, over virtual time. */
  impairedCalls: { ci: 4, full: 40, variable: 'IMPAIRED_CALLS' },
} as const satisfies Record<string, Size>

export type StressSize = keyof typeof SIZES

/** True under `npm run test:stress`. */
export const FULL_SIZE = process.env['FAXD_STRESS'] === '1'

/** The size `name` runs at in this run: its variable's, else full or CI size. */
export function stressSize(name: StressSize): number {
  const size: Size = SIZES[name]
  const text = process.env[size.variable]
  if (text === undefined || text === '') {
    return FULL_SIZE ? size.full : size.ci
  }
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${size.variable} must be a whole number ≥ 1, not ${text}`)
  }
  return value
}

/** Prints the sizes a test runs at, and where they come from, to the run's log. */
export function printStressSizes(t: TestContext, names: readonly StressSize[]): void {
  const sizes = names.map((name) => {
    const size: Size = SIZES[name]
    const set = (process.env[size.variable] ?? '') !== ''
    return `${name} ${stressSize(name)}${set ? ` (${size.variable})` : ''}`
  })
  const run = FULL_SIZE
    ? 'full size (FAXD_STRESS=1)'
    : 'CI size (npm run test:stress runs it at full size)'
  t.diagnostic(`${run}: ${sizes.join(', ')}`)
}
