/**
 * Workers die, the faxes still end right: faxes with retries go to a seeded-random mix of the
 * seven test numbers (docs/test-numbers.md) through `faxd serve` (API only, never killed) while
 * `faxd worker` processes, one or two at a time, are killed with SIGKILL at random moments and
 * replaced: a third of the kills at any moment, a third aimed at a worker in the middle of a call,
 * a third at one delivering a webhook. `npm test` sends 40 faxes and kills 4 times (one of each
 * kind and one more), `npm run test:stress` 300 faxes and 12 kills (test/support/stress-size.ts).
 * Then one worker is left to finish, and the test reads the database and the API:
 *
 * 1. every id `return_ids` gave has a fax record with a final status; the outbox, the
 *    deliveries and the job queue are empty;
 * 2. no fax was transmitted again after it succeeded: attempts are numbered 1…n, at most one is
 *    a success, and none follows it;
 * 3. each fax ended as its number and options say (fax-model.ts: the closed form where no crash
 *    touched it, the attempt-by-attempt replay everywhere);
 * 4. 1 ≤ attempts ≤ 1 + retry.count, besides the restarts of calls cut short by a kill (which do
 *    not count against options.retry);
 * 5. every attempt but those restarts made exactly one fax_sent delivery, every delivery is
 *    `delivered` and reached the receiver (signed, with the stored body) at least once:
 *    deliveries = the replay's events, exactly;
 * 6. at least one kill hit a worker in a call, and one a worker delivering a webhook.
 *
 * A run that stops making progress (nothing changes for STALL_MS, well past the 10-s lease of a
 * dead worker's job) is reported with what is stuck: the deliveries left, their attempts and
 * their jobs. Knobs: CRASH_SEED replays a run's plan, CRASH_ENGINES=postgres,sqlite (default
 * postgres), CRASH_FAXES, CRASH_KILLS and CRASH_SEND_PAUSE_MS set the size, CRASH_KEEP=1 keeps the
 * database and the data folder of a failed run (their place is printed).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { describe, it, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import type { Kysely } from 'kysely'
import { sessionId } from '../../src/domain/fax-event.js'
import type { Database } from '../../src/storage/sql/schema.js'
import { BIN, serve, type FaxdProcess } from '../support/faxd-process.js'
import { faxTiffOf } from '../support/fax-tiff.js'
import { DOCUMENTS } from '../support/fixtures.js'
import { startReceiver, type Receiver } from '../webhooks/receiver.js'
import { openCrashDatabase, type CrashEngine } from './crash-database.js'
import {
  expectedOutcome,
  INTERRUPTED_CARRIER,
  replayAttempts,
  TEST_NUMBERS,
  type AttemptRow,
  type FaxOptions,
  type Replay,
  type TestNumber,
} from './fax-model.js'
import { seededRandom, type SeededRandom } from '../support/seeded-random.js'
import { type Api, apiClient } from '../support/api-client.js'
import { printStressSizes, stressSize } from '../support/stress-size.js'
import { crashSeed } from './crash-seed.js'
import { spawnWorker, type WorkerProcess } from './worker-process.js'

const FAXES = stressSize('crashFaxes')
const KILLS = stressSize('crashKills')
/** sendFax calls go in eight batches, this long or up to four times shorter apart. */
const SEND_PAUSE_MS = stressSize('crashSendPauseMs')
const ENGINES = enginesFromEnv()
const KEEP = process.env['CRASH_KEEP'] === '1'
/** A call of two typical pages to +15555550100 (51.4 s, docs/test-numbers.md) takes 0.1 s. */
const TIME_SCALE = '0.002'
const FROM = '+15555550150'
/** Sent as a fax TIFF (test/support/fax-tiff.ts): each sendFax renders it. */
const DOCUMENT = 'text-letter.pdf'
const PAGES = DOCUMENTS.find((fixture) => fixture.file === DOCUMENT)?.pages ?? 0
/**
 * The workers' lease, shorter than the product's 60 s so that the run does not wait a minute
 * after each kill; long enough that a worker on a loaded machine keeps renewing it in time.
 */
const LEASE_SECONDS = 10
/** Nothing changing for this long means stuck: well past a dead worker's lease. */
const STALL_MS = 60_000
/**
 * A limit for a run that moves but never ends (STALL_MS catches one that stops): on a 2-core
 * machine 300 faxes took 13.5 min at a load average of 10–20, 7.5 min at 3–9; 40 faxes 1.4 min.
 */
const TEST_TIMEOUT_MS = 10 * 60_000 + FAXES * 5_000

const run = promisify(execFile)

interface SendPlan {
  readonly to: readonly TestNumber[]
  readonly retryCount: number
  readonly retryDelay: number
  /** Sent as options.partially_sent_retry when not undefined. */
  readonly partiallySentRetry: boolean | undefined
}

interface SentFax {
  readonly id: string
  readonly to: TestNumber
  readonly plan: SendPlan
  readonly options: FaxOptions
}

interface Kill {
  readonly pid: number
  /** Aimed at a moment when the worker was in a call or delivering a webhook, or any moment. */
  readonly aim: Aim
  /** False when no worker did what the kill was aimed at within AIM_WAIT_MS. */
  readonly hit: boolean
  /** What it held at the last look before the kill (from the jobs table). */
  readonly held: string
}

type Aim = 'any' | 'call' | 'webhook'

/** A third of the kills at any moment, a third in a call, a third in a webhook delivery. */
const AIMS: readonly Aim[] = Array.from({ length: KILLS }, (_, index) =>
  index % 3 === 0 ? 'any' : index % 3 === 1 ? 'call' : 'webhook',
)
/** How long an aimed kill waits for a worker doing what it is aimed at. */
const AIM_WAIT_MS = 180_000

describe('SIGKILLed workers: every fax ends once, every event is delivered', () => {
  for (const engine of ENGINES) {
    it(`${FAXES} faxes, ${KILLS} kills (${engine})`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
      await crashRun(t, engine)
    })
  }
})

async function crashRun(t: TestContext, engine: CrashEngine): Promise<void> {
  const startedAt = Date.now()
  const seed = crashSeed()
  const random = seededRandom(seed)
  printStressSizes(t, ['crashFaxes', 'crashKills', 'crashSendPauseMs'])
  t.diagnostic(`seed ${seed} (CRASH_SEED=${seed} replays the plan), engine ${engine}`)
  assert.ok(PAGES >= 2, `${DOCUMENT} must have two pages or more for +15555550104`)
  assert.ok(
    KILLS >= 3,
    `${KILLS} kills: at least 3, one at any moment, one mid-call, one mid-webhook`,
  )
  const database = await openCrashDatabase(engine)
  const workers: WorkerProcess[] = []
  let server: FaxdProcess | undefined
  let receiver: Receiver | undefined
  let passed = false
  let sampling = true
  try {
    const env = {
      ...database.env,
      FAXD_SIMULATED_TIME_SCALE: TIME_SCALE,
      FAXD_WEBHOOK_ALLOW_PRIVATE: '1',
      FAXD_SOFFICE: 'none',
      // A dead worker's jobs are taken over this long after its last heartbeat.
      FAXD_JOB_LEASE_SECONDS: String(LEASE_SECONDS),
      // Two renders at a time per worker: rendering, not calling, is what the run waits for.
      FAXD_WORKER_RENDERS: '2',
    }
    const token = await operatorSetup(env)
    receiver = await startReceiver(200)
    server = await serve({ ...env, FAXD_EMBEDDED_WORKER: '0' })
    const api = apiClient(server.url, token)
    const hook = await api('POST', '/v3/hooks', {
      target: receiver.url('/fax-sent'),
      event: 'fax_sent',
    })
    assert.equal(hook.status, 200, JSON.stringify(hook.body))
    const hookId = String(hook.body.id)
    const file = await upload(server.url, token)
    const db = database.db()
    const timeline: [string, number][] = [['setup', Date.now() - startedAt]]
    const mark = (name: string): void => {
      timeline.push([name, Date.now() - startedAt])
    }

    const plans = planSends(random, FAXES)
    const batches = inBatches(plans, 8)
    const sent: SentFax[] = []
    const send = async (batch: readonly SendPlan[]): Promise<void> => {
      for (const plan of batch) {
        sent.push(...(await sendFax(api, file, plan)))
      }
    }
    await send(batches[0] ?? [])

    // Workers: one or two at a time, killed and replaced KILLS times, while the rest is sent.
    const workerEnv = { ...env, LOG_LEVEL: 'info' }
    const start = (): WorkerProcess => {
      const worker = spawnWorker(workerEnv)
      workers.push(worker)
      return worker
    }
    start()
    start()
    let sentAll = false
    const sending = (async () => {
      for (const batch of batches.slice(1)) {
        await sleep(random.between(SEND_PAUSE_MS / 4, SEND_PAUSE_MS))
        await send(batch)
      }
      sentAll = true
      mark('every sendFax answered')
    })()
    // Notes when the last entry has its pages: the rest of the run is calls and webhooks.
    const sampler = (async () => {
      while (sampling) {
        if (sentAll && (await unrendered(db)) === 0) {
          mark('every entry rendered')
          return
        }
        await sleep(1000)
      }
    })()
    // Awaited below; these keep an early failure from leaving a rejection unhandled.
    sending.catch(() => {})
    sampler.catch(() => {})
    const kills: Kill[] = []
    const aims = random.sample(AIMS, AIMS.length)
    const killPlan = aims.map((aim) => ({
      aim,
      delayMs: random.between(500, 3000),
      pick: random.next(),
      // An aimed kill lands a little after the call or the delivery was seen: before, during or
      // after its pages or its POST.
      jitterMs: random.between(0, 50),
      keep: random.int(1, 2),
    }))
    for (const step of killPlan) {
      await sleep(step.delayMs)
      const target = await findTarget(db, workers, step.aim, step.pick)
      if (step.aim !== 'any') {
        await sleep(step.jitterMs)
      }
      await target.worker.kill()
      kills.push({ pid: target.worker.pid, aim: step.aim, hit: target.hit, held: target.held })
      while (workers.filter((worker) => worker.running()).length < step.keep) {
        start()
      }
    }
    mark('last kill')
    await sending
    // One worker finishes the work: the others stop gracefully.
    const alive = workers.filter((worker) => worker.running())
    for (const extra of alive.slice(1)) {
      await extra.stop()
    }
    if (alive.length === 0) {
      start()
    }
    const killedAt = Date.now()

    const settled = await settle(db, receiver, workers, sent.length)
    const settleMs = Date.now() - killedAt
    mark(settled ? 'settled' : 'stuck')
    sampling = false
    await sampler
    const outcome = await inspect(db, api, receiver, hookId, sent)
    const problems = [
      ...(settled
        ? []
        : [`no progress for ${STALL_MS / 1000} s: the run is stuck`, ...(await stuckReport(db))]),
      ...outcome.problems,
      ...killProblems(kills),
    ]
    summarize(t, {
      engine,
      seed,
      sent,
      plans,
      kills,
      outcome,
      workers,
      totalMs: Date.now() - startedAt,
      settleMs,
      timeline,
    })
    for (const problem of problems.slice(0, 60)) {
      t.diagnostic(`PROBLEM ${problem}`)
    }
    if (KEEP && problems.length > 0) {
      t.diagnostic(`kept: ${database.where}`)
    }
    assert.deepEqual(problems.slice(0, 60), [], `seed ${seed}: ${problems.length} problems`)
    passed = true
  } finally {
    sampling = false
    await Promise.all(workers.map(async (worker) => worker.stop()))
    await server?.stop()
    await receiver?.close()
    await database.cleanup({ keep: KEEP && !passed })
  }
}

// ---- setting up ---------------------------------------------------------------------------

async function faxdJson(env: Record<string, string>, ...args: string[]) {
  const { stdout } = await run(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
  })
  return JSON.parse(stdout) as Record<string, string>
}

/** An account with a number and a token, made with the operator CLI (which migrates the store). */
async function operatorSetup(env: Record<string, string>): Promise<string> {
  const account = await faxdJson(env, 'accounts', 'create', '--email', 'crash@example.test')
  const uid = account['uid'] ?? ''
  await faxdJson(env, 'numbers', 'add', FROM, '--owner', uid)
  return (await faxdJson(env, 'tokens', 'create', '--user', uid))['token'] ?? ''
}

async function upload(url: string, token: string): Promise<string> {
  const form = new FormData()
  const tiff = await faxTiffOf(DOCUMENT)
  form.append('fax_file', new Blob([tiff], { type: 'image/tiff' }), 'letter.tif')
  const response = await fetch(`${url}/v3/accounts/self/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  })
  assert.equal(response.status, 200)
  return ((await response.json()) as { path: string }).path
}

/** sendFax calls of 1–3 destinations until there are `faxes` destinations in all. */
function planSends(random: SeededRandom, faxes: number): SendPlan[] {
  const plans: SendPlan[] = []
  let total = 0
  while (total < faxes) {
    const size = Math.min(random.int(1, 3), faxes - total)
    plans.push({
      to: random.sample(TEST_NUMBERS, size),
      retryCount: random.int(0, 3),
      retryDelay: random.int(0, 2),
      partiallySentRetry: random.pick([true, false, undefined]),
    })
    total += size
  }
  return plans
}

function inBatches<T>(items: readonly T[], count: number): T[][] {
  const size = Math.ceil(items.length / count)
  return Array.from({ length: count }, (_, index) => items.slice(index * size, (index + 1) * size))
}

async function sendFax(api: Api, file: string, plan: SendPlan): Promise<SentFax[]> {
  const response = await api('POST', '/v3/accounts/self/outbox', {
    from: FROM,
    to: plan.to,
    files: [file],
    return_ids: true,
    options: {
      retry: { count: plan.retryCount, delay: plan.retryDelay },
      ...(plan.partiallySentRetry === undefined
        ? {}
        : { partially_sent_retry: plan.partiallySentRetry }),
    },
  })
  assert.equal(response.status, 201, JSON.stringify(response.body))
  const ids = response.body['ids'] as Record<string, string>
  const options: FaxOptions = {
    retryCount: plan.retryCount,
    partiallySentRetry: plan.partiallySentRetry === true,
    pages: PAGES,
  }
  return plan.to.map((to) => {
    const id = ids[to]
    assert.ok(id, `an id for ${to}: ${JSON.stringify(response.body)}`)
    return { id, to, plan, options }
  })
}

// ---- killing ------------------------------------------------------------------------------

/** What each worker holds now (its leased jobs, and whether its delivery is in a call), by pid. */
async function heldByPid(db: Kysely<Database>): Promise<Map<number, string>> {
  const jobs = await db
    .selectFrom('jobs')
    .select(['kind', 'payload', 'locked_by'])
    .where('locked_by', 'is not', null)
    .where('locked_until', '>', Date.now())
    .execute()
  const calling = new Map(
    (
      await db
        .selectFrom('deliveries')
        .select(['id', 'destination'])
        .where('calling', '=', 1)
        .execute()
    ).map((row) => [row.id, row.destination]),
  )
  const held = new Map<number, string>()
  for (const job of jobs) {
    // Worker names are `host:pid:random` (src/main.ts).
    const pid = Number(/:(\d+):[^:]*$/.exec(job.locked_by ?? '')?.[1])
    const deliveryId = (JSON.parse(job.payload) as { deliveryId?: unknown }).deliveryId
    const to = typeof deliveryId === 'string' ? calling.get(deliveryId) : undefined
    const what = job.kind === 'send-fax' && to !== undefined ? `send-fax calling ${to}` : job.kind
    held.set(pid, held.has(pid) ? `${held.get(pid)}, ${what}` : what)
  }
  return held
}

/**
 * The worker to kill: for `any`, one of the started workers (`pick` chooses); for `call` and
 * `webhook`, the first seen in a call or delivering a webhook, looked for every few
 * milliseconds for up to AIM_WAIT_MS, then any.
 */
async function findTarget(
  db: Kysely<Database>,
  workers: readonly WorkerProcess[],
  aim: Aim,
  pick: number,
): Promise<{ worker: WorkerProcess; held: string; hit: boolean }> {
  const until = Date.now() + AIM_WAIT_MS
  for (;;) {
    assertNoCrash(workers)
    const started = workers.filter((worker) => worker.running() && worker.ready())
    if (started.length > 0) {
      const held = await heldByPid(db)
      const heldBy = (worker: WorkerProcess): string => held.get(worker.pid) ?? 'nothing'
      const aimed = started.find((worker) =>
        aim === 'call'
          ? heldBy(worker).includes('calling')
          : heldBy(worker).includes('deliver-webhook'),
      )
      if (aim !== 'any' && aimed !== undefined) {
        return { worker: aimed, held: heldBy(aimed), hit: true }
      }
      if (aim === 'any' || Date.now() > until) {
        const worker = started[Math.floor(pick * started.length)] ?? started[0]
        assert.ok(worker)
        return { worker, held: heldBy(worker), hit: aim === 'any' }
      }
    }
    await sleep(2)
  }
}

/** 6. The kills aimed at a call and at a webhook delivery hit one at least once each. */
function killProblems(kills: readonly Kill[]): string[] {
  return (['call', 'webhook'] as const)
    .filter((aim) => !kills.some((kill) => kill.aim === aim && kill.hit))
    .map((aim) => `no kill hit a worker in a ${aim === 'call' ? 'call' : 'webhook delivery'}`)
}

// ---- waiting for the end ------------------------------------------------------------------

interface Progress {
  readonly faxes: number
  readonly attempts: number
  readonly webhookDeliveries: number
  readonly delivered: number
  readonly jobs: number
  readonly outbox: number
  readonly deliveries: number
  readonly rendered: number
  readonly received: number
}

async function progressOf(db: Kysely<Database>, receiver: Receiver): Promise<Progress> {
  const count = async (table: keyof Database): Promise<number> => {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirst()
    return Number(row?.count ?? 0)
  }
  const delivered = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('status', '=', 'delivered')
    .executeTakeFirst()
  const rendered = await db
    .selectFrom('outbox_entries')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('document_key', 'is not', null)
    .executeTakeFirst()
  return {
    faxes: await count('faxes'),
    attempts: await count('fax_attempts'),
    webhookDeliveries: await count('webhook_deliveries'),
    delivered: Number(delivered?.count ?? 0),
    jobs: await count('jobs'),
    outbox: await count('outbox_entries'),
    deliveries: await count('deliveries'),
    rendered: Number(rendered?.count ?? 0),
    received: receiver.requests.length,
  }
}

/** A worker that exited on its own (not killed by the test) ends the run with its log. */
function assertNoCrash(workers: readonly WorkerProcess[]): void {
  const crashed = workers.find((worker) => worker.crashed())
  if (crashed !== undefined) {
    throw new Error(`faxd worker ${crashed.pid} exited on its own:\n${crashed.log().slice(-4000)}`)
  }
}

async function unrendered(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('outbox_entries')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('document_key', 'is', null)
    .executeTakeFirst()
  return Number(row?.count ?? 0)
}

/**
 * Waits until every fax has its record, nothing is left to do and the receiver has every
 * delivery; false when nothing changes for STALL_MS first.
 */
async function settle(
  db: Kysely<Database>,
  receiver: Receiver,
  workers: readonly WorkerProcess[],
  faxes: number,
): Promise<boolean> {
  let last = ''
  let changedAt = Date.now()
  for (;;) {
    assertNoCrash(workers)
    const progress = await progressOf(db, receiver)
    if (
      progress.faxes === faxes &&
      progress.outbox === 0 &&
      progress.deliveries === 0 &&
      progress.jobs === 0 &&
      progress.delivered === progress.webhookDeliveries &&
      (await everyDeliveryReceived(db, receiver))
    ) {
      return true
    }
    const now = JSON.stringify(progress)
    if (now !== last) {
      last = now
      changedAt = Date.now()
    } else if (Date.now() - changedAt > STALL_MS) {
      return false
    }
    await sleep(1000)
  }
}

async function everyDeliveryReceived(db: Kysely<Database>, receiver: Receiver): Promise<boolean> {
  const seen = new Set(receiver.requests.map((request) => request.headers['x-faxd-delivery']))
  const rows = await db.selectFrom('webhook_deliveries').select('id').execute()
  return rows.every((row) => seen.has(row.id))
}

// ---- judging ------------------------------------------------------------------------------

interface Inspection {
  readonly problems: readonly string[]
  readonly faxStatuses: ReadonlyMap<string, number>
  readonly attempts: number
  readonly interruptedAttempts: number
  readonly faxesTouchedByCrash: number
  readonly retriedAfterInterruption: number
  /** The faxes with a call that a worker took over (its holder died or failed), with their attempts. */
  readonly touched: readonly string[]
  readonly webhookDeliveries: number
  readonly requests: number
  readonly distinctReceived: number
  readonly duplicateRequests: number
}

const FINAL = /^(success|partially_sent|failed_[a-z_]+)$/

async function inspect(
  db: Kysely<Database>,
  api: Api,
  receiver: Receiver,
  hookId: string,
  sent: readonly SentFax[],
): Promise<Inspection> {
  const problems: string[] = []
  const attemptRows = await db
    .selectFrom('fax_attempts')
    .selectAll()
    .orderBy('fax_id')
    .orderBy('attempt')
    .execute()
  const attemptsOf = new Map<string, AttemptRow[]>()
  for (const row of attemptRows) {
    const list = attemptsOf.get(row.fax_id) ?? []
    list.push({
      attempt: row.attempt,
      status: row.status,
      carrier: row.carrier,
      pagesConfirmed: JSON.parse(row.pages_confirmed) as number[],
    })
    attemptsOf.set(row.fax_id, list)
  }

  // 1. Every fax has its final record; nothing is left in the outbox or the queue.
  const outbox = await api('GET', '/v3/accounts/self/outbox')
  const left = (outbox.body['records'] as unknown[] | undefined) ?? []
  if (outbox.status !== 200 || left.length !== 0) {
    problems.push(`the outbox still lists ${left.length} entries (HTTP ${outbox.status})`)
  }
  const jobs = await db.selectFrom('jobs').select(['id', 'kind']).execute()
  if (jobs.length !== 0) {
    problems.push(
      `${jobs.length} jobs are left: ${countBy(jobs.map((job) => job.kind)).join(', ')}`,
    )
  }
  const deliveriesLeft = await db.selectFrom('deliveries').select('id').execute()
  if (deliveriesLeft.length !== 0) {
    problems.push(`${deliveriesLeft.length} deliveries are left (not ended)`)
  }

  const faxStatuses = new Map<string, number>()
  const replays = new Map<string, Replay>()
  let interruptedAttempts = 0
  let faxesTouchedByCrash = 0
  let retriedAfterInterruption = 0
  const touched: string[] = []
  for (const fax of sent) {
    const attempts = attemptsOf.get(fax.id) ?? []
    const about = `fax ${fax.id} to ${fax.to} (retry ${fax.plan.retryCount}×${fax.plan.retryDelay}s, psr ${String(fax.plan.partiallySentRetry)}; attempts ${describeAttempts(attempts)})`
    const response = await api('GET', `/v3/accounts/self/faxes/${fax.id}`)
    const status = response.status === 200 ? String(response.body['status']) : null
    faxStatuses.set(status ?? 'none', (faxStatuses.get(status ?? 'none') ?? 0) + 1)
    // A fax without its record is reported once; the checks below that compare the record or
    // the number of attempts would only say so again.
    const recorded = status !== null && FINAL.test(status)
    if (!recorded) {
      problems.push(`no final record (HTTP ${response.status}, status ${String(status)}): ${about}`)
    }

    // 2. Never again after a success.
    const successes = attempts.filter((attempt) => attempt.status === 'success').length
    const firstSuccess = attempts.findIndex((attempt) => attempt.status === 'success')
    if (successes > 1) {
      problems.push(`transmitted again after it succeeded (${successes} successes): ${about}`)
    } else if (firstSuccess !== -1 && firstSuccess < attempts.length - 1) {
      problems.push(`an attempt after the success: ${about}`)
    }
    attempts.forEach((attempt, index) => {
      if (attempt.attempt !== index + 1) {
        problems.push(`attempts are not numbered 1…n: ${about}`)
      }
    })

    // 3. As the number and the options say.
    const replay = replayAttempts(fax.to, fax.options, attempts)
    replays.set(fax.id, replay)
    interruptedAttempts += replay.interrupted
    if (replay.interrupted > 0) {
      faxesTouchedByCrash++
      touched.push(`${about}, ended ${String(status)}`)
      const interruptedAt = attempts.findIndex((a) => a.carrier === INTERRUPTED_CARRIER)
      if (interruptedAt < attempts.length - 1) {
        retriedAfterInterruption++
      }
    }
    for (const problem of replay.problems) {
      problems.push(`${problem}: ${about}`)
    }
    if (recorded && attempts.length > 0 && replay.moreExpected) {
      problems.push(`the model expects another attempt: ${about}`)
    }
    if (status !== null && replay.finalStatus !== null && status !== replay.finalStatus) {
      problems.push(`ended ${status}, its attempts say ${replay.finalStatus}: ${about}`)
    }
    const pages = response.status === 200 ? Number(response.body['pages']) : null
    if (pages !== null && attempts.length > 0 && pages !== replay.pagesConfirmed) {
      problems.push(
        `the record has ${pages} pages, its attempts confirmed ${replay.pagesConfirmed}: ${about}`,
      )
    }
    if (recorded && replay.interrupted === 0) {
      const expected = expectedOutcome(fax.to, fax.options)
      const got = { status, attempts: attempts.length, pages }
      if (JSON.stringify(got) !== JSON.stringify(expected)) {
        problems.push(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}: ${about}`)
      }
    }

    // 4. Within the retries allowed; restarts after a crash of ours do not count.
    const counted = attempts.length - replay.restarts
    if (recorded && (counted < 1 || counted > 1 + fax.plan.retryCount)) {
      problems.push(
        `${counted} attempts besides ${replay.restarts} restarts, allowed 1…${1 + fax.plan.retryCount}: ${about}`,
      )
    }
  }
  const known = new Set(sent.map((fax) => fax.id))
  for (const faxId of attemptsOf.keys()) {
    if (!known.has(faxId)) {
      problems.push(`attempts of a fax no sendFax returned: ${faxId}`)
    }
  }

  // 5. One fax_sent delivery per attempt, each delivered and received at least once.
  const secretResponse = await api('GET', `/v3/hooks/${hookId}/deliveries`)
  const secret = String(secretResponse.body['signing_secret'])
  const deliveries = await db
    .selectFrom('webhook_deliveries')
    .select(['id', 'hook_id', 'event', 'status', 'body'])
    .execute()
  const byId = new Map(deliveries.map((row) => [row.id, row]))
  const bySession = new Map<string, string[]>()
  for (const row of deliveries) {
    const payload = JSON.parse(row.body) as {
      hook: { id: string; event: string }
      data: { id: string; status: string; pages: number }
    }
    const key = `${payload.hook.id}/${payload.data.id}/${payload.data.status}/${payload.data.pages}`
    bySession.set(key, [...(bySession.get(key) ?? []), row.id])
    if (row.status !== 'delivered') {
      problems.push(`webhook delivery ${row.id} is ${row.status}, not delivered (${key})`)
    }
    if (row.hook_id !== hookId || row.event !== 'fax_sent') {
      problems.push(`webhook delivery ${row.id} is for ${row.hook_id}/${row.event}`)
    }
  }
  // Every attempt but the restarts (which report nothing) made one event.
  const events = [...replays.values()].reduce((total, replay) => total + replay.events.length, 0)
  if (deliveries.length !== events) {
    problems.push(
      `${deliveries.length} webhook deliveries for ${events} attempts that report one: they must be equal`,
    )
  }
  for (const fax of sent) {
    for (const event of replays.get(fax.id)?.events ?? []) {
      const key = `${fax.id}/${sessionId(fax.id, event.attempt)}/${event.status}/${event.pages}`
      const matching = bySession.get(key) ?? []
      if (matching.length !== 1) {
        problems.push(
          `${matching.length} fax_sent deliveries for attempt ${event.attempt} of fax ${fax.id} (${key})`,
        )
      }
    }
  }
  const receivedIds = new Map<string, number>()
  const triples = new Set<string>()
  for (const request of receiver.requests) {
    const id = String(request.headers['x-faxd-delivery'])
    receivedIds.set(id, (receivedIds.get(id) ?? 0) + 1)
    const stored = byId.get(id)
    if (stored === undefined) {
      problems.push(`the receiver got delivery ${id}, which the store does not have`)
      continue
    }
    if (request.body !== stored.body) {
      problems.push(`delivery ${id} arrived with a body other than the stored one`)
    }
    const timestamp = String(request.headers['x-faxd-timestamp'])
    const mac = createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')
    if (request.headers['x-faxd-signature'] !== `v1=${mac}`) {
      problems.push(`delivery ${id} arrived with a wrong signature`)
    }
    const payload = JSON.parse(request.body) as {
      hook: { id: string }
      data: { id: string; status: string }
    }
    triples.add(`${payload.hook.id}/${payload.data.id}/${payload.data.status}`)
  }
  for (const row of deliveries) {
    if (!receivedIds.has(row.id)) {
      problems.push(`delivery ${row.id} never reached the receiver`)
    }
  }
  if (triples.size !== events) {
    problems.push(
      `the receiver saw ${triples.size} distinct (hook.id, data.id, status) for ${events} attempts that report one`,
    )
  }
  return {
    problems,
    faxStatuses,
    attempts: attemptRows.length,
    interruptedAttempts,
    faxesTouchedByCrash,
    retriedAfterInterruption,
    touched,
    webhookDeliveries: deliveries.length,
    requests: receiver.requests.length,
    distinctReceived: receivedIds.size,
    duplicateRequests: receiver.requests.length - receivedIds.size,
  }
}

/** What is stuck when the run stops moving: each delivery left, its attempts and its jobs. */
async function stuckReport(db: Kysely<Database>): Promise<string[]> {
  const lines: string[] = []
  const now = Date.now()
  // Deliveries left calling come first: a call nobody is making blocks its destination.
  const deliveries = await db
    .selectFrom('deliveries')
    .selectAll()
    .orderBy('calling', 'desc')
    .orderBy('destination')
    .execute()
  const open = new Set(deliveries.filter((d) => d.calling === 1).map((d) => d.destination))
  const jobs = await db.selectFrom('jobs').selectAll().execute()
  for (const delivery of deliveries) {
    const attempts = await db
      .selectFrom('fax_attempts')
      .selectAll()
      .where('fax_id', '=', delivery.id)
      .orderBy('attempt')
      .execute()
    const itsJobs = jobs.filter((job) => job.payload.includes(delivery.id))
    const state =
      delivery.calling === 1
        ? 'left calling'
        : open.has(delivery.destination)
          ? 'waiting for its destination, which has a call open'
          : 'waiting'
    lines.push(
      `stuck delivery ${delivery.id} to ${delivery.destination} (${state}): ${JSON.stringify(delivery)}; ` +
        `attempts ${JSON.stringify(attempts)}; jobs ${JSON.stringify(itsJobs.map((job) => ({ ...job, run_at: job.run_at - now, locked_until: job.locked_until === null ? null : job.locked_until - now })))}`,
    )
  }
  const entries = await db
    .selectFrom('outbox_entries')
    .select(['id', 'status', 'page_count', 'document_key'])
    .execute()
  for (const entry of entries) {
    lines.push(`outbox entry left: ${JSON.stringify(entry)}`)
  }
  for (const job of jobs.filter((job) => job.kind !== 'send-fax')) {
    lines.push(`job left: ${JSON.stringify({ ...job, run_at: job.run_at - now })}`)
  }
  return lines
}

// ---- reporting ----------------------------------------------------------------------------

function summarize(
  t: TestContext,
  run: {
    engine: CrashEngine
    seed: number
    sent: readonly SentFax[]
    plans: readonly SendPlan[]
    kills: readonly Kill[]
    outcome: Inspection
    workers: readonly WorkerProcess[]
    totalMs: number
    settleMs: number
    timeline: readonly [string, number][]
  },
): void {
  const { outcome } = run
  t.diagnostic(
    `faxes ${run.sent.length} in ${run.plans.length} sendFax calls; by number: ${countBy(run.sent.map((fax) => fax.to)).join(', ')}`,
  )
  t.diagnostic(`fax statuses: ${[...outcome.faxStatuses].map(([s, n]) => `${s} ${n}`).join(', ')}`)
  t.diagnostic(
    `attempts ${outcome.attempts}; ended by a worker that took over the call (carrier interrupted) ${outcome.interruptedAttempts} ` +
      `(faxes touched ${outcome.faxesTouchedByCrash}, retried after the interruption ${outcome.retriedAfterInterruption})`,
  )
  for (const fax of outcome.touched) {
    t.diagnostic(`interrupted: ${fax}`)
  }
  t.diagnostic(
    `kills ${run.kills.length}; workers started ${run.workers.length}; at the kill they held: ${countBy(run.kills.map((kill) => `${kill.aim}${kill.hit ? '' : ' (missed)'}→${kill.held.replace(/ \+\d+/g, '')}`)).join('; ')}`,
  )
  t.diagnostic(
    `webhook deliveries ${outcome.webhookDeliveries}; requests received ${outcome.requests}, distinct deliveries ${outcome.distinctReceived}, repeats ${outcome.duplicateRequests}`,
  )
  const logged = run.workers.flatMap((worker) =>
    worker
      .log()
      .split('\n')
      .filter((line) => /"level":(40|50|60)/.test(line))
      .map((line) => {
        const entry = JSON.parse(line) as {
          msg?: string
          kind?: string
          err?: { message?: string }
        }
        return `${entry.msg ?? '?'}${entry.kind === undefined ? '' : ` (${entry.kind})`}${entry.err?.message === undefined ? '' : `: ${entry.err.message.slice(0, 200)}`}`
      }),
  )
  t.diagnostic(`worker warnings and errors: ${countBy(logged).join('; ') || 'none'}`)
  t.diagnostic(
    `time ${Math.round(run.totalMs / 1000)} s in all, ${Math.round(run.settleMs / 1000)} s with one worker left at the end; ` +
      run.timeline.map(([name, ms]) => `${name} at ${Math.round(ms / 1000)} s`).join(', '),
  )
}

function countBy(items: readonly string[]): string[] {
  const counts = new Map<string, number>()
  for (const item of items) {
    counts.set(item, (counts.get(item) ?? 0) + 1)
  }
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([item, count]) => `${item} ${count}`)
}

function describeAttempts(attempts: readonly AttemptRow[]): string {
  return attempts.length === 0
    ? 'none'
    : attempts
        .map((a) => `${a.attempt} ${a.status} ${a.carrier} [${a.pagesConfirmed.join(',')}]`)
        .join('; ')
}

// ---- knobs --------------------------------------------------------------------------------

function enginesFromEnv(): CrashEngine[] {
  const text = process.env['CRASH_ENGINES'] ?? 'postgres'
  const engines = text.split(',').map((name) => name.trim())
  for (const engine of engines) {
    if (engine !== 'postgres' && engine !== 'sqlite') {
      throw new Error(`CRASH_ENGINES lists postgres and/or sqlite, not ${engine}`)
    }
  }
  return engines as CrashEngine[]
}
