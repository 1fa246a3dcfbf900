/**
 * spandsp 0.0.6 sends, faxd receives: the reference stack calls our T.38 terminal over real
 * UDP on loopback, in real time. Every page faxd receives and stores (TIFF-F) must be pixel for
 * pixel the page spandsp sent, checked by our reader and by libtiff's tiffcmp; both ends must
 * agree on pages, coding, rate and identities. One call goes over a line that spoils fast
 * data, so that spandsp must train down (FTT) before its page gets through without ECM; in one,
 * faxd calls and polls (DTC) and spandsp, the called station, sends.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

import { runUdptlCall } from '../../src/carriers/udptl-call.js'
import { readTiff } from '../../src/codec/tiff-read.js'
import { UdpEndpoint } from '../../src/telephony/net/udp-endpoint.js'
import type { Coding } from '../../src/telephony/t30/page-format.js'
import { receivedPagesToTiff } from '../../src/telephony/t30/received-page.js'
import { T38FaxSession } from '../../src/telephony/t38/t38-fax-session.js'
import { differenceOf } from '../codec/pages.js'
import { type FaxTestPageSpec, faxTestPage, writeFaxTestTiff } from '../support/fax-pages.js'
import {
  type SpandspPeer,
  buildSpandspPeer,
  codingsUpTo,
  describePeerResult,
  frameSequence,
  startSpandspPeer,
} from '../support/spandsp-peer.js'

const run = promisify(execFile)
const FAXD_ID = '+1 555 0100'
const SPANDSP_ID = '+1 555 0199'

interface Plan {
  readonly name: string
  readonly version: 0 | 3
  readonly ecm: boolean
  readonly coding: Coding
  readonly pages: readonly FaxTestPageSpec[]
  /** The line spoils spandsp's fast data above this rate: it must train down. */
  readonly spoilFastAbove?: number
  /** faxd calls and polls; spandsp answers and sends (T.30 polling). */
  readonly polling?: boolean
}

const PLANS: readonly Plan[] = [
  {
    name: 'v3-ecm-mmr-a4-fine',
    version: 3,
    ecm: true,
    coding: 'mmr',
    pages: [
      { paper: 'a4', resolution: 'fine', seed: 11 },
      { paper: 'letter', resolution: 'fine', seed: 12 },
    ],
  },
  {
    name: 'v0-ecm-mmr-letter-superfine',
    version: 0,
    ecm: true,
    coding: 'mmr',
    pages: [{ paper: 'letter', resolution: 'superfine', seed: 13 }],
  },
  {
    name: 'v0-mr-a4-superfine',
    version: 0,
    ecm: false,
    coding: 'mr',
    pages: [{ paper: 'a4', resolution: 'superfine', seed: 14 }],
  },
  {
    name: 'v0-polling-ecm-mmr-letter-fine',
    version: 0,
    ecm: true,
    coding: 'mmr',
    pages: [{ paper: 'letter', resolution: 'fine', seed: 16 }],
    polling: true,
  },
  {
    name: 'v3-mh-letter-fine-trained-down',
    version: 3,
    ecm: false,
    coding: 'mh',
    pages: [{ paper: 'letter', resolution: 'fine', seed: 15 }],
    spoilFastAbove: 12000,
  },
]

async function receiveFromSpandsp(dir: string, plan: Plan): Promise<void> {
  const sources = plan.pages.map((spec) => faxTestPage(spec))
  const sent = writeFaxTestTiff(join(dir, `${plan.name}-sent.tif`), sources)
  const session = new T38FaxSession({
    version: plan.version,
    t30: { role: plan.polling === true ? 'calling' : 'answering', localId: FAXD_ID },
  })
  const common = {
    send: sent,
    version: plan.version,
    ident: SPANDSP_ID,
    ecm: plan.ecm,
    compressions: codingsUpTo(plan.coding),
    spoilFastAbove: plan.spoilFastAbove,
    maxSeconds: 150,
  }
  // The called end listens first; the calling end is pointed at its port.
  let peer: SpandspPeer
  let endpoint: UdpEndpoint
  let call: ReturnType<typeof runUdptlCall>
  if (plan.polling === true) {
    peer = await startSpandspPeer({ ...common, role: 'answering' })
    endpoint = await UdpEndpoint.open({ remote: { host: '127.0.0.1', port: peer.port } })
    call = runUdptlCall(session, endpoint)
  } else {
    endpoint = await UdpEndpoint.open({})
    call = runUdptlCall(session, endpoint)
    peer = await startSpandspPeer({ ...common, role: 'calling', remotePort: endpoint.local.port })
  }
  let ours
  try {
    ours = await call
  } finally {
    endpoint.close()
  }
  const theirs = await peer.done
  const log = ours.events.flatMap((e) => (e.type === 'log' ? [e.message] : [])).join('\n')
  const context = `${plan.name}\nfaxd:\n${log}\nspandsp:\n${describePeerResult(theirs)}`
  assert.equal(ours.result.code, 'ok', context)
  assert.equal(theirs.report.completion, 0, context)
  assert.equal(theirs.report.pagesTx, plan.pages.length, context)
  assert.equal(ours.result.pagesReceived, plan.pages.length, context)
  const selection = ours.result.negotiated?.selection
  assert.equal(selection?.coding, plan.coding, context)
  assert.equal(theirs.report.coding, plan.coding, context)
  assert.equal(selection?.ecm, plan.ecm)
  assert.equal(selection?.modem.bitRate, theirs.report.bitRate, context)
  assert.equal(ours.result.remoteId, SPANDSP_ID)
  assert.equal(theirs.report.remoteIdent, FAXD_ID)
  if (plan.polling === true) {
    const frames = frameSequence(theirs.report)
    assert.match(frames, /rx:DTC.*tx:DCS/, frames)
  }
  if (plan.spoilFastAbove !== undefined) {
    assert.ok(theirs.report.bitRate <= plan.spoilFastAbove, context)
    assert.ok(
      theirs.report.frames.some((f) => f.dir === 'rx' && f.name === 'FTT'),
      context,
    )
  }
  // The pages as faxd stores them: TIFF-F, read back by us and compared by libtiff.
  const pages = ours.events.flatMap((e) => (e.type === 'page-received' ? [e.page] : []))
  const stored = join(dir, `${plan.name}-received.tif`)
  await writeFile(stored, receivedPagesToTiff(pages, { remoteId: SPANDSP_ID }))
  const back = readTiff(new Uint8Array(await readFile(stored)))
  assert.equal(back.length, sources.length)
  back.forEach((page, i) => {
    assert.equal(differenceOf(page.bitmap, sources[i]!.bitmap), '', `${plan.name} page ${i + 1}`)
  })
  // tiffcmp -t: compare the image data of every page, not the tags (the codings differ).
  await run('tiffcmp', ['-t', sent, stored])
}

test(
  'spandsp 0.0.6 sends to faxd over T.38 on UDP, in real time',
  { concurrency: true },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'spandsp-to-faxd-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    await buildSpandspPeer()
    await Promise.all(
      PLANS.map((plan) =>
        t.test(`${plan.name}: every page pixel-identical`, () => receiveFromSpandsp(dir, plan)),
      ),
    )
  },
)
