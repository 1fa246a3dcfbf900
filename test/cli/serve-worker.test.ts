/**
 * The processes as operators run them: `faxd serve` with its embedded worker turns an outbox
 * entry into pages on its own; with FAXD_EMBEDDED_WORKER=0 it does not, until a `faxd worker`
 * beside it (sharing the data folder) does. Which process made the pages shows in them: the two
 * are given different paper for text (FAXD_PAPER), so no test waits to see nothing happen.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { A4, LETTER } from '../../src/rendering/fax-geometry.js'
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

interface Upload {
  readonly name: string
  readonly type: string
  readonly data: Uint8Array
}

async function theLetter(): Promise<Upload> {
  const data = new Uint8Array(await readFile(documentPath('text-letter.pdf')))
  return { name: 'letter.pdf', type: 'application/pdf', data }
}

/** A text document: faxd typesets it on the paper its configuration names (FAXD_PAPER). */
const A_NOTE: Upload = {
  name: 'note.txt',
  type: 'text/plain',
  data: new TextEncoder().encode('A short note, set on the paper of whoever renders it.\n'),
}

async function sendLetter(
  url: string,
  token: string,
  sendTime = inAnHour(),
  document?: Upload,
): Promise<string> {
  const form = new FormData()
  const { name, type, data } = document ?? (await theLetter())
  form.append('fax_file', new Blob([data], { type }), name)
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
  return (await response.json()) as {
    status: string
    page_count: number
    status_changes: { status: string }[]
  }
}

/**
 * The height of the entry's first page, in inches: its preview at full width (1728 pels across,
 * 204 to the inch) draws the pels square.
 */
async function firstPageHeightInches(url: string, token: string, id: string): Promise<number> {
  const response = await fetch(`${url}/v3/accounts/self/outbox/${id}/pages/1?width=1728`, {
    headers: { authorization: `Bearer ${token}` },
  })
  assert.equal(response.status, 200)
  const png = Buffer.from(await response.arrayBuffer())
  // PNG: the 8-octet signature, then IHDR (length, type, width, height: big-endian).
  assert.equal(png.readUInt32BE(16), 1728)
  return png.readUInt32BE(20) / 204
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

/** Each test takes seconds on an idle machine; the limit leaves room for a loaded one. */
const PER_TEST = { timeout: 120_000 }

describe('faxd serve and faxd worker', () => {
  let dataDir: string
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'faxd-serve-worker-'))
  })
  after(async () => rm(dataDir, { recursive: true, force: true }))

  it('serve renders the pages with its embedded worker', PER_TEST, async () => {
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

  it('serve sends to a test number and files the fax record', PER_TEST, async () => {
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

  it('with FAXD_EMBEDDED_WORKER=0 a separate faxd worker renders them', PER_TEST, async () => {
    const env = { FAXD_DATA: join(dataDir, 'separate'), DATABASE_URL: '' }
    const token = await operatorSetup(env)
    // serve would set text on Letter, the worker sets it on A4: the pages say who made them.
    const server = await serve({ ...env, FAXD_EMBEDDED_WORKER: '0', FAXD_PAPER: 'letter' })
    try {
      const id = await sendLetter(server.url, token, inAnHour(), A_NOTE)
      // Not rendered yet: scheduled for its send_time, never converting, no pages.
      const waiting = await outboxEntry(server.url, token, id)
      assert.deepEqual(
        [waiting.status_changes.map((change) => change.status), waiting.page_count],
        [['submitted', 'scheduled_for_sending'], 0],
      )
      const worker = await startWorker({ ...env, FAXD_PAPER: 'a4' })
      try {
        const entry = await pagesReady(server.url, token, id)
        assert.equal(entry.page_count, 1)
        assert.deepEqual(
          entry.status_changes.map((change) => change.status),
          ['submitted', 'scheduled_for_sending', 'converting', 'scheduled_for_sending'],
        )
        const inches = await firstPageHeightInches(server.url, token, id)
        assert.ok(
          Math.abs(inches - A4.heightInches) < 0.05,
          `a page ${inches.toFixed(2)} in high: made on ${LETTER.heightInches} in Letter by ` +
            `serve's own worker, not on ${A4.heightInches.toFixed(2)} in A4 by faxd worker`,
        )
      } finally {
        await worker.stop()
      }
    } finally {
      await server.stop()
    }
  })
})
