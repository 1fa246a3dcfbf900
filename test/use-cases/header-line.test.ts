/**
 * The header line from the account's settings to the pages: set through updateUser (and refused
 * there when it names a field or a time zone that does not exist), drawn over the top of each
 * page a loopback call sends, kept in the downloads of the sent fax and in the fax the
 * recipient got, read back by tesseract (the from number, the date, "1/3", "2/3", "3/3"); a
 * retry carries the same header with its own time; turned off, the pages go as rendered.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { rowOf } from '../../src/codec/bitmap.js'
import { readTiff } from '../../src/codec/tiff-read.js'
import { headerBandRows } from '../../src/header-line/stamp-header.js'
import { renderFaxJob } from '../../src/jobs/render-fax-job.js'
import { sendFaxJob } from '../../src/jobs/send-fax-job.js'
import { Worker } from '../../src/jobs/worker.js'
import { ocrHeaderLines } from '../support/header-ocr.js'
import { instantCarriers } from '../support/instant-carriers.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const FROM = '+15555550150'
const INBOX = '+15555550160'
const BUSY = '+15555550101'
const THREE_PAGES = Buffer.from('The first page.\fThe second page.\fThe third page.\n')

/** Each test's limit: several times what it takes on an idle machine. */
const PER_TEST = { timeout: 120_000 }

describe('the header line', () => {
  let t: TestApp
  let sender: TestUser
  let recipient: TestUser
  let worker: Worker

  before(async () => {
    t = await openTestApp('sqlite')
    sender = await t.user({ numbers: [FROM] })
    recipient = await t.user({ numbers: [INBOX] })
    const carriers = instantCarriers(t)
    worker = new Worker(
      t.services.store.jobs,
      t.clock,
      {
        'render-fax': renderFaxJob(t.services),
        'send-fax': sendFaxJob({ ...t.services, carriers }),
      },
      { name: 'header-line', leaseMs: 600_000, idleMs: 10 },
    )
  })
  after(async () => {
    await t.close()
  })

  async function setSettings(settings: Record<string, unknown>) {
    return t.request('PUT', '/v3/accounts/self', { token: sender.token, body: { settings } })
  }

  /** Sends three text pages to `to`; runs the jobs a minute apart until the fax has ended. */
  async function send(to: string, options: Record<string, unknown> = {}): Promise<string> {
    const file = await t.upload(sender, THREE_PAGES, 'three.txt')
    const sent = await t.request('POST', '/v3/accounts/self/outbox', {
      token: sender.token,
      body: { from: FROM, to: [to], files: [file], return_ids: true, options },
    })
    assert.equal(sent.statusCode, 201, sent.body)
    const faxId = sent.json<{ ids: Record<string, string> }>().ids[to]!
    for (let round = 0; round < 10; round++) {
      await worker.drain()
      if ((await t.services.store.faxes.get(faxId)) !== null) {
        return faxId
      }
      t.clock.advance(60_000)
    }
    assert.fail(`fax ${faxId} did not end`)
  }

  async function download(user: TestUser, faxId: string): Promise<Uint8Array> {
    const answer = await t.request('GET', `/v3/accounts/self/files/${faxId}?format=tiff`, {
      token: user.token,
    })
    assert.equal(answer.statusCode, 200, answer.body)
    return new Uint8Array(answer.rawPayload)
  }

  it('is refused with a field or a time zone that does not exist', async () => {
    for (const [headerLine, named] of [
      [{ template: '{date} {sender}' }, /\{sender\}/],
      [{ time_zone: 'Mars/Olympus_Mons' }, /IANA time zone/],
    ] as const) {
      const answer = await setSettings({ header_line: headerLine })
      assert.equal(answer.statusCode, 400, answer.body)
      assert.equal(answer.json<{ error: string }>().error, 'invalid_settings')
      assert.match(answer.json<{ description: string }>().description, named)
    }
    const wrongShape = await setSettings({ header_line: { enabled: 'yes' } })
    assert.equal(wrongShape.json<{ error: string }>().error, 'invalid_settings')
  })

  it(
    'is on every page sent, in the downloads and in the fax the recipient got, as set',
    PER_TEST,
    async () => {
      const set = await setSettings({
        caller_id_name: 'Harbour Clinic',
        header_line: { time_zone: 'America/New_York' },
      })
      assert.equal(set.statusCode, 200, set.body)
      const faxId = await send(INBOX)
      const record = (
        await t.request('GET', `/v3/accounts/self/faxes/${faxId}`, { token: sender.token })
      ).json<{ status: string; header: string | null }>()
      assert.equal(record.status, 'success')
      const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(
        t.clock.now(),
      )
      assert.match(record.header ?? '', new RegExp(`^${date} \\d\\d:\\d\\d E[SD]T  FROM: `))
      assert.match(record.header ?? '', /FROM: Harbour Clinic \+15555550150 {2}TO: \+15555550160$/)

      const sent = await download(sender, faxId)
      const lines = await ocrHeaderLines(sent)
      assert.equal(lines.length, 3)
      lines.forEach((line, index) => {
        assert.ok(line.includes(FROM), `page ${index + 1}: ${line}`)
        assert.ok(line.includes(date), `page ${index + 1}: ${line}`)
        assert.match(line, new RegExp(`${index + 1}/3$`), `page ${index + 1}`)
      })

      // The recipient's pages are the ones the sender's download shows, pel for pel.
      const [inbound] = await t.services.store.faxes.list({
        ownerUid: recipient.account.uid,
        category: 'inbox',
        afterMs: null,
        beforeMs: null,
        below: null,
        limit: 1,
      })
      assert.ok(inbound)
      const got = readTiff(await download(recipient, inbound.id))
      readTiff(sent).forEach((page, index) => {
        assert.ok(
          Buffer.from(page.bitmap.data).equals(Buffer.from(got[index]!.bitmap.data)),
          `page ${index + 1} as received`,
        )
      })
    },
  )

  it('carries on a retry the same header but for its own time', PER_TEST, async () => {
    await setSettings({ caller_id_name: 'Harbour Clinic' })
    const faxId = await send(BUSY, { retry: { count: 1, delay: 60 } })
    const attempts = (
      await t.request('GET', `/v3/accounts/self/faxes/${faxId}/attempts`, {
        token: sender.token,
      })
    ).json<{ records: { started_at: string; header: string | null }[] }>().records
    assert.equal(attempts.length, 2)
    const [first, second] = attempts.map((attempt) => attempt.header ?? '')
    const time = /\d\d:\d\d UTC/
    assert.notEqual(first, second, 'each attempt has its own time')
    assert.equal(first!.replace(time, 'T'), second!.replace(time, 'T'))
    for (const [index, attempt] of attempts.entries()) {
      // The time the header gives is the attempt's start (started_at is UTC, to the second).
      assert.ok(
        attempt.header?.includes(attempt.started_at.slice(11, 16)),
        `attempt ${index + 1}: ${attempt.header} at ${attempt.started_at}`,
      )
    }
    const record = (
      await t.request('GET', `/v3/accounts/self/faxes/${faxId}`, { token: sender.token })
    ).json<{ header: string | null }>()
    assert.equal(record.header, second)
  })

  it('turned off, leaves the pages as rendered', PER_TEST, async () => {
    await setSettings({ header_line: { enabled: false } })
    const faxId = await send(INBOX)
    const record = await t.services.store.faxes.get(faxId)
    assert.equal(record?.header, null)
    const sent = await download(sender, faxId)
    assert.ok(Buffer.from(sent).equals(await readFile(join(t.filesDir, record.documentKey!))))
    const [page] = readTiff(sent)
    const band = headerBandRows(page!.yDpi ?? 196)
    for (let y = 0; y < band; y++) {
      assert.ok(
        rowOf(page!.bitmap, y).every((octet) => octet === 0),
        `row ${y} is white`,
      )
    }
  })
})
