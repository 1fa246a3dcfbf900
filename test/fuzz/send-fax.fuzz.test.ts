/**
 * Fuzzing sendFax through the whole app (Fastify inject, real database). First, generated and
 * mutated requests with no file ever uploaded, so that none may be accepted: every answer must
 * be a 4xx Error body, and the database and file store must end as they began (2,000 requests in
 * `npm test`, 10,000 in `npm run test:stress`).
 * Then, per engine, valid and mutated requests with real files and numbers: a 201 stores exactly
 * one outbox entry with one delivery per destination, a refusal stores nothing (200, and 400).
 * The seed is fixed so that every run sends the same requests, and printed; FUZZ_SEED picks
 * another, FUZZ_CASES and FUZZ_STORE_CASES change the size (test/support/stress-size.ts). Speed is measured in bench/, not
 * here: the slowest request is printed as a diagnostic only, and a request that hangs fails the
 * test by its timeout.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { errorBodyProblem } from '../support/error-body.js'
import { printCounts, tally } from './tally.js'
import { ENGINES } from '../support/test-database.js'
import { openTestApp, STORE_TABLES, type TestApp } from '../support/test-app.js'
import {
  type BodyContext,
  type FuzzRequest,
  fuzzRequest,
  preview,
  REFUSAL_MIX,
  type RequestMix,
} from './payload-mutations.js'
import { seededRandom } from '../support/seeded-random.js'
import { printStressSizes, stressSize } from '../support/stress-size.js'

/** The same requests on every run, so that CI is deterministic; FUZZ_SEED explores others. */
const DEFAULT_SEED = 20261127
const SEED = Number(process.env['FUZZ_SEED'] ?? DEFAULT_SEED)
const CASES = stressSize('fuzzBodies')
const STORE_CASES = stressSize('fuzzStoreBodies')
const OUTBOX_URL = '/v3/accounts/self/outbox'
const SENDER_NUMBERS = ['+4930123456', '+14155550100']

/**
 * Hang detectors, not speed measurements (speed is for bench/): a request that never answers,
 * or an event loop held by a pattern that backtracks (hours), fails the test at this limit
 * instead of blocking the run. Generous: at full size the refusals take 13 s on a quiet 2-core
 * machine and 56 s at a load average of 15–20, the stored requests 2 s and 14 s.
 */
const REFUSAL_TIMEOUT_MS = 240_000
const STORE_TIMEOUT_MS = 120_000

/**
 * Every this many requests, a `from` built to make a backtracking pattern explode (a few
 * seconds each while the seed's pattern is used as is; instant once it is unambiguous): at
 * least once in every run.
 */
const BACKTRACKING_EVERY = Math.min(5000, CASES)

/** At most this many problems are printed in full. */
const SHOWN_PROBLEMS = 12

function replayHint(): string {
  return `seed ${SEED}; replay with FUZZ_SEED=${SEED} node --import tsx --test test/fuzz/send-fax.fuzz.test.ts`
}

async function send(
  testApp: TestApp,
  token: string,
  request: FuzzRequest,
): Promise<LightMyRequestResponse> {
  return testApp.app.inject({
    method: 'POST',
    url: OUTBOX_URL,
    headers: { ...request.headers, authorization: `Bearer ${token}` },
    ...(request.payload === undefined ? {} : { payload: request.payload }),
  })
}

/** Why an answer is not a proper refusal, or null when it is one. */
function refusalProblem(response: LightMyRequestResponse): string | null {
  if (response.statusCode < 400 || response.statusCode >= 500) {
    return `status ${response.statusCode}, expected a 4xx`
  }
  const type = response.headers['content-type']
  if (typeof type !== 'string' || !type.startsWith('application/json')) {
    return `content-type ${String(type)}, expected application/json`
  }
  return errorBodyProblem(response)
}

function errorCode(response: LightMyRequestResponse): string {
  try {
    const body = JSON.parse(response.body) as { error?: unknown }
    return typeof body.error === 'string' ? body.error : '(no error code)'
  } catch {
    return '(not JSON)'
  }
}

function describeProblem(
  index: number,
  request: FuzzRequest,
  response: LightMyRequestResponse,
  problem: string,
): string {
  return (
    `#${index} ${request.family} [${request.mutations.join(', ')}] ${JSON.stringify(request.headers)}: ${problem}\n` +
    `    sent ${preview(request.payload, 400)}\n` +
    `    got ${response.statusCode} ${preview(response.body, 240)}`
  )
}

const COUNTED_TABLES = STORE_TABLES
type Counts = Record<(typeof COUNTED_TABLES)[number], number>

/** The row count of every table, in one statement. */
async function countRows(testApp: TestApp): Promise<Counts> {
  const columns = COUNTED_TABLES.map((table) => `(select count(*) from ${table}) as ${table}`).join(
    ', ',
  )
  const result = await sql<Record<string, unknown>>`${sql.raw(`select ${columns}`)}`.execute(
    testApp.testStore.database(),
  )
  const row = result.rows[0] ?? {}
  return Object.fromEntries(COUNTED_TABLES.map((table) => [table, Number(row[table])])) as Counts
}

function changedTables(before: Counts, after: Counts): Partial<Counts> {
  const changed: Partial<Counts> = {}
  for (const table of COUNTED_TABLES) {
    if (after[table] !== before[table]) {
      changed[table] = after[table] - before[table]
    }
  }
  return changed
}

/** What a 201 for this request must have added, or why it cannot have been accepted. */
function acceptedProblem(
  request: FuzzRequest,
  response: LightMyRequestResponse,
  delta: Partial<Counts>,
): string | null {
  const decoded =
    typeof request.payload === 'string'
      ? request.payload
      : (request.payload?.toString('utf8') ?? '')
  // A byte order mark before JSON is accepted and dropped, as most JSON readers do.
  const text = decoded.startsWith('\ufeff') ? decoded.slice(1) : decoded
  let to: unknown
  let returnIds: unknown
  try {
    ;({ to, return_ids: returnIds } = JSON.parse(text) as { to?: unknown; return_ids?: unknown })
  } catch {
    return 'accepted a body that is not JSON'
  }
  if (!Array.isArray(to)) {
    return 'accepted a body without a `to` list'
  }
  const { outbox_entries, deliveries, jobs, outbox_status_changes, ...others } = delta
  if (outbox_entries !== 1 || jobs !== 1 || deliveries !== to.length) {
    return `a 201 for ${to.length} destinations added ${JSON.stringify(delta)}: expected 1 entry, 1 job, ${to.length} deliveries`
  }
  if (outbox_status_changes !== 1 && outbox_status_changes !== 2) {
    return `a 201 added ${String(outbox_status_changes)} status changes`
  }
  if (Object.keys(others).length > 0) {
    return `a 201 changed other tables: ${JSON.stringify(others)}`
  }
  const body = JSON.parse(response.body) as { ids?: Record<string, string> }
  if (returnIds === true) {
    const keys = Object.keys(body.ids ?? {}).sort()
    const expected = (to as string[]).slice().sort()
    if (JSON.stringify(keys) !== JSON.stringify(expected)) {
      return `return_ids answered ${keys.length} ids for ${expected.length} destinations`
    }
  } else if (Object.keys(body).length !== 0) {
    return `a 201 without return_ids answered ${response.body.slice(0, 80)}`
  }
  return null
}

describe('sendFax under fuzzing', () => {
  it(
    `refuses ${CASES} fuzzed requests with a 4xx Error body and stores nothing (sqlite)`,
    { timeout: REFUSAL_TIMEOUT_MS },
    async (t) => {
      printStressSizes(t, ['fuzzBodies'])
      t.diagnostic(replayHint())
      const testApp = await openTestApp('sqlite')
      try {
        const { token } = await testApp.user({ numbers: SENDER_NUMBERS })
        // Nothing is ever uploaded: these paths have the right shape and name no file.
        const context: BodyContext = {
          fromNumbers: SENDER_NUMBERS,
          files: Array.from({ length: 5 }, () => `/transient-${randomUUID()}`),
        }
        const before = await testApp.snapshot()
        const rng = seededRandom(SEED)
        const codes = new Map<string, number>()
        const families = new Map<string, number>()
        const problems: string[] = []
        let slowest = { ms: 0, index: -1, family: '' }
        const started = performance.now()
        for (let index = 0; index < CASES; index += 1) {
          const family =
            index % BACKTRACKING_EVERY === Math.floor(BACKTRACKING_EVERY / 2)
              ? 'backtracking'
              : undefined
          const request = fuzzRequest(rng, context, REFUSAL_MIX, {}, family)
          const sent = performance.now()
          const response = await send(testApp, token, request)
          const ms = performance.now() - sent
          tally(codes, `${response.statusCode} ${errorCode(response)}`)
          tally(families, request.family)
          if (ms > slowest.ms) {
            slowest = { ms, index, family: `${request.family} [${request.mutations.join(', ')}]` }
          }
          const problem = refusalProblem(response)
          if (problem !== null) {
            problems.push(describeProblem(index, request, response, problem))
          }
        }
        const seconds = (performance.now() - started) / 1000
        t.diagnostic(
          `${CASES} requests in ${seconds.toFixed(1)} s; slowest #${slowest.index} ${slowest.family}: ${slowest.ms.toFixed(1)} ms`,
        )
        printCounts(t, 'requests per generator family:', families)
        printCounts(t, 'answers (status error):', codes)

        assert.equal(
          problems.length,
          0,
          `${problems.length} of ${CASES} requests were not answered with a 4xx Error body (${replayHint()}):\n` +
            problems.slice(0, SHOWN_PROBLEMS).join('\n'),
        )
        assert.equal(
          await testApp.snapshot(),
          before,
          `refused requests changed the store (${replayHint()})`,
        )
      } finally {
        await testApp.close()
      }
    },
  )

  /** Valid bodies half the time, so that acceptances and refusals interleave. */
  const STORE_MIX: RequestMix = {
    valid: 45,
    treeMutated: 25,
    ruleMutated: 18,
    brokenText: 6,
    wrongContentType: 3,
    notObject: 3,
    // Forced every HOSTILE_EVERY requests instead, so that every run has some.
    hostileText: 0,
    backtracking: 0,
  }

  /** Every this many requests, a NUL or a lone surrogate in a field that reaches the store. */
  const HOSTILE_EVERY = 25

  for (const engine of ENGINES) {
    it(
      `${engine}: with real files and numbers, a 201 stores one entry and its deliveries, a refusal nothing`,
      { timeout: STORE_TIMEOUT_MS },
      async (t) => {
        printStressSizes(t, ['fuzzStoreBodies'])
        t.diagnostic(replayHint())
        const testApp = await openTestApp(engine)
        try {
          const sender = await testApp.user({ numbers: SENDER_NUMBERS })
          const { token } = sender
          const files = [
            await testApp.upload(sender, undefined, 'a.pdf'),
            await testApp.upload(sender, undefined, 'b.pdf'),
            await testApp.upload(sender, undefined, 'c.pdf'),
          ]
          const context: BodyContext = { fromNumbers: SENDER_NUMBERS, files }
          const rng = seededRandom(SEED ^ (engine === 'sqlite' ? 0x5a5a5a5a : 0x3c3c3c3c))
          const codes = new Map<string, number>()
          const problems: string[] = []
          let accepted = 0
          let counts = await countRows(testApp)
          const entriesAtStart = counts.outbox_entries
          const started = performance.now()
          for (let index = 0; index < STORE_CASES; index += 1) {
            const family = index % HOSTILE_EVERY === HOSTILE_EVERY - 1 ? 'hostileText' : undefined
            const request = fuzzRequest(rng, context, STORE_MIX, { maxDestinations: 1000 }, family)
            const response = await send(testApp, token, request)
            const after = await countRows(testApp)
            const delta = changedTables(counts, after)
            counts = after
            tally(codes, `${response.statusCode} ${errorCode(response)}`)
            let problem: string | null
            if (response.statusCode === 201) {
              accepted += 1
              problem = acceptedProblem(request, response, delta)
            } else {
              problem =
                refusalProblem(response) ??
                (Object.keys(delta).length > 0
                  ? `a refusal changed rows: ${JSON.stringify(delta)}`
                  : null) ??
                (request.expectAccepted
                  ? 'a valid body with real files and numbers was refused'
                  : null)
            }
            if (problem !== null) {
              problems.push(describeProblem(index, request, response, problem))
            }
          }
          const seconds = (performance.now() - started) / 1000
          t.diagnostic(`${STORE_CASES} requests in ${seconds.toFixed(1)} s, ${accepted} accepted`)
          printCounts(t, 'answers (status error):', codes)

          assert.equal(
            problems.length,
            0,
            `${problems.length} of ${STORE_CASES} requests went wrong on ${engine} (${replayHint()}):\n` +
              problems.slice(0, SHOWN_PROBLEMS).join('\n'),
          )
          assert.equal(counts.outbox_entries - entriesAtStart, accepted)
          assert.ok(
            accepted > STORE_CASES / 4,
            `only ${accepted} of ${STORE_CASES} requests were accepted`,
          )
        } finally {
          await testApp.close()
        }
      },
    )
  }
})
