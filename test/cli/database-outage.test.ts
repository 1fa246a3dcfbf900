/**
 * The database goes away and comes back (issue 11, item 6): `faxd serve` (without its embedded
 * worker) and a `faxd worker` on a PostgreSQL cluster of the test's own, while faxes are sent at
 * a steady pace. The cluster is stopped with `-m fast` (sessions told to end) and with
 * `-m immediate` (a crash) in turn, for a few seconds each, and started again: twice in
 * `npm test`, six times under `npm run test:stress`. Both processes stay
 * up; every answer is 201 or 503 with Retry-After in the Fax.Plus Error form; sendFax answers
 * 201 again within seconds of each restart; and every fax answered 201 ends `success`.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { ERROR_KEYS } from '../support/error-body.js'
import { type FaxdChild, startFaxdChild } from '../support/faxd-child.js'
import { multipartBody } from '../support/multipart.js'
import { aSenderWithToken } from '../support/operator-setup.js'
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres.js'
import { printStressSizes, stressSize } from '../support/stress-size.js'

const FROM = '+15555550150'
const TO = '+15555550100'
const SEND_EVERY_MS = 400
const OUTAGE_MS = 4_000
/** Answers to requests sent this close to the restart may come from either side of it. */
const IN_FLIGHT_MARGIN_MS = 500
/** How soon after the database is back sendFax must be answered 201 again. */
const RECOVERY_LIMIT_MS = 10_000

interface Answer {
  readonly atMs: number
  readonly status: number | 'no answer'
  readonly retryAfter?: string
  readonly body: string
  readonly faxId?: string
}

describe('faxd serve and faxd worker while PostgreSQL stops and starts', () => {
  let cluster: PrivatePostgres
  let dataDir: string
  let server: FaxdChild | undefined
  let worker: FaxdChild | undefined

  before(async () => {
    cluster = await startPrivatePostgres()
    dataDir = await mkdtemp(join(tmpdir(), 'faxd-outage-'))
  })
  after(async () => {
    await server?.stop()
    await worker?.stop()
    await cluster.remove()
    await rm(dataDir, { recursive: true, force: true })
  })

  it(
    'stay up, answer 503 with Retry-After meanwhile, and send every accepted fax',
    { timeout: 300_000 },
    async (t) => {
      printStressSizes(t, ['outageStops'])
      const startedMs = Date.now()
      const token = await aSenderWithToken(
        { databaseUrl: cluster.url, dataDir },
        'outage@example.test',
        FROM,
      )
      const env = {
        DATABASE_URL: cluster.url,
        FAXD_DATA: dataDir,
        FAXD_EMBEDDED_WORKER: '0',
        FAXD_SIMULATED_TIME_SCALE: '0',
        FAXD_WORKER_RENDERS: '2',
      }
      server = await startFaxdChild('serve', env)
      worker = await startFaxdChild('worker', env)
      const url = server.url
      const file = await upload(url, token)
      t.diagnostic(`set up and started in ${Date.now() - startedMs} ms`)

      const answers: Answer[] = []
      let sending = true
      const sender = (async () => {
        while (sending) {
          const sendingSinceMs = Date.now()
          answers.push(await sendFax(url, token, file))
          await sleep(Math.max(0, SEND_EVERY_MS - (Date.now() - sendingSinceMs)))
        }
      })()

      const outages: { fromMs: number; toMs: number }[] = []
      try {
        for (let stop = 0; stop < stressSize('outageStops'); stop++) {
          const mode = stop % 2 === 0 ? 'fast' : 'immediate'
          await untilAccepted(answers, Date.now(), RECOVERY_LIMIT_MS)
          await sleep(1_000)
          await cluster.stop(mode)
          const fromMs = Date.now()
          await sleep(OUTAGE_MS)
          const health = await fetch(`${url}/healthz`)
          assert.equal(health.status, 503, 'healthz while the database is stopped')
          assert.equal(health.headers.get('retry-after'), '5')
          // Requests sent from now on may be answered once the database is back.
          outages.push({ fromMs, toMs: Date.now() - IN_FLIGHT_MARGIN_MS })
          await cluster.start()
          const toMs = Date.now()
          // 1. sendFax is answered 201 again within seconds of the restart.
          await untilAccepted(answers, toMs, RECOVERY_LIMIT_MS)
          const first = answers.find((a) => a.atMs >= toMs && a.status === 201)
          t.diagnostic(`-m ${mode}: 201 again ${(first?.atMs ?? toMs) - toMs} ms after the restart`)
        }
        await sleep(1_000)
      } finally {
        sending = false
        await sender
      }

      // 2. Both processes are still running.
      assert.equal(server.exit(), null, `faxd serve ended:\n${server.output()}`)
      assert.equal(worker.exit(), null, `faxd worker ended:\n${worker.output()}`)
      assert.equal((await fetch(`${url}/healthz`)).status, 200)

      // 3. Every answer was 201, or 503 with Retry-After in the documented form; there were 503s
      // in each outage.
      for (const answer of answers) {
        if (answer.status === 201) {
          continue
        }
        assert.equal(answer.status, 503, `answer at ${answer.atMs}: ${answer.body}`)
        assert.equal(answer.retryAfter, '5')
        const body = JSON.parse(answer.body) as Record<string, unknown>
        assert.deepEqual(Object.keys(body).sort(), ERROR_KEYS)
        assert.equal(body['error'], 'service_unavailable')
      }
      for (const outage of outages) {
        const during = answers.filter((a) => a.atMs >= outage.fromMs && a.atMs < outage.toMs)
        assert.ok(
          during.length > 0 && during.every((a) => a.status === 503),
          `all 503 while stopped: ${JSON.stringify(during.map((a) => a.status))}`,
        )
      }

      // 4. Every accepted fax ends `success`.
      const accepted = answers.flatMap((a) => (a.faxId === undefined ? [] : [a.faxId]))
      t.diagnostic(`${answers.length} sendFax answers, ${accepted.length} of them 201`)
      const sentUntilMs = Date.now()
      assert.ok(accepted.length >= 6, `${accepted.length} faxes accepted`)
      const statuses = await finalStatuses(cluster.url, accepted, 120_000)
      assert.deepEqual(
        [...new Set(statuses.values())],
        ['success'],
        JSON.stringify(Object.fromEntries(statuses)),
      )
      const missing = accepted.filter((id) => !statuses.has(id))
      assert.deepEqual(
        missing,
        [],
        `faxes that did not end: ${JSON.stringify(await stateOf(cluster.url, missing))}\n` +
          `the worker said of them:\n${linesAbout(worker.output(), missing)}`,
      )
      t.diagnostic(`every fax ended ${Date.now() - sentUntilMs} ms after the last sendFax`)
    },
  )
})

async function upload(url: string, token: string): Promise<string> {
  const note = new TextEncoder().encode('A short note, sent while the database comes and goes.\n')
  const { payload, headers } = multipartBody('fax_file', 'note.txt', 'text/plain', note)
  const response = await fetch(`${url}/v3/accounts/self/files`, {
    method: 'POST',
    headers: { ...headers, authorization: `Bearer ${token}` },
    body: payload,
  })
  assert.equal(response.status, 200, await response.clone().text())
  return ((await response.json()) as { path: string }).path
}

async function sendFax(url: string, token: string, file: string): Promise<Answer> {
  const atMs = Date.now()
  try {
    const response = await fetch(`${url}/v3/accounts/self/outbox`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: FROM, to: [TO], files: [file], return_ids: true }),
      signal: AbortSignal.timeout(15_000),
    })
    const body = await response.text()
    const retryAfter = response.headers.get('retry-after') ?? undefined
    const faxId =
      response.status === 201
        ? (JSON.parse(body) as { ids: Record<string, string> }).ids[TO]
        : undefined
    return {
      atMs,
      status: response.status,
      body,
      ...(retryAfter === undefined ? {} : { retryAfter }),
      ...(faxId === undefined ? {} : { faxId }),
    }
  } catch (error) {
    return { atMs, status: 'no answer', body: String(error) }
  }
}

/** Waits until an answer sent at or after `sinceMs` is a 201; fails after `limitMs`. */
async function untilAccepted(answers: readonly Answer[], sinceMs: number, limitMs: number) {
  const deadline = sinceMs + limitMs
  while (!answers.some((a) => a.atMs >= sinceMs && a.status === 201)) {
    if (Date.now() > deadline) {
      const last = answers.at(-1)
      throw new Error(`no 201 within ${limitMs} ms; last answer: ${JSON.stringify(last)}`)
    }
    await sleep(50)
  }
}

/** The faxes' statuses once every one has a fax record, read from the database itself. */
/** The lines of a process's output that name one of `ids` or their entries, or an error. */
function linesAbout(output: string, ids: readonly string[]): string {
  return output
    .split('\n')
    .filter((line) => ids.some((id) => line.includes(id)) || /"level":(40|50)/.test(line))
    .join('\n')
    .slice(-8000)
}

/** Where deliveries that did not end stand: their rows, their jobs, their attempts. */
async function stateOf(databaseUrl: string, ids: readonly string[]): Promise<unknown> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const query = async (text: string) =>
      (await client.query<Record<string, unknown>>(text, [ids])).rows
    return {
      entries: await query(
        `select e.id, e.status, e.page_count, e.document_key is not null as rendered,
           (select json_agg(c.status order by c.position) from outbox_status_changes c
             where c.outbox_id = e.id) as changes
         from outbox_entries e where e.id in (select outbox_id from deliveries where id = any($1))`,
      ),
      deliveries: await query(
        'select id, outbox_id, calling, attempts, call_fence, restarts from deliveries where id = any($1)',
      ),
      jobs: await query(
        `select id, kind, run_at, locked_by, locked_until, attempts, waiting_for from jobs
         where payload::json ->> 'deliveryId' = any($1)`,
      ),
      attempts: await query(
        'select fax_id, attempt, status, description from fax_attempts where fax_id = any($1)',
      ),
    }
  } finally {
    await client.end()
  }
}

async function finalStatuses(
  databaseUrl: string,
  ids: readonly string[],
  limitMs: number,
): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const deadline = Date.now() + limitMs
    for (;;) {
      const { rows } = await client.query<{ id: string; status: string }>(
        'select id, status from faxes where id = any($1)',
        [ids],
      )
      if (rows.length === ids.length || Date.now() > deadline) {
        return new Map(rows.map((row) => [row.id, row.status]))
      }
      await sleep(250)
    }
  } finally {
    await client.end()
  }
}
