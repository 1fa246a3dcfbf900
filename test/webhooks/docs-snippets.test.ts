/**
 * The signature checks docs/webhooks.md gives receivers (its first `js` and first `python`
 * block) work on real deliveries: each runs in its own interpreter (node, python3) on requests
 * a real receiver got from faxd, and accepts them, and refuses a changed body, another secret and
 * a stale timestamp. After a rotation, a delivery in the grace period is accepted with either
 * secret, and one after it only with the new secret.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { Worker } from '../../src/jobs/worker.js'
import { newSigningSecret, SECRET_ROTATION_GRACE_MS } from '../../src/domain/webhook-delivery.js'
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
  /** The X-Faxd-* headers of the request (lower-case names, as node:http gives them). */
  readonly headers: Readonly<Record<string, string>>
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
let cases: Case[] = []
let dir = ''

const TWO_DAYS_SECONDS = 2 * 24 * 3600

/**
 * Real deliveries: one made now and one made 10 minutes ago (by the clock faxd was given), then,
 * after the secret was rotated, one made now (in the grace period, signed with both secrets) and
 * one made as the grace period has ended (signed with the new secret alone).
 */
before(async () => {
  testStore = await openTestStore('sqlite')
  const { store } = testStore
  const receiver = await startReceiver(204)
  let oldSecret = ''
  let newSecret = ''
  try {
    const user = anAccount()
    await store.accounts.create(user, null)
    const hook = aWebhook(user.uid, { event: 'fax_received', target: receiver.url() })
    await store.webhooks.add(hook)
    const deliverAt = async (nowMs: number) => {
      const clock = new ManualClock(nowMs)
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
    const now = Date.now()
    await deliverAt(now)
    await deliverAt(now - 10 * 60_000)
    const before = await store.webhookDeliveries.signingSecrets(hook.id, 'unused')
    assert.ok(before !== null)
    oldSecret = before.current
    const rotated = await store.webhookDeliveries.rotateSigningSecret(
      hook.id,
      newSigningSecret(),
      now + SECRET_ROTATION_GRACE_MS,
    )
    assert.ok(rotated !== null)
    newSecret = rotated.current
    await deliverAt(now)
    await deliverAt(now + SECRET_ROTATION_GRACE_MS)
  } finally {
    await receiver.close()
  }
  const [fresh, stale, inGrace, afterGrace] = receiver.requests
  assert.ok(fresh && stale && inGrace && afterGrace)
  assert.notEqual(fresh.body, stale.body, 'the event times differ')
  assert.ok(inGrace.headers['x-faxd-signature-previous'], 'the grace delivery has both')
  assert.equal(afterGrace.headers['x-faxd-signature-previous'], undefined)
  const of = (request: ReceivedRequest) => ({
    headers: Object.fromEntries(
      Object.entries(request.headers).filter(
        (entry): entry is [string, string] =>
          entry[0].startsWith('x-faxd-') && typeof entry[1] === 'string',
      ),
    ),
    body: request.body,
  })
  const secret = oldSecret
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
    {
      name: 'in the grace period, the new secret',
      secret: newSecret,
      ...of(inGrace),
      tolerance: 300,
      expected: true,
    },
    {
      name: 'in the grace period, the replaced secret',
      secret: oldSecret,
      ...of(inGrace),
      tolerance: 300,
      expected: true,
    },
    {
      name: 'in the grace period, another secret',
      secret: `${newSecret}x`,
      ...of(inGrace),
      tolerance: 300,
      expected: false,
    },
    {
      name: 'in the grace period, a changed body with the replaced secret',
      secret: oldSecret,
      ...of(inGrace),
      body: inGrace.body.replace('success', 'failed'),
      tolerance: 300,
      expected: false,
    },
    {
      name: 'after the grace period, the new secret',
      secret: newSecret,
      ...of(afterGrace),
      tolerance: TWO_DAYS_SECONDS,
      expected: true,
    },
    {
      name: 'after the grace period, the replaced secret',
      secret: oldSecret,
      ...of(afterGrace),
      tolerance: TWO_DAYS_SECONDS,
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
  verifyFaxdWebhook(c.secret, c.headers, Buffer.from(c.body, 'utf8'), c.tolerance),
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
# A dict with the names as sent (X-Faxd-Signature-Previous only when the request had it).
def as_sent(name):
    return "-".join(part.capitalize() for part in name.split("-"))
answers = [
    verify_faxd_webhook(
        c["secret"],
        {as_sent(name): value for name, value in c["headers"].items()},
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
