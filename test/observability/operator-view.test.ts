/**
 * The operator's view of running processes (issue 14, point 3), on PostgreSQL: `faxd serve`
 * without its embedded worker, reaching the database through a proxy the test can cut, and a
 * `faxd worker` serving its own /metrics (FAXD_METRICS_LISTEN). Both /metrics answers are read
 * with the Prometheus project's own parser. A fax sent to the test number moves the worker's
 * counters (render, attempt, pages, final status, call and render histograms) and the API's
 * request counter; the queue gauges are there. /metrics asks for the metrics token. /readyz
 * answers 200 with its three checks, 503 in the API's error shape while the database cannot be
 * reached, and 200 again once it can. The logs tell the fax's life, each line with its ids.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { type CuttableProxy, startCuttableProxy } from '../support/cuttable-proxy.js'
import { type FaxdChild, startFaxdChild } from '../support/faxd-child.js'
import { aSenderWithToken } from '../support/operator-setup.js'
import { aPostgresSchema, type PostgresSchema } from '../support/postgres-schema.js'
import { parsePrometheusText, type Sample, sampleValue } from '../support/prometheus-text.js'
import { TEST_DATABASE_URL } from '../support/test-database.js'

const FROM = '+15555550150'
const TO = '+15555550100'
const METRICS_TOKEN = 'a-metrics-token-for-the-test'
/** A render, an instant simulated call and the record, on a loaded 2-core machine. */
const FAX_ENDED_WITHIN_MS = 60_000
const READY_AGAIN_WITHIN_MS = 20_000

describe('the operator view: /metrics and /readyz of faxd serve and faxd worker', () => {
  let folder: string
  let schema: PostgresSchema
  let proxy: CuttableProxy
  let api: FaxdChild
  let worker: FaxdChild
  let token: string
  /** The fax the first test sends, for the next to find in the logs. */
  let sentFaxId = ''

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'faxd-operator-view-'))
    schema = await aPostgresSchema('operator')
    const target = new URL(TEST_DATABASE_URL)
    proxy = await startCuttableProxy(Number(target.port || 5432), target.hostname)
    const viaProxy = new URL(schema.databaseUrl)
    viaProxy.hostname = '127.0.0.1'
    viaProxy.port = String(proxy.port)
    const shared = {
      FAXD_FILE_STORE: 'postgres',
      FAXD_SIMULATED_TIME_SCALE: '0',
      FAXD_METRICS_TOKEN: METRICS_TOKEN,
    }
    token = await aSenderWithToken(
      { dataDir: folder, databaseUrl: schema.databaseUrl },
      'operator@example.test',
      FROM,
    )
    ;[api, worker] = await Promise.all([
      startFaxdChild('serve', {
        ...shared,
        DATABASE_URL: viaProxy.href,
        FAXD_DATA: join(folder, 'api'),
        FAXD_EMBEDDED_WORKER: '0',
      }),
      startFaxdChild('worker', {
        ...shared,
        DATABASE_URL: schema.databaseUrl,
        FAXD_DATA: join(folder, 'worker'),
        FAXD_METRICS_LISTEN: '127.0.0.1:0',
      }),
    ])
  })
  after(async () => {
    proxy?.mend()
    await Promise.all([api?.stop(), worker?.stop()])
    await proxy?.close()
    await schema?.drop()
    await rm(folder, { recursive: true, force: true })
  })

  function workerMetricsUrl(): string {
    const match = /metrics at (http:\/\/\S+\/metrics)/.exec(worker.output())
    assert.ok(match, `the worker's start-up line names its metrics:\n${worker.output()}`)
    return match[1]!
  }

  async function scrape(url: string): Promise<Sample[]> {
    const response = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    assert.equal(response.status, 200, await response.clone().text())
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8')
    return parsePrometheusText(await response.text())
  }

  it('counts a fax from sendFax to its record, and the API requests that sent it', async () => {
    for (const url of [`${api.url}/metrics`, workerMetricsUrl()]) {
      const refused = await fetch(url)
      assert.equal(refused.status, 401, `${url} without the token`)
      const wrong = await fetch(url, { headers: { authorization: 'Bearer not-the-token' } })
      assert.equal(wrong.status, 401, `${url} with another token`)
    }
    const before = await scrape(workerMetricsUrl())
    assert.equal(sampleValue(before, 'faxd_faxes_total', { status: 'success' }), undefined)

    const form = new FormData()
    const letter = 'A letter for the operator view.\n'.repeat(20)
    form.append('fax_file', new Blob([letter], { type: 'text/plain' }), 'letter.txt')
    const headers = { authorization: `Bearer ${token}` }
    const uploaded = await fetch(`${api.url}/v3/accounts/self/files`, {
      method: 'POST',
      headers,
      body: form,
    })
    assert.equal(uploaded.status, 200, await uploaded.clone().text())
    const { path } = (await uploaded.json()) as { path: string }
    const sent = await fetch(`${api.url}/v3/accounts/self/outbox`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ from: FROM, to: [TO], files: [path], return_ids: true }),
    })
    assert.equal(sent.status, 201, await sent.clone().text())
    const faxId = ((await sent.json()) as { ids: Record<string, string> }).ids[TO]!

    let samples = before
    const deadline = Date.now() + FAX_ENDED_WITHIN_MS
    while (sampleValue(samples, 'faxd_faxes_total', { status: 'success' }) === undefined) {
      assert.ok(Date.now() < deadline, `no fax ended within ${FAX_ENDED_WITHIN_MS} ms`)
      await sleep(200)
      samples = await scrape(workerMetricsUrl())
    }
    assert.equal(sampleValue(samples, 'faxd_faxes_total', { status: 'success' }), 1)
    sentFaxId = faxId
    assert.equal(sampleValue(samples, 'faxd_renders_total', { result: 'ready' }), 1)
    assert.equal(sampleValue(samples, 'faxd_render_duration_seconds_count', { result: 'ready' }), 1)
    assert.equal(sampleValue(samples, 'faxd_pages_rendered_total'), 1)
    assert.equal(
      sampleValue(samples, 'faxd_call_attempts_total', { carrier: 'simulated', status: 'success' }),
      1,
    )
    assert.equal(sampleValue(samples, 'faxd_pages_sent_total', { carrier: 'simulated' }), 1)
    assert.equal(
      sampleValue(samples, 'faxd_call_duration_seconds_count', { carrier: 'simulated' }),
      1,
    )
    assert.ok(sampleValue(samples, 'process_cpu_seconds_total')! > 0)
    assert.ok(sampleValue(samples, 'process_resident_memory_bytes')! > 1_000_000)

    const apiSamples = await scrape(`${api.url}/metrics`)
    const outboxRoute = { method: 'POST', route: '/v3/accounts/:user_id/outbox', status: '201' }
    assert.equal(sampleValue(apiSamples, 'faxd_http_requests_total', outboxRoute), 1)
    const filesRoute = { method: 'POST', route: '/v3/accounts/:user_id/files', status: '200' }
    assert.equal(sampleValue(apiSamples, 'faxd_http_requests_total', filesRoute), 1)
    assert.equal(
      sampleValue(apiSamples, 'faxd_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v3/accounts/:user_id/outbox',
      }),
      1,
    )
    // The unauthorised scrapes above were answered by a route too.
    assert.equal(
      sampleValue(apiSamples, 'faxd_http_requests_total', {
        method: 'GET',
        route: '/metrics',
        status: '401',
      }),
      2,
    )
    // The fax's jobs are done: nothing of their kinds is due or in hand.
    for (const kind of ['render-fax', 'send-fax']) {
      const due = sampleValue(apiSamples, 'faxd_jobs_due', { kind })
      assert.ok(due === undefined || due === 0, `${kind} due: ${due}`)
    }
  })

  it("logs each step of the fax's life with its outbox and fax ids", async () => {
    const lines = (child: FaxdChild) =>
      child
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
    const accepted = lines(api).find((line) => line['msg'] === 'fax accepted')
    assert.ok(accepted, 'the API logs the fax it accepted')
    assert.equal(accepted['destinations'], 1)
    assert.equal(typeof accepted['reqId'], 'string')
    const outbox = accepted['outbox']
    const story = lines(worker)
      .filter((line) => line['outbox'] === outbox)
      .map((line) => {
        const { msg, fax, status, pages, carrier } = line
        return { msg, fax, status, pages, carrier }
      })
    assert.deepEqual(story, [
      { msg: 'pages rendered', fax: undefined, status: undefined, pages: 1, carrier: undefined },
      { msg: 'calling', fax: sentFaxId, status: undefined, pages: undefined, carrier: undefined },
      { msg: 'attempt ended', fax: sentFaxId, status: 'success', pages: 1, carrier: 'simulated' },
      { msg: 'fax ended', fax: sentFaxId, status: 'success', pages: 1, carrier: undefined },
    ])
  })

  it('says the API is ready, not ready while the database is cut off, and ready again', async () => {
    const ready = await fetch(`${api.url}/readyz`)
    assert.equal(ready.status, 200)
    assert.deepEqual(await ready.json(), {
      status: 'ok',
      checks: { database: 'ok', migrations: 'ok', files: 'ok' },
    })

    proxy.cut()
    const cut = await fetch(`${api.url}/readyz`)
    assert.equal(cut.status, 503)
    assert.equal(cut.headers.get('retry-after'), '5')
    const body = (await cut.json()) as {
      error: string
      description: string
      checks: Record<string, string>
    }
    assert.equal(body.error, 'not_ready')
    assert.notEqual(body.checks['database'], 'ok')
    assert.match(body.description, /^database: /)
    // The queue gauges need the database too: the rest of /metrics still answers.
    const metrics = await fetch(`${api.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    })
    assert.equal(metrics.status, 200)
    const text = await metrics.text()
    assert.match(text, /^# faxd_jobs_due could not be read: /m)
    assert.ok(sampleValue(await parsePrometheusText(text), 'process_cpu_seconds_total')! > 0)

    proxy.mend()
    const deadline = Date.now() + READY_AGAIN_WITHIN_MS
    let status = 503
    while (status !== 200) {
      assert.ok(Date.now() < deadline, `not ready within ${READY_AGAIN_WITHIN_MS} ms of mending`)
      await sleep(100)
      status = (await fetch(`${api.url}/readyz`)).status
    }
  })
})
