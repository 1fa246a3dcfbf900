/**
 * The interop harness's own proof: spandsp-peer sends to spandsp-peer over real UDP on
 * loopback, in real time, with our UDPTL framing in between. Before faxd's T.30/T.38 stack is
 * pitted against spandsp through this harness, spandsp must get a page through it to itself,
 * also when packets are lost and its redundancy must make up for them. (Version 3, superfine
 * and training down on a spoiled line are proven against faxd in the other interop files.)
 *
 * Each call takes 25–45 s of real time, so the calls run at the same time.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { readTiff } from '../../src/codec/tiff-read.js'
import { differenceOf } from '../codec/pages.js'
import { type FaxTestPageSpec, faxTestPage, writeFaxTestTiff } from '../support/fax-pages.js'
import {
  type SpandspCall,
  type SpandspCallReport,
  type SpandspPeerResult,
  buildSpandspPeer,
  describePeerResult,
  frameSequence,
  runSpandspCall,
  runSpandspPeer,
} from '../support/spandsp-peer.js'

const SENDER_IDENT = '+1 555 0199'
const RECEIVER_IDENT = '+1 555 0100'

/** T.30 DIS/DCS bit n (numbered from 1) of a frame in T.38 wire form (MSB = first bit). */
function fifBit(wireHex: string, n: number): boolean {
  const octet = Number.parseInt(
    wireHex.slice(6 + 2 * Math.floor((n - 1) / 8), 8 + 2 * Math.floor((n - 1) / 8)),
    16,
  )
  return ((octet >> (7 - ((n - 1) % 8))) & 1) === 1
}

/** DCS bits 11–14 as T.30 writes them (b11 first): '0001' is V.17 at 14,400 bit/s. */
function dcsRateBits(wireHex: string): string {
  return [11, 12, 13, 14].map((n) => (fifBit(wireHex, n) ? '1' : '0')).join('')
}

function framesOf(report: SpandspCallReport, dir: 'rx' | 'tx', name: string): string[] {
  return report.frames.filter((f) => f.dir === dir && f.name === name).map((f) => f.wireHex)
}

/** Both ends finished with T30_ERR_OK, one page each way agreed, idents exchanged. */
function assertCallSucceeded(call: SpandspCall): void {
  const { sender, receiver } = call
  const context = `sender:\n${describePeerResult(sender)}\nreceiver:\n${describePeerResult(receiver)}`
  for (const side of [sender, receiver]) {
    assert.equal(side.exitCode, 0, context)
    assert.equal(side.report.completion, 0, context)
    assert.equal(side.report.completionText, 'OK')
    assert.equal(side.report.timedOut, false)
    assert.equal(side.report.udptl.malformed, 0)
  }
  assert.equal(sender.report.pagesTx, 1, context)
  assert.equal(receiver.report.pagesRx, 1, context)
  assert.equal(receiver.report.bitRate, sender.report.bitRate)
  assert.equal(receiver.report.coding, sender.report.coding)
  assert.equal(receiver.report.ecm, sender.report.ecm)
  assert.equal(sender.report.remoteIdent, RECEIVER_IDENT)
  assert.equal(receiver.report.remoteIdent, SENDER_IDENT)
  // Both ends saw the same control frames, each the other way round.
  const flipped = (s: SpandspPeerResult): string[] =>
    s.report.frames.map((f) => `${f.dir === 'rx' ? 'tx' : 'rx'}:${f.name}:${f.wireHex}`)
  const seen = (s: SpandspPeerResult): string[] =>
    s.report.frames.map((f) => `${f.dir}:${f.name}:${f.wireHex}`)
  assert.deepEqual(flipped(receiver), seen(sender), context)
}

/** The received TIFF holds exactly the page that was sent. */
async function assertReceivedPage(path: string, spec: FaxTestPageSpec): Promise<void> {
  const sent = faxTestPage(spec)
  const pages = readTiff(new Uint8Array(await readFile(path)))
  assert.equal(pages.length, 1)
  const [page] = pages
  assert.ok(page !== undefined)
  assert.equal(differenceOf(page.bitmap, sent.bitmap), '', `${spec.paper} ${spec.resolution}`)
  // spandsp stores its vertical resolution in pixels per metre: 15400/m is 391.16 dpi.
  assert.ok(Math.abs((page.yDpi ?? 0) - sent.yDpi) <= 1, `yDpi ${page.yDpi}, sent ${sent.yDpi}`)
}

interface CallPlan {
  readonly name: string
  readonly version: 0 | 1 | 2 | 3
  readonly page: FaxTestPageSpec
  /** Both peers lose every Nth packet they send. */
  readonly dropEvery?: number
}

async function runPlannedCall(dir: string, plan: CallPlan): Promise<SpandspCall> {
  const source = writeFaxTestTiff(join(dir, `${plan.name}-sent.tif`), [faxTestPage(plan.page)])
  const common = {
    version: plan.version,
    ecm: true,
    compressions: ['mh', 'mr', 'mmr'],
    dropEvery: plan.dropEvery,
  } as const
  return runSpandspCall(
    { ...common, send: source, ident: SENDER_IDENT },
    { ...common, receive: join(dir, `${plan.name}-received.tif`), ident: RECEIVER_IDENT },
  )
}

test(
  'spandsp-peer sends a page to spandsp-peer over UDPTL on loopback, in real time',
  { concurrency: true, timeout: 150_000 },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'faxd-spandsp-harness-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    await buildSpandspPeer() // once, before the calls start side by side

    await Promise.all([
      t.test('T.38 version 0, ECM and MMR, an A4 page at fine resolution', async () => {
        const plan: CallPlan = { name: 'v0', version: 0, page: { paper: 'a4', resolution: 'fine' } }
        const call = await runPlannedCall(dir, plan)
        assertCallSucceeded(call)
        const { sender, receiver } = call
        assert.equal(sender.report.bitRate, 14400)
        assert.equal(sender.report.coding, 'mmr')
        assert.equal(sender.report.encoding, 3)
        assert.equal(sender.report.ecm, 1)
        assert.equal(sender.report.resolutionY, 7700)
        assert.equal(sender.report.width, 1728)
        assert.equal(sender.report.length, 2292)
        assert.equal(receiver.report.badRows, 0)
        assert.ok(
          sender.report.ecmFrames.tx > 0 &&
            sender.report.ecmFrames.tx === receiver.report.ecmFrames.rx,
        )
        // DCS in T.38 wire form: final frame from the caller, V.17 14,400, fine, ECM, T.6.
        const [dcs] = framesOf(sender.report, 'tx', 'DCS')
        assert.ok(dcs !== undefined, frameSequence(sender.report))
        assert.match(dcs, /^ffc8c1/)
        assert.equal(dcsRateBits(dcs), '0001')
        assert.ok(fifBit(dcs, 15), 'fine')
        assert.ok(fifBit(dcs, 27), 'ECM')
        assert.ok(fifBit(dcs, 31), 'T.6')
        assert.ok(!fifBit(dcs, 41), 'not superfine')
        assert.deepEqual(framesOf(sender.report, 'rx', 'CFR'), ['ffc821'])
        await assertReceivedPage(join(dir, 'v0-received.tif'), plan.page)
      }),

      t.test(
        'with every 5th UDPTL packet lost each way, the redundancy recovers them',
        async () => {
          const plan: CallPlan = {
            name: 'lossy',
            version: 0,
            page: { paper: 'letter', resolution: 'fine' },
            dropEvery: 5,
          }
          const call = await runPlannedCall(dir, plan)
          assertCallSucceeded(call)
          const { sender, receiver } = call
          for (const [side, far] of [
            [sender, receiver],
            [receiver, sender],
          ] as const) {
            assert.ok(side.report.udptl.dropped > 0, describePeerResult(side))
            // Each lost packet comes back from the next one's secondaries (all but a lost last one).
            assert.ok(
              far.report.udptl.recovered >= side.report.udptl.dropped - 1,
              describePeerResult(far),
            )
          }
          assert.equal(sender.report.ecmRetries, 0)
          await assertReceivedPage(join(dir, 'lossy-received.tif'), plan.page)
        },
      ),

      t.test(
        'a file to send that cannot be read is a usage error, reported with stderr',
        async () => {
          await assert.rejects(
            runSpandspPeer({ send: join(dir, 'no-such-page.tif') }),
            (error: Error) => {
              assert.match(error.message, /without a result line/)
              assert.match(error.message, /cannot read .*no-such-page\.tif/)
              return true
            },
          )
        },
      ),
    ])
  },
)
