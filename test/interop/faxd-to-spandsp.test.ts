/**
 * faxd sends, spandsp 0.0.6 receives: our T.30 engine, T.38 terminal and UDPTL against the
 * reference stack, over real UDP on loopback in real time. Every page spandsp stores must be
 * pixel for pixel the page we rendered (spandsp stores in its own coding, so the pixels are
 * compared, not the files), and both ends must agree on pages, coding, rate and identities.
 * In one call spandsp calls and polls, and faxd, the called station, sends. The calls take
 * 25–60 s each and run side by side on separate ports.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

import { runUdptlCall } from '../../src/carriers/udptl-call.js'
import { readTiff } from '../../src/codec/tiff-read.js'
import { UdpEndpoint } from '../../src/telephony/net/udp-endpoint.js'
import type { Coding } from '../../src/telephony/t30/page-format.js'
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
  /** spandsp calls and polls; faxd answers and sends (T.30 polling: DIS bit 9, then DTC). */
  readonly polled?: boolean
}

const PLANS: readonly Plan[] = [
  {
    name: 'v0-ecm-mmr-a4-fine',
    version: 0,
    ecm: true,
    coding: 'mmr',
    pages: [
      { paper: 'a4', resolution: 'fine', seed: 1 },
      { paper: 'a4', resolution: 'fine', seed: 2 },
    ],
  },
  {
    name: 'v3-ecm-mmr-letter-superfine',
    version: 3,
    ecm: true,
    coding: 'mmr',
    pages: [{ paper: 'letter', resolution: 'superfine', seed: 3 }],
  },
  {
    name: 'v3-mr-letter-fine',
    version: 3,
    ecm: false,
    coding: 'mr',
    pages: [{ paper: 'letter', resolution: 'fine', seed: 4 }],
  },
  {
    name: 'v3-polled-ecm-mmr-a4-fine',
    version: 3,
    ecm: true,
    coding: 'mmr',
    pages: [{ paper: 'a4', resolution: 'fine', seed: 6 }],
    polled: true,
  },
  {
    name: 'v0-mh-a4-superfine',
    version: 0,
    ecm: false,
    coding: 'mh',
    pages: [{ paper: 'a4', resolution: 'superfine', seed: 5 }],
  },
]

async function sendToSpandsp(dir: string, plan: Plan): Promise<void> {
  const received = join(dir, `${plan.name}.tif`)
  const sources = plan.pages.map((spec) => faxTestPage(spec))
  const session = new T38FaxSession({
    version: plan.version,
    t30: {
      role: plan.polled === true ? 'answering' : 'calling',
      localId: FAXD_ID,
      pages: sources.map((source, i) => ({
        bitmap: source.bitmap,
        resolution: plan.pages[i]!.resolution,
      })),
      capabilities: {
        ecm: plan.ecm,
        codings: codingsUpTo(plan.coding),
      },
    },
  })
  const common = { receive: received, version: plan.version, ident: SPANDSP_ID, maxSeconds: 150 }
  // The called end listens first; the calling end is pointed at its port.
  let peer: SpandspPeer
  let endpoint: UdpEndpoint
  if (plan.polled === true) {
    endpoint = await UdpEndpoint.open({})
    peer = await startSpandspPeer({ ...common, role: 'calling', remotePort: endpoint.local.port })
  } else {
    peer = await startSpandspPeer({ ...common, role: 'answering' })
    endpoint = await UdpEndpoint.open({ remote: { host: '127.0.0.1', port: peer.port } })
  }
  let ours
  try {
    ours = await runUdptlCall(session, endpoint)
  } finally {
    endpoint.close()
  }
  const theirs = await peer.done
  const log = ours.events.flatMap((e) => (e.type === 'log' ? [e.message] : [])).join('\n')
  const context = `${plan.name}\nfaxd:\n${log}\nspandsp:\n${describePeerResult(theirs)}`
  assert.equal(ours.result.code, 'ok', context)
  assert.equal(theirs.report.completion, 0, context)
  assert.deepEqual(
    ours.result.pagesConfirmed,
    plan.pages.map((_, i) => i),
    context,
  )
  assert.equal(theirs.report.pagesRx, plan.pages.length, context)
  // Both ends agree on what was negotiated, and know each other.
  const selection = ours.result.negotiated?.selection
  assert.equal(selection?.coding, plan.coding, context)
  assert.equal(theirs.report.coding, plan.coding, context)
  assert.equal(selection?.ecm, plan.ecm)
  assert.equal(theirs.report.ecm, plan.ecm ? 1 : 0)
  assert.equal(selection?.modem.bitRate, theirs.report.bitRate)
  assert.equal(ours.result.remoteId, SPANDSP_ID)
  assert.equal(theirs.report.remoteIdent, FAXD_ID, frameSequence(theirs.report))
  if (plan.polled === true) {
    // spandsp polled: it sent DTC, and faxd's DCS came back.
    const frames = frameSequence(theirs.report)
    assert.match(frames, /tx:DTC.*rx:DCS/, frames)
  }
  // Every page stored by spandsp is the page we rendered.
  const pages = readTiff(new Uint8Array(await readFile(received)))
  assert.equal(pages.length, sources.length)
  pages.forEach((page, i) => {
    assert.equal(differenceOf(page.bitmap, sources[i]!.bitmap), '', `${plan.name} page ${i + 1}`)
  })
  // And libtiff agrees: tiffcmp -t compares the image data of every page, not the tags
  // (spandsp stores MR, our pages are written as MMR).
  const rendered = writeFaxTestTiff(join(dir, `${plan.name}-rendered.tif`), sources)
  await run('tiffcmp', ['-t', rendered, received])
}

test(
  'faxd sends to spandsp 0.0.6 over T.38 on UDP, in real time',
  { concurrency: true },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'faxd-to-spandsp-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    await buildSpandspPeer()
    await Promise.all([
      ...PLANS.map((plan) =>
        t.test(`${plan.name}: every page pixel-identical`, () => sendToSpandsp(dir, plan)),
      ),
      t.test('a call stopped after its first page hangs up cleanly: DCN, then the line', () =>
        stopAfterFirstPage(dir),
      ),
    ])
  },
)

/**
 * The job's signal aborts while the call is on (the sender cancelled, the worker stops): faxd
 * sends DCN at once, so spandsp hears the call end instead of waiting out its timers, and the
 * page already confirmed stays confirmed.
 */
async function stopAfterFirstPage(dir: string): Promise<void> {
  const peer = await startSpandspPeer({
    receive: join(dir, 'stopped.tif'),
    role: 'answering',
    version: 0,
    ident: SPANDSP_ID,
    maxSeconds: 120,
  })
  const endpoint = await UdpEndpoint.open({ remote: { host: '127.0.0.1', port: peer.port } })
  const pages = [1, 2, 3].map((seed) => ({
    bitmap: faxTestPage({ paper: 'a4', resolution: 'fine', seed }).bitmap,
    resolution: 'fine' as const,
  }))
  const session = new T38FaxSession({
    version: 0,
    t30: { role: 'calling', localId: FAXD_ID, pages },
  })
  const stop = new AbortController()
  let ours
  try {
    ours = await runUdptlCall(session, endpoint, {
      signal: stop.signal,
      onEvent: (event) => {
        if (event.type === 'page-confirmed') {
          stop.abort()
        }
      },
    })
  } finally {
    endpoint.close()
  }
  const theirs = await peer.done
  const log = ours.events.flatMap((e) => (e.type === 'log' ? [e.message] : [])).join('\n')
  const context = `faxd:\n${log}\nspandsp:\n${describePeerResult(theirs)}`
  assert.equal(ours.result.code, 'call-dropped', context)
  assert.deepEqual(ours.result.pagesConfirmed, [0], context)
  assert.equal(theirs.report.timedOut, false, context)
  assert.notEqual(theirs.report.completion, 0, context)
  assert.equal(theirs.report.pagesRx, 1, context)
  // The last frame spandsp heard is our DCN.
  assert.match(frameSequence(theirs.report), /rx:DCN$/, context)
}
