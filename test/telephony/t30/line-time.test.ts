/**
 * The line-rate floor of a call (line-time.ts) against the brief's figures: the floors it works
 * out in §8.6 (≈ 20 s for a 1-page sparse letter with MMR and ECM, ≈ 89 s for ten, about 17 s
 * for a 25 KB page), the measured timeline of §1.7, and every measured whole call of §8.5, which
 * a floor must not exceed but should come near. Then how the parts are made: ECM frames padded
 * to 256 octets, a partial page per 256 frames, the time of the image at each rate.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  fixedCallMs,
  lineTime,
  pageImageMs,
  pageMs,
  postPageMs,
  preMessageMs,
  RELEASE_MS,
} from '../../../src/telephony/t30/line-time.js'

/** brief §8.2: one A4 page coded by spandsp, octets. */
const SPARSE = { mh: 19_854, mr: 13_836, mmr: 8_224 }
const DENSE = { mh: 83_338, mr: 63_661, mmr: 53_185 }

function seconds(ms: number): number {
  return Math.round(ms) / 1000
}

function callSeconds(octets: number, pages: number, ecm: boolean, bitRate = 14_400): number {
  return seconds(lineTime({ bitRate, ecm, pageOctets: Array<number>(pages).fill(octets) }).totalMs)
}

function assertNear(actual: number, expected: number, within: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= within,
    `${what}: ${actual} s, expected ${expected} ± ${within} s`,
  )
}

test('a 1-page sparse letter at fine, MMR with ECM at 14,400: about 20 s, under the 22.7 s measured', () => {
  const total = callSeconds(SPARSE.mmr, 1, true)
  assert.equal(total, 20.693)
  assertNear(total, 20, 1, 'brief §8.6: 15 s call floor + 4.8 s image')
  assert.ok(total < 22.7, 'spandsp measured 22.7 s (brief §8.5)')
})

test('ten such pages: about 89 s, under the 96.5 s measured', () => {
  const total = callSeconds(SPARSE.mmr, 10, true)
  assert.equal(total, 91.121)
  assertNear(total, 89, 3, 'brief §8.6: 15 + 10 × 4.8 + 9 × 2.9 s')
  assert.ok(total < 96.5, 'spandsp measured 96.5 s (brief §8.5)')
})

test('a 25 KB page takes about 17 s of a call at 14,400 bit/s, its post-message exchange included', () => {
  assertNear(seconds(pageMs(14_400, true, 25_000)), 17, 0.5, 'with ECM')
  assertNear(seconds(pageMs(14_400, false, 25_000)), 17, 0.5, 'without ECM')
  // Its image alone is 25,000 × 8 / 14,400 = 13.9 s, or 14.3 s in 98 FCD frames with ECM.
  assertNear(seconds(pageImageMs(14_400, false, 25_000)), 13.9 + 0.2, 0.05, 'image, no ECM')
})

test('phase A and B end as in the measured call: CFR from 10.8 s, the first page by 12 s', () => {
  // brief §1.7: CFR at 10.8 s, FCD frames from 12.0 s; the floor's CFR burst ends in between.
  const pre = seconds(preMessageMs(14_400, true))
  assert.equal(pre, 11.633)
  assert.ok(pre > 10.8 && pre < 12.0, `${pre} s`)
})

test('after the last page, PPS-EOP → MCF → DCN takes about 3 s more, as measured', () => {
  // brief §1.7: PPS-EOP from 17.6 s, MCF at 19.0, DCN at 20.2 (1.2 s of DCN after it).
  const after = seconds(postPageMs(true, SPARSE.mmr) + RELEASE_MS)
  assertNear(after, 3.8, 0.05, 'PPS-EOP, MCF and DCN bursts with their gaps')
})

test('each page beyond the image costs about 2.9 s with ECM and 2.6 s without (brief §8.4)', () => {
  const imageOnly = (ecm: boolean, octets: number) =>
    pageMs(14_400, ecm, octets) - (ecm ? (33 * 263 + 3 * 6) * 8 : octets * 8) / 14.4
  assertNear(seconds(imageOnly(true, SPARSE.mmr)), 2.9, 0.1, 'with ECM: flags, training, PPS, MCF')
  // Measured without ECM: 49.14 − 46.30 = 2.84 s per page (dense MH, 10 pages).
  assertNear(seconds(imageOnly(false, DENSE.mh)), 2.6, 0.1, 'without ECM: training, MPS, MCF')
})

test('stays under every whole call spandsp measured (brief §8.5), and within 10 % of it', () => {
  const measured: [string, number, number, boolean, number][] = [
    ['sparse MH', SPARSE.mh, 1, false, 28.3],
    ['sparse MR', SPARSE.mr, 1, false, 25.0],
    ['sparse MMR', SPARSE.mmr, 1, true, 22.7],
    ['sparse MH', SPARSE.mh, 10, false, 153.0],
    ['sparse MR', SPARSE.mr, 10, false, 119.6],
    ['sparse MMR', SPARSE.mmr, 10, true, 96.5],
    ['dense MH', DENSE.mh, 1, false, 63.6],
    ['dense MR', DENSE.mr, 1, false, 52.6],
    ['dense MMR', DENSE.mmr, 1, true, 49.2],
    ['dense MH', DENSE.mh, 10, false, 505.8],
    ['dense MR', DENSE.mr, 10, false, 396.4],
    ['dense MMR', DENSE.mmr, 10, true, 361.3],
  ]
  for (const [document, octets, pages, ecm, spandsp] of measured) {
    const floor = callSeconds(octets, pages, ecm)
    const what = `${pages} × ${document}: floor ${floor} s, measured ${spandsp} s`
    assert.ok(floor < spandsp, what)
    assert.ok(floor > spandsp * 0.9, what)
  }
})

test('a call is its fixed part plus its pages', () => {
  const pageOctets = [8_224, 53_185, 1]
  const call = lineTime({ bitRate: 9_600, ecm: true, pageOctets })
  assert.equal(call.preMessageMs, preMessageMs(9_600, true))
  assert.equal(call.releaseMs, RELEASE_MS)
  assert.deepEqual(
    call.pagesMs,
    pageOctets.map((octets) => pageMs(9_600, true, octets)),
  )
  const pages = call.pagesMs.reduce((sum, ms) => sum + ms, 0)
  assert.equal(call.totalMs, fixedCallMs(9_600, true) + pages)
  assert.equal(
    lineTime({ bitRate: 9_600, ecm: true, pageOctets: [] }).totalMs,
    fixedCallMs(9_600, true),
  )
})

test('with ECM the last frame is padded: 1 to 256 octets take one frame, 257 two', () => {
  const frameMs = (263 * 8) / 14.4
  assert.equal(pageImageMs(14_400, true, 1), pageImageMs(14_400, true, 256))
  assert.equal(pageImageMs(14_400, true, 0), pageImageMs(14_400, true, 1))
  assertNear(pageImageMs(14_400, true, 257) - pageImageMs(14_400, true, 256), frameMs, 1e-9, 'ms')
  assert.equal(postPageMs(true, 257), postPageMs(true, 1), 'one partial page, one PPS')
})

test('with ECM a page of more than 256 frames goes in partial pages, each with its exchange', () => {
  const full = 256 * 256
  const oneBlock = pageMs(14_400, true, full)
  const twoBlocks = pageMs(14_400, true, full + 1)
  // The 257th frame comes with training, 200 ms of flags, three RCP, PPS-NULL and MCF of its own.
  const blockExchange = 75 + 142 + 200 + (3 * 6 * 8) / 14.4 + postPageMs(true, 1)
  assertNear(twoBlocks - oneBlock, blockExchange + (263 * 8) / 14.4, 1e-9, 'ms')
  assert.equal(postPageMs(true, full + 1), 2 * postPageMs(true, full))
})

test('the image takes twice as long at half the rate; V.27 ter trains alike for TCF and pages', () => {
  const data = (bitRate: number) => pageImageMs(bitRate, false, 36_000) - 75 - 142
  assertNear(data(7_200), 2 * data(14_400), 1e-9, 'V.17 7200 against 14,400')
  // V.17 trains long for TCF (1393 ms); V.27 ter at 4800 always 708 ms (brief §8.1).
  assert.equal(preMessageMs(4_800, false) - preMessageMs(14_400, false), 708 - 1393)
  assert.equal(pageImageMs(4_800, false, 0) - pageImageMs(14_400, false, 0), 708 - 142)
})

test('refuses a rate no fax modem has, and a page size that is not a count of octets', () => {
  assert.throws(() => preMessageMs(33_600, true), RangeError)
  assert.throws(() => lineTime({ bitRate: 14_401, ecm: true, pageOctets: [1] }), RangeError)
  for (const octets of [-1, 1.5, Number.NaN]) {
    assert.throws(() => pageMs(14_400, true, octets), RangeError, String(octets))
  }
})
