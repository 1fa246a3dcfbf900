import assert from 'node:assert/strict'
import { test } from 'node:test'

import { sameBitmap } from '../../../src/codec/bitmap.js'
import { T30Engine, type T30Output } from '../../../src/telephony/t30/t30-engine.js'
import type { LocalCapabilities } from '../../../src/telephony/t30/negotiation.js'
import { typedPage } from '../../codec/pages.js'
import { type DirectLineOptions, logOf, runDirectLine } from './direct-line.js'

const page = (seed: number) => ({ bitmap: typedPage(seed, 1728, 600), resolution: 'fine' as const })

function received(outputs: readonly T30Output[]) {
  return outputs.flatMap((o) => (o.type === 'page-received' ? [o.page] : []))
}

/** A call of `pages` test pages over the direct line; `tamper` may change what goes across. */
function call(
  pages: number,
  caps: Partial<LocalCapabilities> = {},
  answererCaps: Partial<LocalCapabilities> = {},
  tamper?: DirectLineOptions['tamper'],
) {
  const source = Array.from({ length: pages }, (_, i) => page(i + 1))
  const caller = new T30Engine({
    role: 'calling',
    pages: source,
    localId: '+1 555 0100',
    capabilities: caps,
  })
  const answerer = new T30Engine({
    role: 'answering',
    localId: '+1 555 0199',
    capabilities: answererCaps,
  })
  return { source, run: runDirectLine(caller, answerer, { tamper }) }
}

function runWith(
  pages: number,
  tamper: DirectLineOptions['tamper'],
  caps: Partial<LocalCapabilities> = {},
) {
  return call(pages, caps, {}, tamper)
}

test('ECM with MMR: three pages arrive pixel for pixel, both ends say OK', () => {
  const { source, run } = call(3)
  assert.equal(run.caller.code, 'ok', logOf(run.callerOutputs))
  assert.equal(run.answerer.code, 'ok', logOf(run.answererOutputs))
  assert.deepEqual(run.caller.pagesConfirmed, [0, 1, 2])
  assert.equal(run.answerer.pagesReceived, 3)
  assert.equal(run.caller.remoteId, '+1 555 0199')
  assert.equal(run.answerer.remoteId, '+1 555 0100')
  assert.equal(run.caller.negotiated?.selection.coding, 'mmr')
  assert.equal(run.caller.negotiated?.selection.ecm, true)
  const pages = received(run.answererOutputs)
  pages.forEach((p, i) => assert.ok(sameBitmap(p.bitmap, source[i]!.bitmap), `page ${i + 1}`))
})

for (const coding of ['mr', 'mh'] as const) {
  test(`without ECM, ${coding.toUpperCase()}: pages arrive pixel for pixel`, () => {
    const codings = coding === 'mr' ? (['mh', 'mr'] as const) : (['mh'] as const)
    const { source, run } = call(2, { ecm: false, codings: [...codings] }, { minScanLineMs: 20 })
    assert.equal(run.caller.code, 'ok', logOf(run.callerOutputs))
    assert.equal(run.answerer.code, 'ok', logOf(run.answererOutputs))
    assert.equal(run.caller.negotiated?.selection.coding, coding)
    assert.equal(run.caller.negotiated?.selection.minScanLineMs, 20)
    const pages = received(run.answererOutputs)
    assert.equal(pages.length, 2)
    pages.forEach((p, i) => assert.ok(sameBitmap(p.bitmap, source[i]!.bitmap), `page ${i + 1}`))
  })
}

test('a line that cannot carry 14,400 or 12,000: FTT, and the sender falls back to 9,600', () => {
  const { source, run } = runWith(1, (from, t) => {
    if (t.kind === 'image' && t.modem.bitRate > 9600 && t.data.every((b) => b === 0)) {
      const spoiled = t.data.slice()
      for (let i = 0; i < spoiled.length; i += 100) {
        spoiled[i] = 0x10
      }
      return { ...t, data: spoiled }
    }
    return t
  })
  assert.equal(run.caller.code, 'ok', logOf(run.callerOutputs))
  assert.equal(run.caller.negotiated?.selection.modem.bitRate, 9600)
  const ftts = run.answererOutputs.filter(
    (o) => o.type === 'log' && o.message.includes('bit/s: FTT'),
  )
  assert.equal(ftts.length, 2)
  assert.ok(sameBitmap(received(run.answererOutputs)[0]!.bitmap, source[0]!.bitmap))
})

test('ECM: frames lost on the line are asked for again (PPR) and the page arrives whole', () => {
  let blocks = 0
  const { source, run } = runWith(2, (_from, t) => {
    if (t.kind === 'frames' && t.modem !== 'v21' && blocks++ === 0) {
      // The first block loses every third frame.
      return { ...t, frames: t.frames.filter((_, i) => i % 3 !== 1) }
    }
    return t
  })
  assert.equal(run.caller.code, 'ok', logOf(run.callerOutputs))
  assert.ok(run.answererOutputs.some((o) => o.type === 'log' && o.message.includes('PPR')))
  const pages = received(run.answererOutputs)
  assert.equal(pages.length, 2)
  pages.forEach((p, i) => assert.ok(sameBitmap(p.bitmap, source[i]!.bitmap)))
})

test('a lost MCF: the sender repeats MPS, the receiver answers again and counts the page once', () => {
  let mcfs = 0
  const { run } = runWith(
    2,
    (from, t) => {
      if (from === 'answerer' && t.kind === 'frames' && t.frames[0]![2] === 0x31 && mcfs++ === 0) {
        return null
      }
      return t
    },
    { ecm: false, codings: ['mh'] },
  )
  assert.equal(run.caller.code, 'ok', logOf(run.callerOutputs))
  assert.deepEqual(run.caller.pagesConfirmed, [0, 1])
  assert.equal(run.answerer.pagesReceived, 2)
})

test('noise on a non-ECM page: the receiver answers RTN and the sender sends the page again', () => {
  let pagesSent = 0
  const { source, run } = runWith(
    1,
    (_from, t) => {
      if (t.kind === 'image' && !t.data.every((b) => b === 0) && pagesSent++ === 0) {
        const noisy = t.data.slice()
        for (let i = 50; i < noisy.length; i += 40) {
          noisy[i] = noisy[i]! ^ 0xff
        }
        return { ...t, data: noisy }
      }
      return t
    },
    { ecm: false, codings: ['mh'] },
  )
  assert.equal(run.caller.code, 'ok', logOf(run.callerOutputs))
  assert.ok(run.answererOutputs.some((o) => o.type === 'log' && o.message.includes(': bad')))
  assert.equal(pagesSent, 2)
  assert.ok(sameBitmap(received(run.answererOutputs)[0]!.bitmap, source[0]!.bitmap))
})

test('a receiver that stops answering after DIS: the sender gives up after three DCS, within T.30 timers', () => {
  const { run } = runWith(1, (from, t) =>
    from === 'answerer' && t.kind === 'frames' && t.frames.some((f) => f[2] === 0x21) ? null : t,
  )
  assert.equal(run.caller.code, 'tx-no-response')
  assert.deepEqual(run.caller.pagesConfirmed, [])
  assert.ok(run.caller.durationMs < 60_000, `${run.caller.durationMs} ms`)
  assert.notEqual(run.answerer.code, 'ok')
})

test('nobody answers the call with DIS: T1 ends it as tx-no-dis', () => {
  const caller = new T30Engine({ role: 'calling', pages: [page(1)], localId: '1' })
  caller.start()
  for (let t = 0; t < 40_000 && !caller.done; t += 100) {
    caller.transmitted()
    caller.advance(100)
  }
  const ended = caller.takeOutputs().find((o) => o.type === 'ended')
  assert.equal(ended?.type === 'ended' && ended.result.code, 'tx-no-dis')
})

test('a superfine page to a receiver without superfine goes at fine, every black row kept', () => {
  const superfine = { bitmap: typedPage(7, 1728, 800), resolution: 'superfine' as const }
  const caller = new T30Engine({ role: 'calling', pages: [superfine], localId: '1' })
  const answerer = new T30Engine({
    role: 'answering',
    localId: '2',
    capabilities: { resolutions: ['standard', 'fine'] },
  })
  const run = runDirectLine(caller, answerer)
  assert.equal(run.caller.code, 'ok', logOf(run.callerOutputs))
  assert.equal(run.caller.negotiated?.selection.resolution, 'fine')
  const [got] = received(run.answererOutputs)
  assert.equal(got!.bitmap.height, 400)
})

test('hostile frames at the engine: random octets never throw and the call still ends', () => {
  let seed = 7
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32
  for (let round = 0; round < 50; round++) {
    const engine = new T30Engine(
      round % 2 === 0
        ? { role: 'calling', pages: [page(1)], localId: '1' }
        : { role: 'answering', localId: '2' },
    )
    engine.start()
    for (let i = 0; i < 200 && !engine.done; i++) {
      const frame = Uint8Array.from({ length: Math.floor(rand() * 40) }, () =>
        Math.floor(rand() * 256),
      )
      if (rand() < 0.5 && frame.length > 2) {
        frame[0] = 0xff
        frame[1] = rand() < 0.5 ? 0xc0 : 0xc8
      }
      engine.transmitted()
      engine.frameReceived(frame, rand() < 0.9)
      if (rand() < 0.2) {
        engine.imageData(frame)
      }
      if (rand() < 0.1) {
        engine.carrierEnded()
      }
      engine.advance(500)
      engine.takeOutputs()
    }
    for (let t = 0; t < 200_000 && !engine.done; t += 1000) {
      engine.transmitted()
      engine.advance(1000)
    }
    assert.ok(engine.done, `round ${round}`)
  }
})

test('polling: the caller receives; the called station says it has documents and sends them', () => {
  const source = [page(21), page(22)]
  const caller = new T30Engine({ role: 'calling', localId: '+1 555 0100' })
  const answerer = new T30Engine({ role: 'answering', localId: '+1 555 0199', pages: source })
  const run = runDirectLine(caller, answerer)
  assert.equal(run.answerer.code, 'ok', logOf(run.answererOutputs))
  assert.equal(run.caller.code, 'ok', logOf(run.callerOutputs))
  assert.deepEqual(run.answerer.pagesConfirmed, [0, 1])
  assert.equal(run.caller.pagesReceived, 2)
  assert.equal(run.caller.remoteId, '+1 555 0199')
  assert.equal(run.answerer.remoteId, '+1 555 0100')
  received(run.callerOutputs).forEach((p, i) => assert.ok(sameBitmap(p.bitmap, source[i]!.bitmap)))
  // The caller sent DTC (after CIG), never DCS; the called station sent DCS.
  const sent = (outputs: readonly T30Output[]) =>
    outputs.flatMap((o) =>
      o.type === 'log' && o.message.includes(' tx ') ? [o.message.split(' tx ')[1]] : [],
    )
  assert.deepEqual(sent(run.callerOutputs).slice(0, 2), ['CIG', 'DTC'])
  assert.ok(!sent(run.callerOutputs).includes('DCS'))
  assert.ok(sent(run.answererOutputs).includes('DCS'))
})

test('polling a station with nothing to send ends as incompatible, with DCN', () => {
  const caller = new T30Engine({ role: 'calling', localId: '1' })
  const answerer = new T30Engine({ role: 'answering', localId: '2' })
  const run = runDirectLine(caller, answerer)
  assert.equal(run.caller.code, 'incompatible')
  assert.equal(run.answerer.code, 'remote-disconnected')
})
