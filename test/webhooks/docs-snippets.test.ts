/**
 * The signature checks docs/webhooks.md gives receivers (its first `js` and first `python`
 * block) work on real deliveries: each runs in its own interpreter (node, python3) on requests
 * a real receiver got from faxd, and accepts them, and refuses a changed body, another secret and
 * a stale timestamp.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { Worker } from '../../src/jobs/worker.js'
import { ManualClock } from '../../src/shared/clock.js'
import { deliverWebhookJob } from '../../src/webhooks/deliver-webhook-job.js'
import { enqueueWebhookEvent } from '../../src/webhooks/enqueue-webhook-event.js'
import { NodeWebhookHttpClient } from '../../src/webhooks/node-http-client.js'
import { anAccount, aWebhook } from '../support/sample-records.js'
import { type TestStore, openTestStore } from '../support/test-database.js'
import { type ReceivedRequest, startReceiver } from './receiver.js'

const run = promisify(execFile)
const DOC = join(import.meta.dirname, '..', '..', 'docs', 'webhooks.md')

/** One check for a snippet to make, and the answer it must give. */
interface Case {
  readonly name: string
  readonly secret: string
  readonly timestamp: string
  readonly signature: string
  readonly body: string
  readonly tolerance: number
  readonly expected: boolean
}

async function snippet(language: 'js' | 'python'): Promise<string> {
  const text = await readFile(DOC, 'utf8')
  const block = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(text)?.[1]
  assert.ok(block, `docs/webhooks.md has a ${language} block`)
  return block
}

let testStore: TestStore
let secret = ''
let fresh: ReceivedRequest
let stale: ReceivedRequest
let cases: Case[] = []
let dir = ''

/** Two real deliveries: one made now, one made 10 minutes ago (by the clock faxd was given). */
before(async () => {
  testStore = await openTestStore('sqlite')
  const { store } = testStore
  const receiver = await startReceiver(204)
  try {
    const user = anAccount()
    await store.accounts.create(user, null)
    const hook = aWebhook(user.uid, { event: 'fax_received', target: receiver.url() })
    await store.webhooks.add(hook)
    for (const ageMs of [0, 10 * 60_000]) {
      const clock = new ManualClock(Date.now() - ageMs)
      const handler = deliverWebhookJob({
        store,
        clock,
        http: new NodeWebhookHttpClient(),
        settings: { allowPrivateTargets: true },
      })
      await enqueueWebhookEvent(store, clock, {
        uid: user.uid,
        event: 'fax_received',
        hookIdForPayload: 'a'.repeat(24),
        data: { id: 'a'.repeat(24), status: 'success', note: 'naïve café ✓' },
      })
      const worker = new Worker(
        store.jobs,
        clock,
        { 'deliver-webhook': handler },
        {
          name: 'docs',
          leaseMs: 60_000,
          idleMs: 1000,
        },
      )
      assert.equal(await worker.drain(), 1)
    }
    const found = await store.webhookDeliveries.signingSecret(hook.id, 'unused')
    assert.ok(found !== null)
    secret = found
  } finally {
    await receiver.close()
  }
  const [first, second] = receiver.requests
  assert.ok(first && second)
  ;[fresh, stale] = [first, second]
  assert.notEqual(first.body, second.body, 'the event times differ')
  const of = (request: ReceivedRequest) => ({
    timestamp: request.headers['x-faxd-timestamp'] as string,
    signature: request.headers['x-faxd-signature'] as string,
    body: request.body,
  })
  cases = [
    { name: 'a fresh delivery', secret, ...of(fresh), tolerance: 300, expected: true },
    {
      name: 'a changed body',
      secret,
      ...of(fresh),
      body: fresh.body.replace('success', 'failed'),
      tolerance: 300,
      expected: false,
    },
    {
      name: 'another secret',
      secret: `${secret}x`,
      ...of(fresh),
      tolerance: 300,
      expected: false,
    },
    { name: 'a 10-minute-old delivery', secret, ...of(stale), tolerance: 300, expected: false },
    {
      name: 'the old delivery with a 1-hour tolerance',
      secret,
      ...of(stale),
      tolerance: 3600,
      expected: true,
    },
    {
      name: "the fresh body under the old delivery's signature",
      secret,
      ...of(stale),
      body: fresh.body,
      tolerance: 3600,
      expected: false,
    },
  ]
  dir = await mkdtemp(join(tmpdir(), 'faxd-snippets-'))
  await writeFile(join(dir, 'cases.json'), JSON.stringify(cases))
})

after(async () => {
  await testStore.cleanup()
  await rm(dir, { recursive: true, force: true })
})

function assertAnswers(output: string): void {
  const answers = JSON.parse(output) as boolean[]
  assert.deepEqual(
    cases.map((c, index) => [c.name, answers[index]]),
    cases.map((c) => [c.name, c.expected]),
  )
}

describe('the signature checks of docs/webhooks.md', () => {
  it('the Node.js function accepts real deliveries and refuses the others', async () => {
    const harness = `
import { readFileSync } from 'node:fs'
const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const answers = cases.map((c) =>
  verifyFaxdWebhook(
    c.secret,
    { 'x-faxd-timestamp': c.timestamp, 'x-faxd-signature': c.signature },
    Buffer.from(c.body, 'utf8'),
    c.tolerance,
  ),
)
process.stdout.write(JSON.stringify(answers))
`
    const file = join(dir, 'verify.mjs')
    await writeFile(file, `${await snippet('js')}\n${harness}`)
    const { stdout } = await run(process.execPath, [file, join(dir, 'cases.json')])
    assertAnswers(stdout)
  })

  it('the Python function accepts real deliveries and refuses the others', async () => {
    const harness = `
import json, sys
cases = json.load(open(sys.argv[1], encoding="utf-8"))
answers = [
    verify_faxd_webhook(
        c["secret"],
        {"X-Faxd-Timestamp": c["timestamp"], "X-Faxd-Signature": c["signature"]},
        c["body"].encode("utf-8"),
        c["tolerance"],
    )
    for c in cases
]
sys.stdout.write(json.dumps(answers))
`
    const file = join(dir, 'verify.py')
    await writeFile(file, `${await snippet('python')}\n${harness}`)
    const { stdout } = await run('python3', [file, join(dir, 'cases.json')])
    assertAnswers(stdout)
  })
})
