/**
 * The processes as operators run them: `faxd serve` with its embedded worker turns an outbox
 * entry into pages on its own; with FAXD_EMBEDDED_WORKER=0 it does not, until a `faxd worker`
 * beside it (sharing the data folder) does.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { BIN, serve, startWorker } from '../support/faxd-process.js'
import { documentPath } from '../support/fixtures.js'

const run = promisify(execFile)
const NUMBER = '+15555550150'

async function faxdJson(env: Record<string, string>, ...args: string[]) {
  const { stdout } = await run(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
  })
  return JSON.parse(stdout) as Record<string, string>
}

/** An account with a number and a token in the data folder, made with the operator CLI. */
async function operatorSetup(env: Record<string, string>): Promise<string> {
  const account = await faxdJson(env, 'accounts', 'create', '--email', 'ops@example.test')
  const uid = account['uid'] ?? ''
  await faxdJson(env, 'numbers', 'add', NUMBER, '--owner', uid)
  return (await faxdJson(env, 'tokens', 'create', '--user', uid))['token'] ?? ''
}

/** An hour from now, as sendFax's send_time: the entry waits, scheduled, after its pages are made. */
function inAnHour(): string {
  return `${new Date(Date.now() + 3_600_000).toISOString().slice(0, 19).replace('T', ' ')} +0000`
}

async function sendLetter(url: string, token: string, sendTime = inAnHour()): Promise<string> {
  const form = new FormData()
  const pdf = await readFile(documentPath('text-letter.pdf'))
  form.append('fax_file', new Blob([pdf], { type: 'application/pdf' }), 'letter.pdf')
  const uploaded = await fetch(`${url}/v3/accounts/self/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  })
  assert.equal(uploaded.status, 200)
  const { path } = (await uploaded.json()) as { path: string }
  const sent = await fetch(`${url}/v3/accounts/self/outbox`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      from: NUMBER,
      to: ['+15555550100'],
      files: [path],
      ...(sendTime === '' ? {} : { send_time: sendTime }),
      return_ids: true,
    }),
  })
  assert.equal(sent.status, 201)
  const listed = await fetch(`${url}/v3/accounts/self/outbox`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const { records } = (await listed.json()) as { records: { id: string }[] }
  return records[0]?.id ?? ''
}

async function outboxEntry(url: string, token: string, id: string) {
  const response = await fetch(`${url}/v3/accounts/self/outbox/${id}`, {
    headers: { authorization: `Bearer ${token}` },
  })
  return (await response.json()) as { status: string; page_count: number }
}

/** Polls until the entry has its pages; the test's own timeout bounds the wait. */
async function pagesReady(url: string, token: string, id: string) {
  for (;;) {
    const entry = await outboxEntry(url, token, id)
    if (entry.status === 'scheduled_for_sending' && entry.page_count > 0) {
      return entry
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('faxd serve and faxd worker', { timeout: 120_000 }, () => {
  let dataDir: string
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'faxd-serve-worker-'))
  })
  after(async () => rm(dataDir, { recursive: true, force: true }))

  it('serve renders the pages with its embedded worker', async () => {
    const env = { FAXD_DATA: join(dataDir, 'embedded'), DATABASE_URL: '' }
    const token = await operatorSetup(env)
    const server = await serve(env)
    try {
      const id = await sendLetter(server.url, token)
      assert.deepEqual(await pagesReady(server.url, token, id), {
        ...(await outboxEntry(server.url, token, id)),
        status: 'scheduled_for_sending',
        page_count: 2,
      })
    } finally {
      await server.stop()
    }
  })

  it('serve sends to a test number and files the fax record', async () => {
    const env = {
      FAXD_DATA: join(dataDir, 'sending'),
      DATABASE_URL: '',
      FAXD_SIMULATED_TIME_SCALE: '0.01',
    }
    const token = await operatorSetup(env)
    const server = await serve(env)
    try {
      await sendLetter(server.url, token, '')
      const faxes = async () => {
        const response = await fetch(`${server.url}/v3/accounts/self/faxes`, {
          headers: { authorization: `Bearer ${token}` },
        })
        const body = (await response.json()) as {
          data?: { records: { status: string; pages: number }[] }
        }
        assert.ok(body.data, JSON.stringify(body))
        return body.data.records
      }
      let records = await faxes()
      while (records.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        records = await faxes()
      }
      assert.deepEqual(
        records.map((record) => [record.status, record.pages]),
        [['success', 2]],
      )
    } finally {
      await server.stop()
    }
  })

  it('with FAXD_EMBEDDED_WORKER=0 a separate faxd worker renders them', async () => {
    const env = { FAXD_DATA: join(dataDir, 'separate'), DATABASE_URL: '' }
    const token = await operatorSetup(env)
    const server = await serve({ ...env, FAXD_EMBEDDED_WORKER: '0' })
    try {
      const id = await sendLetter(server.url, token)
      await new Promise((resolve) => setTimeout(resolve, 1500))
      assert.equal(
        (await outboxEntry(server.url, token, id)).page_count,
        0,
        'rendered without a worker',
      )
      const worker = await startWorker(env)
      try {
        const entry = await pagesReady(server.url, token, id)
        assert.equal(entry.page_count, 2)
      } finally {
        await worker.stop()
      }
    } finally {
      await server.stop()
    }
  })
})
