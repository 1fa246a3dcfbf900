/**
 * Our T.30/T.38 stack as a fax line (`node --import tsx bench/t38.bench.ts`, about 2½ minutes).
 * See docs/benchmarks.md, "T.38 transmission".
 *
 * 1. Success rate, own stack against itself in virtual time (runVirtualCall over an
 *    ImpairedNetwork): BENCH_T38_FAXES (100) two-page fine ECM faxes at 0 %, 1 % and 5 %
 *    random loss, with 1 % duplication, 40 ms delay and a jitter drawn evenly from 0–20 ms and
 *    (a second series) 0–60 ms for each datagram (BENCH_T38_JITTER_MS, default "20,60"), so
 *    datagrams sent closer together than that can overtake each other; UDPTL redundancy 3
 *    (T38FaxSession's default). T.38 version 0 and 3 alternate; each fax has its own network
 *    seed. A fax succeeds when the sender ends OK with both pages confirmed and the receiver
 *    holds both, pixel for pixel. The same faxes on a line with only the delay are the
 *    reference for the call time.
 * 2. Call time in real time over UDP on loopback, 1 and 10 fine A4 letters (faxTestPage, seeds
 *    1–10), T.38 version 0, ECM, MMR, V.17 14,400: faxd → spandsp 0.0.6 and spandsp → spandsp
 *    on the same pages, the four calls side by side, each through a T38Tap (bench/t38-tap.ts)
 *    that notes when each T.30 signal passed. The duration is the sender's time from its start
 *    to its phase E: T30Result.durationMs for faxd, the harness's elapsedMs for spandsp (its
 *    loop's start to its phase E handler). Beside them the line-rate floor of
 *    src/telephony/t30/line-time.ts for the negotiated rate and our MMR coding of the pages.
 * 3. Engine CPU per page: process.cpuUsage (user + system) of a 1-page and a 10-page call of the
 *    same pages in virtual time, the sending and the receiving session both, on a bare in-memory
 *    wire (a fixed 20 ms delay, no loss model), the median of BENCH_T38_CPU_ROUNDS (5) samples
 *    of repeated calls; beside the same calls through runVirtualCall and the ImpairedNetwork,
 *    and the page's line time at 14,400 bit/s.
 *
 * BENCH_T38_PARTS (default "1,2,3") runs only some parts. No timed assertions: the bench prints
 * its tables and ends; a failed call is shown in the tables, not thrown.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { runUdptlCall } from '../src/carriers/udptl-call.js'
import { runVirtualCall } from '../src/carriers/virtual-call.js'
import { sameBitmap } from '../src/codec/bitmap.js'
import {
  type Impairments,
  CLEAN_LINE,
  ImpairedNetwork,
} from '../src/telephony/net/impaired-network.js'
import { UdpEndpoint } from '../src/telephony/net/udp-endpoint.js'
import type { Selection } from '../src/telephony/t30/capability-bits.js'
import {
  ANSWER_SILENCE_MS,
  CED_MS,
  FRAME_OCTETS,
  HDLC_FRAME_EXTRA_OCTETS,
  type LineTime,
  SIGNAL_GAP_MS,
  lineTime,
  pageImageMs,
  v21BurstMs,
} from '../src/telephony/t30/line-time.js'
import { V21_BIT_RATE, V17_14400 } from '../src/telephony/t30/modems.js'
import { type SourcePage, encodePageForLine } from '../src/telephony/t30/page-coding.js'
import { PAGE_WIDTH } from '../src/telephony/t30/page-format.js'
import type { T30Result } from '../src/telephony/t30/t30-engine.js'
import { type T38FaxEvent, T38FaxSession } from '../src/telephony/t38/t38-fax-session.js'
import type { T38Version } from '../src/telephony/t38/ifp.js'
import { type FaxTestPage, faxTestPage, writeFaxTestTiff } from '../test/support/fax-pages.js'
import {
  type SpandspPeerResult,
  buildSpandspPeer,
  startSpandspPeer,
} from '../test/support/spandsp-peer.js'
import { BURST_MS, T38Tap, type TapEvent } from './t38-tap.js'

const SENDER_ID = '+1 555 0100'
const RECEIVER_ID = '+1 555 0199'
const FAXES = positiveInt('BENCH_T38_FAXES', 100)
const CPU_ROUNDS = positiveInt('BENCH_T38_CPU_ROUNDS', 5)
const PARTS = new Set((process.env.BENCH_T38_PARTS ?? '1,2,3').split(',').map((s) => s.trim()))
const LOSSES = [0, 0.01, 0.05] as const
const TARGETS = new Map<number, number>([
  [0, 1],
  [0.01, 0.99],
  [0.05, 0.95],
])
const DUPLICATION = 0.01
const DELAY_MS = 40
/** Jitter, ms: each datagram's delay is DELAY_MS plus a uniform draw from 0 to this. */
const JITTERS = (process.env.BENCH_T38_JITTER_MS ?? '20,60').split(',').map((text) => {
  const value = Number(text.trim())
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`BENCH_T38_JITTER_MS is a list of whole ms ≥ 0, not '${text}'`)
  }
  return value
})
/** spandsp's harness gives up after this long; a 10-page call takes about 2 minutes. */
const SPANDSP_MAX_SECONDS = 300
/** What the tap sees of a V.21 frame is its FCS's start: the FCS and flag come 80 ms later. */
const FCS_TAIL_MS = (HDLC_FRAME_EXTRA_OCTETS * 8 * 1000) / V21_BIT_RATE

function positiveInt(name: string, fallback: number): number {
  const text = process.env[name]
  if (text === undefined || text === '') {
    return fallback
  }
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} is a whole number ≥ 1, not '${text}'`)
  }
  return value
}

const s = (ms: number): string => (ms / 1000).toFixed(2)
const ratio = (a: number, b: number): string => (a / b).toFixed(3)
const signed = (ms: number): string => `${ms >= 0 ? '+' : '−'}${s(Math.abs(ms))}`

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function letters(count: number, firstSeed = 1): FaxTestPage[] {
  return Array.from({ length: count }, (_, i) =>
    faxTestPage({ paper: 'a4', resolution: 'fine', seed: firstSeed + i }),
  )
}

function sources(pages: readonly FaxTestPage[]): SourcePage[] {
  return pages.map((page) => ({ bitmap: page.bitmap, resolution: 'fine' }))
}

function sessions(
  pages: readonly SourcePage[],
  version: T38Version,
): [T38FaxSession, T38FaxSession] {
  return [
    new T38FaxSession({ version, t30: { role: 'calling', localId: SENDER_ID, pages } }),
    new T38FaxSession({ version, t30: { role: 'answering', localId: RECEIVER_ID } }),
  ]
}

/** Each page's octets on the line as the engine codes them for `selection`. */
function codedOctets(pages: readonly SourcePage[], selection: Selection): number[] {
  return pages.map(
    (page) =>
      encodePageForLine(page, {
        coding: selection.coding,
        resolution: selection.resolution,
        ecm: selection.ecm,
        minScanLineMs: selection.minScanLineMs,
        bitRate: selection.modem.bitRate,
        width: PAGE_WIDTH,
      }).length,
  )
}

/** The selection both ends of this bench agree on: V.17 14,400, MMR, fine, ECM. */
const FINE_MMR_ECM: Selection = {
  modem: V17_14400,
  resolution: 'fine',
  coding: 'mmr',
  ecm: true,
  ecmFrame64: false,
  minScanLineMs: 0,
}

function logLines(events: readonly T38FaxEvent[]): string {
  return events.flatMap((e) => (e.type === 'log' ? [`  ${e.message}`] : [])).join('\n')
}

// ---- 1. success rate --------------------------------------------------------------------------

interface LossRow {
  readonly impairments: Impairments
  readonly ok: number
  readonly pagesConfirmed: number
  readonly meanMs: number
  readonly maxMs: number
  readonly sent: number
  readonly lost: number
  /** PPRs the receivers sent: ECM frames that did not arrive and were sent again. */
  readonly pprs: number
  readonly failures: Map<string, number>
}

/** The faxes of part 1: two pages each from a pool of ten letters. */
function faxPages(pool: readonly SourcePage[], i: number): SourcePage[] {
  return [pool[(2 * i) % pool.length]!, pool[(2 * i + 1) % pool.length]!]
}

function runFaxes(
  pool: readonly SourcePage[],
  impairments: Impairments,
  seedBase: number,
): LossRow {
  let ok = 0
  let pagesConfirmed = 0
  let totalMs = 0
  let maxMs = 0
  let sent = 0
  let lost = 0
  let pprs = 0
  const failures = new Map<string, number>()
  for (let i = 0; i < FAXES; i++) {
    const pages = faxPages(pool, i)
    const [caller, answerer] = sessions(pages, i % 2 === 0 ? 0 : 3)
    const network = new ImpairedNetwork(impairments, seedBase + i + 1)
    const run = runVirtualCall(caller, answerer, { network })
    const received = run.answererEvents.flatMap((e) => (e.type === 'page-received' ? [e.page] : []))
    const whole =
      received.length === pages.length &&
      received.every((page, n) => sameBitmap(page.bitmap, pages[n]!.bitmap))
    pagesConfirmed += run.caller.pagesConfirmed.length
    totalMs += run.caller.durationMs
    maxMs = Math.max(maxMs, run.caller.durationMs)
    sent += network.sent
    lost += network.lost
    pprs += run.callerEvents.filter((e) => e.type === 'log' && / s rx PPR$/.test(e.message)).length
    if (run.caller.code === 'ok' && run.caller.pagesConfirmed.length === pages.length && whole) {
      ok++
    } else {
      const key = `${run.caller.code}/${run.answerer.code}${whole ? '' : ', pages not whole'}`
      failures.set(key, (failures.get(key) ?? 0) + 1)
    }
  }
  return {
    impairments,
    ok,
    pagesConfirmed,
    meanMs: totalMs / FAXES,
    maxMs,
    sent,
    lost,
    pprs,
    failures,
  }
}

function successRate(): void {
  const started = performance.now()
  const pool = sources(letters(10, 101))
  const clean = runFaxes(pool, { ...CLEAN_LINE, delayMs: DELAY_MS }, 0)
  const rows: LossRow[] = []
  for (const jitterMs of JITTERS) {
    for (const loss of LOSSES) {
      const impairments = { loss, duplication: DUPLICATION, delayMs: DELAY_MS, jitterMs }
      rows.push(runFaxes(pool, impairments, 1_000_000 * jitterMs + 10_000 * Math.round(loss * 100)))
    }
  }
  const wallMs = performance.now() - started

  console.log(`## 1. Success rate: ${FAXES} two-page faxes per line, own stack, virtual time`)
  console.log('')
  console.log(
    `Fine A4 letters (faxTestPage seeds 101–110, two per fax), ECM + MMR, V.17 14,400; ` +
      `T.38 version 0 and 3 alternating; UDPTL redundancy 3; a network seed per fax. Line: ` +
      `the loss below, ${DUPLICATION * 100} % duplication, ${DELAY_MS} ms delay plus jitter ` +
      `drawn evenly from 0 to the figure below for each datagram (so datagrams sent closer ` +
      `together than that can arrive out of order). Call time: the sender's, start to phase E; ` +
      `the same faxes on a line with only the ${DELAY_MS} ms delay take ${s(clean.meanMs)} s ` +
      `on average (max ${s(clean.maxMs)} s, ${clean.ok}/${FAXES} OK). ${s(wallMs)} s of wall ` +
      `time for the ${(rows.length + 1) * FAXES} calls.`,
  )
  console.log('')
  console.log(
    '| jitter | random loss | faxes OK | target | pages confirmed | mean call s | max call s | PPRs | datagrams lost | failures (sender/receiver) |',
  )
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
  for (const row of rows) {
    const { loss, jitterMs } = row.impairments
    const failures = [...row.failures].map(([key, n]) => `${n} × ${key}`).join('; ') || '–'
    console.log(
      `| 0–${jitterMs} ms | ${loss * 100} % | ${row.ok}/${FAXES} | ≥ ${TARGETS.get(loss)! * 100} % | ` +
        `${row.pagesConfirmed}/${2 * FAXES} | ${s(row.meanMs)} | ${s(row.maxMs)} | ${row.pprs} | ` +
        `${row.lost} of ${row.sent} | ${failures} |`,
    )
  }
  console.log('')
}

// ---- 2. real-time call duration ---------------------------------------------------------------

interface RealCall {
  readonly sender: 'faxd' | 'spandsp'
  readonly pages: number
  readonly ok: boolean
  readonly durationMs: number
  readonly bitRate: number
  /** What faxd negotiated (its DCS); spandsp's call reports only the rate. */
  readonly selection?: Selection
  readonly detail: string
  readonly events: readonly TapEvent[]
  /** performance.now() of the sender's start. */
  readonly startAt: number
  /** How long the answerer had been running when the sender started. */
  readonly answererLeadMs: number
  readonly spandspOctets?: number
  /** The sender's IFPs as the tap counted them (bench/t38-tap.ts). */
  readonly ifps: T38Tap['ifps']['caller']
}

async function faxdToSpandsp(dir: string, pages: readonly FaxTestPage[]): Promise<RealCall> {
  const name = `faxd-${pages.length}`
  const peer = await startSpandspPeer({
    receive: join(dir, `${name}.tif`),
    role: 'answering',
    version: 0,
    ident: RECEIVER_ID,
    maxSeconds: SPANDSP_MAX_SECONDS,
  })
  const answererAt = performance.now()
  const tap = await T38Tap.open(peer.port, 0)
  const endpoint = await UdpEndpoint.open({ remote: { host: '127.0.0.1', port: tap.port } })
  const [session] = sessions(sources(pages), 0)
  let result: T30Result
  let events: readonly T38FaxEvent[]
  const startAt = performance.now()
  try {
    const run = await runUdptlCall(session, endpoint)
    result = run.result
    events = run.events
  } finally {
    endpoint.close()
  }
  const theirs = await peer.done
  tap.close()
  const ok =
    result.code === 'ok' &&
    result.pagesConfirmed.length === pages.length &&
    theirs.report.completion === 0 &&
    theirs.report.pagesRx === pages.length
  return {
    sender: 'faxd',
    pages: pages.length,
    ok,
    durationMs: result.durationMs,
    bitRate: result.negotiated?.selection.modem.bitRate ?? 0,
    selection: result.negotiated?.selection,
    detail: ok
      ? ''
      : `faxd ${result.code}, spandsp ${theirs.report.completionText}\n${logLines(events)}`,
    events: tap.events,
    startAt,
    answererLeadMs: startAt - answererAt,
    ifps: tap.ifps.caller,
  }
}

async function spandspToSpandsp(dir: string, pages: readonly FaxTestPage[]): Promise<RealCall> {
  // runSpandspCall's order (the receiver first, learning its far end from the first datagram;
  // then the sender pointed at it), with the tap in between.
  const name = `spandsp-${pages.length}`
  const tiff = writeFaxTestTiff(join(dir, `${name}-send.tif`), pages)
  const receiver = await startSpandspPeer({
    receive: join(dir, `${name}.tif`),
    role: 'answering',
    version: 0,
    ident: RECEIVER_ID,
    remotePort: 0,
    maxSeconds: SPANDSP_MAX_SECONDS,
  })
  const answererAt = performance.now()
  const tap = await T38Tap.open(receiver.port, 0)
  let sent: SpandspPeerResult
  try {
    const sender = await startSpandspPeer({
      send: tiff,
      role: 'calling',
      version: 0,
      ident: SENDER_ID,
      remotePort: tap.port,
      maxSeconds: SPANDSP_MAX_SECONDS,
    })
    sent = await sender.done
  } catch (error) {
    receiver.stop()
    await receiver.done.catch(() => undefined)
    tap.close()
    throw error
  }
  const received = await receiver.done
  tap.close()
  const ok =
    sent.report.completion === 0 &&
    received.report.completion === 0 &&
    received.report.pagesRx === pages.length
  // The sender's first datagram is its start (no-signal, at its loop's first tick).
  const startAt = tap.callerFirstAt ?? answererAt
  const phaseD = sent.report.phaseD.map((d) => d.imageSize)
  return {
    sender: 'spandsp',
    pages: pages.length,
    ok,
    durationMs: sent.report.elapsedMs,
    bitRate: sent.report.bitRate,
    detail: ok
      ? ''
      : `sender ${sent.report.completionText}, receiver ${received.report.completionText}`,
    events: tap.events,
    startAt,
    answererLeadMs: startAt - answererAt,
    spandspOctets: phaseD.length > 0 ? phaseD.reduce((a, b) => a + b, 0) : undefined,
    ifps: tap.ifps.caller,
  }
}

/** The T.30 signals of a call, in ms from the sender's start, as the tap saw them. */
interface Timeline {
  readonly dis: number
  readonly dcs: number
  readonly cfr: number
  /** Per page: its training indicator, its last RCP, its PPS and the MCF to it. */
  readonly training: number[]
  readonly lastRcp: number[]
  readonly pps: number[]
  readonly mcf: number[]
  readonly dcn: number
  readonly phaseE: number
}

function timelineOf(call: RealCall): Timeline {
  const at = (e: TapEvent): number => e.at - call.startAt
  const events = call.events
  const first = (from: TapEvent['from'], name: string): number => {
    const found = events.find((e) => e.from === from && e.name === name)
    return found === undefined ? NaN : at(found)
  }
  const cfr = first('answerer', 'CFR')
  const training: number[] = []
  const lastRcp: number[] = []
  const pps: number[] = []
  const mcf: number[] = []
  // A page: the first training after CFR or the last MCF, then (after any PPR rounds) the
  // last RCP and PPS before the MCF that confirms it.
  let rcp = NaN
  let lastPps = { at: NaN, rcp: NaN }
  for (const e of events) {
    if (at(e) <= cfr) {
      continue
    }
    if (e.from === 'caller' && e.kind === 'indicator' && e.name.includes('training')) {
      if (training.length === mcf.length) {
        training.push(at(e))
      }
    } else if (e.from === 'caller' && e.name === 'RCP') {
      rcp = at(e)
    } else if (e.from === 'caller' && e.name === 'PPS') {
      lastPps = { at: at(e), rcp }
    } else if (e.from === 'answerer' && e.name === 'MCF') {
      mcf.push(at(e))
      pps.push(lastPps.at)
      lastRcp.push(lastPps.rcp)
    }
  }
  return {
    dis: first('answerer', 'DIS'),
    dcs: first('caller', 'DCS'),
    cfr,
    training,
    lastRcp,
    pps,
    mcf,
    dcn: first('caller', 'DCN'),
    phaseE: call.durationMs,
  }
}

/** The same signals at the line-rate floor (line-time.ts), at the points the tap sees them. */
function floorTimeline(line: LineTime, images: readonly number[], bitRate: number): Timeline {
  const dis =
    ANSWER_SILENCE_MS +
    CED_MS +
    SIGNAL_GAP_MS +
    v21BurstMs([FRAME_OCTETS.identity, FRAME_OCTETS.dis]) -
    FCS_TAIL_MS
  const dcs =
    dis +
    FCS_TAIL_MS +
    SIGNAL_GAP_MS +
    v21BurstMs([FRAME_OCTETS.identity, FRAME_OCTETS.dcsEcm]) -
    FCS_TAIL_MS
  const training: number[] = []
  const lastRcp: number[] = []
  const pps: number[] = []
  const mcf: number[] = []
  let t = line.preMessageMs
  line.pagesMs.forEach((pageMs, i) => {
    training.push(t + SIGNAL_GAP_MS)
    // The image ends with the last RCP's FCS and flag (3 octets: 1.7 ms at 14,400).
    lastRcp.push(t + images[i]! - (HDLC_FRAME_EXTRA_OCTETS * 8 * 1000) / bitRate)
    const ppsBurst = v21BurstMs([FRAME_OCTETS.pps])
    pps.push(t + images[i]! + SIGNAL_GAP_MS + ppsBurst - FCS_TAIL_MS)
    t += pageMs
    mcf.push(t - FCS_TAIL_MS)
  })
  return {
    dis,
    dcs,
    cfr: line.preMessageMs - FCS_TAIL_MS,
    training,
    lastRcp,
    pps,
    mcf,
    dcn: line.totalMs - FCS_TAIL_MS,
    phaseE: line.totalMs,
  }
}

const mean = (values: readonly number[]): number =>
  values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length

/** Per-page intervals, averaged over the pages. */
function pageIntervals(t: Timeline) {
  const n = t.pps.length
  const range = [...Array(n).keys()]
  return {
    image: mean(range.map((i) => t.lastRcp[i]! - t.training[i]!)),
    rcpToPps: mean(range.map((i) => t.pps[i]! - t.lastRcp[i]!)),
    ppsToMcf: mean(range.map((i) => t.mcf[i]! - t.pps[i]!)),
    mcfToNext: mean(range.slice(0, -1).map((i) => t.training[i + 1]! - t.mcf[i]!)),
  }
}

/** The call cut into five stretches, in ms. */
function segments(t: Timeline): number[] {
  const firstPage = t.training[0] ?? NaN
  const lastMcf = t.mcf[t.mcf.length - 1] ?? NaN
  return [t.cfr, firstPage - t.cfr, lastMcf - firstPage, t.dcn - lastMcf, t.phaseE - t.dcn]
}

async function realTimeCalls(): Promise<void> {
  await buildSpandspPeer()
  const dir = await mkdtemp(join(tmpdir(), 'faxd-t38-bench-'))
  try {
    const one = letters(1)
    const ten = letters(10)
    const started = performance.now()
    const [faxd1, faxd10, spandsp1, spandsp10] = await Promise.all([
      faxdToSpandsp(dir, one),
      faxdToSpandsp(dir, ten),
      spandspToSpandsp(dir, one),
      spandspToSpandsp(dir, ten),
    ])
    const wallMs = performance.now() - started
    printRealTime(
      [
        { pages: one, faxd: faxd1, spandsp: spandsp1 },
        { pages: ten, faxd: faxd10, spandsp: spandsp10 },
      ],
      wallMs,
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

interface CallPair {
  readonly pages: readonly FaxTestPage[]
  readonly faxd: RealCall
  readonly spandsp: RealCall
}

function printRealTime(pairs: readonly CallPair[], wallMs: number): void {
  console.log('## 2. Call time in real time: faxd → spandsp and spandsp → spandsp, UDP on loopback')
  console.log('')
  console.log(
    `Fine A4 letters (faxTestPage seeds 1–10), T.38 version 0, ECM + MMR, spandsp 0.0.6 ` +
      `answering. The four calls ran side by side: ${s(wallMs)} s of wall time. Duration: the ` +
      `sender's time from its start to its phase E. Floor: line-time.ts at the negotiated rate ` +
      `for our MMR coding of the pages.`,
  )
  console.log('')
  console.log(
    '| pages | MMR octets (ours) | rate | floor s | faxd s | spandsp s | faxd / floor | spandsp / floor | faxd / spandsp |',
  )
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  const floors: { line: LineTime; images: number[]; bitRate: number }[] = []
  for (const { pages, faxd, spandsp } of pairs) {
    // The floor of what faxd negotiated (its DCS), for the pages as the engine codes them.
    const selection = faxd.selection ?? FINE_MMR_ECM
    const bitRate = selection.modem.bitRate
    const octets = codedOctets(sources(pages), selection)
    const line = lineTime({ bitRate, ecm: selection.ecm, pageOctets: octets })
    const images = octets.map((n) => pageImageMs(bitRate, selection.ecm, n))
    const rate =
      spandsp.bitRate === bitRate ? `${bitRate}` : `${bitRate} (spandsp ${spandsp.bitRate})`
    floors.push({ line, images, bitRate })
    const mark = (call: RealCall): string =>
      call.ok ? s(call.durationMs) : `${s(call.durationMs)} (failed)`
    console.log(
      `| ${pages.length} | ${octets.reduce((a, b) => a + b, 0)} | ${rate} | ` +
        `${s(line.totalMs)} | ${mark(faxd)} | ${mark(spandsp)} | ` +
        `${ratio(faxd.durationMs, line.totalMs)} | ${ratio(spandsp.durationMs, line.totalMs)} | ` +
        `${ratio(faxd.durationMs, spandsp.durationMs)} |`,
    )
  }
  console.log('')
  const floorParts = floors.map(
    ({ line }) =>
      `${line.pagesMs.length} page(s): pre-message ${s(line.preMessageMs)} s + pages ` +
      `${s(line.pagesMs.reduce((a, b) => a + b, 0))} s + release ${s(line.releaseMs)} s`,
  )
  console.log(`Floor = ${floorParts.join('; ')}.`)
  const spandspOctets = pairs
    .map(({ pages, spandsp }) => `${pages.length} page(s) ${spandsp.spandspOctets ?? '?'}`)
    .join(', ')
  console.log(
    `spandsp's own coding of the same pages (its phase-D image sizes): ${spandspOctets} octets.`,
  )
  console.log(
    `The answerer had been running for ${pairs
      .flatMap(({ faxd, spandsp }) => [faxd, spandsp])
      .map((c) => `${c.answererLeadMs.toFixed(0)}`)
      .join(' / ')} ms when the sender started (faxd 1, spandsp 1, faxd 10, spandsp 10).`,
  )
  for (const { faxd, spandsp } of pairs) {
    for (const call of [faxd, spandsp]) {
      if (!call.ok) {
        console.log(`\n${call.sender}, ${call.pages} page(s) failed: ${call.detail}`)
      }
    }
  }
  console.log('')

  // Where the time goes.
  console.log(
    'Where the time goes: the call in five stretches (s), from the tap (bench/t38-tap.ts):',
  )
  console.log('')
  console.log(
    '| pages | stretch | floor | faxd | spandsp | faxd − floor | spandsp − floor | faxd − spandsp |',
  )
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  const names = [
    'start → CFR heard (phases A, B)',
    'CFR → first page starts',
    'first page starts → last MCF',
    'last MCF → DCN sent',
    'DCN sent → phase E',
  ]
  const timelines = pairs.map(({ faxd, spandsp }, p) => ({
    floor: floorTimeline(floors[p]!.line, floors[p]!.images, floors[p]!.bitRate),
    faxd: timelineOf(faxd),
    spandsp: timelineOf(spandsp),
  }))
  timelines.forEach((t, p) => {
    const [f, a, b] = [segments(t.floor), segments(t.faxd), segments(t.spandsp)]
    names.forEach((name, i) => {
      console.log(
        `| ${pairs[p]!.pages.length} | ${name} | ${s(f[i]!)} | ${s(a[i]!)} | ${s(b[i]!)} | ` +
          `${signed(a[i]! - f[i]!)} | ${signed(b[i]! - f[i]!)} | ${signed(a[i]! - b[i]!)} |`,
      )
    })
  })
  console.log('')
  console.log("Phase B (s from the sender's start, when the frame's end passed the tap):")
  console.log('')
  console.log('| pages | signal | floor | faxd | spandsp |')
  console.log('| ---: | --- | ---: | ---: | ---: |')
  timelines.forEach((t, p) => {
    for (const [name, key] of [
      ['DIS heard', 'dis'],
      ['DCS sent', 'dcs'],
      ['CFR heard', 'cfr'],
    ] as const) {
      console.log(
        `| ${pairs[p]!.pages.length} | ${name} | ${s(t.floor[key])} | ${s(t.faxd[key])} | ${s(t.spandsp[key])} |`,
      )
    }
  })
  console.log('')
  console.log('Each page, mean over the pages of the call (s):')
  console.log('')
  console.log('| pages | interval | floor | faxd | spandsp |')
  console.log('| ---: | --- | ---: | ---: | ---: |')
  timelines.forEach((t, p) => {
    const [f, a, b] = [pageIntervals(t.floor), pageIntervals(t.faxd), pageIntervals(t.spandsp)]
    for (const [name, key] of [
      ['training indicator → last RCP (image)', 'image'],
      ['last RCP → PPS', 'rcpToPps'],
      ['PPS → MCF (receiver)', 'ppsToMcf'],
      ["MCF → next page's training (sender)", 'mcfToNext'],
    ] as const) {
      if (Number.isNaN(f[key])) {
        continue
      }
      console.log(
        `| ${pairs[p]!.pages.length} | ${name} | ${s(f[key])} | ${s(a[key])} | ${s(b[key])} |`,
      )
    }
  })
  console.log('')
  const training = pairs.map(({ faxd, spandsp }) => {
    const kinds = (call: RealCall) => {
      const t = timelineOf(call)
      return call.events
        .filter((e) => e.from === 'caller' && e.kind === 'indicator' && e.name.includes('training'))
        .filter((e) => e.at - call.startAt > t.cfr)
        .map((e) => (e.name.endsWith('long-training') ? 'long' : 'short'))
    }
    return `${faxd.pages} page(s): faxd ${summarise(kinds(faxd))}, spandsp ${summarise(kinds(spandsp))}`
  })
  console.log(`Training before the pages (after CFR): ${training.join('; ')}.`)
  const bursts = pairs.map(({ faxd, spandsp }) => {
    const of = (call: RealCall) =>
      `${call.ifps.inBursts} of ${call.ifps.count} (longest run ${call.ifps.longestBurst})`
    return `${faxd.pages} page(s): faxd ${of(faxd)}, spandsp ${of(spandsp)}`
  })
  console.log(
    `Sender's IFPs that passed the tap less than ${BURST_MS} ms after the one before: ` +
      `${bursts.join('; ')}.`,
  )
  console.log('')
}

function summarise(items: readonly string[]): string {
  const counts = new Map<string, number>()
  for (const item of items) {
    counts.set(item, (counts.get(item) ?? 0) + 1)
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(' + ') || 'none'
}

// ---- 3. engine CPU per page -------------------------------------------------------------------

/** A call in virtual time on a bare wire: every datagram arrives `delayMs` later, nothing else. */
function runBareCall(caller: T38FaxSession, answerer: T38FaxSession, delayMs = 20): T30Result {
  const stepMs = 10
  const wires: { at: number; to: T38FaxSession; datagram: Uint8Array }[] = []
  let head = 0
  let now = 0
  const collect = (): void => {
    for (const datagram of caller.takeDatagrams()) {
      wires.push({ at: now + delayMs, to: answerer, datagram })
    }
    for (const datagram of answerer.takeDatagrams()) {
      wires.push({ at: now + delayMs, to: caller, datagram })
    }
    caller.takeEvents()
    answerer.takeEvents()
  }
  caller.start()
  answerer.start()
  collect()
  while (!(caller.done && answerer.done) && now < 3_600_000) {
    now += stepMs
    while (head < wires.length && wires[head]!.at <= now) {
      const { to, datagram } = wires[head++]!
      to.receiveDatagram(datagram)
    }
    caller.advance(stepMs)
    answerer.advance(stepMs)
    collect()
  }
  return caller.result!
}

function cpuMs(fn: () => void): number {
  const before = process.cpuUsage()
  fn()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

function engineCpu(): void {
  const ten = sources(letters(10))
  const one = ten.slice(0, 1)
  const octets = codedOctets(ten, FINE_MMR_ECM)
  const line = lineTime({ bitRate: 14_400, ecm: true, pageOctets: octets })
  const linePerPage = mean(line.pagesMs)
  const bare = (pages: readonly SourcePage[]) => () => {
    const [caller, answerer] = sessions(pages, 0)
    const result = runBareCall(caller, answerer)
    if (result.code !== 'ok') {
      throw new Error(`a clean virtual call failed: ${result.code}`)
    }
  }
  const modelled = (pages: readonly SourcePage[]) => () => {
    const [caller, answerer] = sessions(pages, 0)
    const run = runVirtualCall(caller, answerer, { network: new ImpairedNetwork(CLEAN_LINE, 1) })
    if (run.caller.code !== 'ok') {
      throw new Error(`a clean virtual call failed: ${run.caller.code}`)
    }
  }
  const encode = () => {
    for (const page of ten) {
      encodePageForLine(page, { ...FINE_MMR_ECM, bitRate: 14_400, width: PAGE_WIDTH })
    }
  }
  // Warm-up: the JIT, the codec tables.
  bare(one)()
  modelled(one)()
  encode()
  // Each sample repeats the work `reps` times (a few hundred ms of CPU), so that the clock's
  // grain and a stray GC do not decide a figure; the median sample, per repetition.
  const measure = (fn: () => void, reps: number): number =>
    median(
      Array.from({ length: CPU_ROUNDS }, () =>
        cpuMs(() => {
          for (let i = 0; i < reps; i++) {
            fn()
          }
        }),
      ),
    ) / reps
  const bare1 = measure(bare(one), 40)
  const bare10 = measure(bare(ten), 6)
  const model1 = measure(modelled(one), 40)
  const model10 = measure(modelled(ten), 6)
  const encode10 = measure(encode, 20)

  console.log('## 3. Engine CPU per page, virtual time')
  console.log('')
  console.log(
    `The sending and the receiving session of one call (T.30, T.38, UDPTL with redundancy 3, ` +
      `the page's MMR coding and the receiver's decoding), fine A4 letters (seeds 1–10, ` +
      `${(mean(octets) / 1000).toFixed(1)} KB of MMR a page), V.17 14,400, ECM, T.38 version 0; ` +
      `process.cpuUsage user + system, the median of ${CPU_ROUNDS} samples of 40 1-page or 6 10-page calls. "Bare wire": the bench's ` +
      `own loop, datagrams delivered 20 ms later; "ImpairedNetwork": runVirtualCall with ` +
      `CLEAN_LINE, the network model's cost on top. Line time of a page: line-time.ts, image ` +
      `and PPS/MCF at 14,400 (${s(linePerPage)} s on average for these pages).`,
  )
  console.log('')
  console.log(
    '| calls on | 1-page call ms | 10-page call ms | per page, all in (10-page ÷ 10) ms | per extra page ((10 − 1) ÷ 9) ms | per page ÷ line time of a page |',
  )
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
  for (const [name, c1, c10] of [
    ['bare wire', bare1, bare10],
    ['ImpairedNetwork (CLEAN_LINE)', model1, model10],
  ] as const) {
    console.log(
      `| ${name} | ${c1.toFixed(1)} | ${c10.toFixed(1)} | ${(c10 / 10).toFixed(1)} | ` +
        `${((c10 - c1) / 9).toFixed(1)} | ${(c10 / 10 / linePerPage).toFixed(4)} |`,
    )
  }
  console.log('')
  console.log(
    `Of which coding a page in MMR (encodePageForLine alone, in the engine on the sender's side): ` +
      `${(encode10 / 10).toFixed(1)} ms a page.`,
  )
  console.log('')
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  let spandsp = 'unknown'
  try {
    spandsp = execFileSync('pkg-config', ['--modversion', 'spandsp'], { encoding: 'utf8' }).trim()
  } catch {
    // reported as unknown
  }
  console.log('# T.38 transmission benchmark')
  console.log('')
  console.log(
    `${cpus().length} × "${cpus()[0]?.model ?? '?'}", Node ${process.version}, spandsp ${spandsp}, ` +
      `load average ${loadavg()[0]?.toFixed(2)} at the start.`,
  )
  console.log('')
  if (PARTS.has('1')) {
    successRate()
  }
  if (PARTS.has('2')) {
    await realTimeCalls()
  }
  if (PARTS.has('3')) {
    engineCpu()
  }
  console.log(`Load average ${loadavg()[0]?.toFixed(2)} at the end.`)
}

await main()
