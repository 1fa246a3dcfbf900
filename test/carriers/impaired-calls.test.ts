/**
 * Our whole stack against itself on impaired lines, over virtual time: T.30, the T.38 terminal
 * and UDPTL with redundancy, through a network that loses, duplicates, delays and reorders
 * datagrams. A fax either arrives pixel for pixel or its result says exactly which pages were
 * not confirmed; hostile packets, cut-off frames and a peer that goes silent end the call with
 * a clear result within T.30's timers, never a hang or an exception.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { runVirtualCall } from '../../src/carriers/virtual-call.js'
import { sameBitmap } from '../../src/codec/bitmap.js'
import { type Impairments, ImpairedNetwork } from '../../src/telephony/net/impaired-network.js'
import type { SourcePage } from '../../src/telephony/t30/page-coding.js'
import { T38FaxSession } from '../../src/telephony/t38/t38-fax-session.js'
import { type SeededRandom, seededRandom } from '../../src/shared/seeded-random.js'
import { typedPage } from '../codec/pages.js'
import { printStressSizes, stressSize } from '../support/stress-size.js'

const PAGES: SourcePage[] = [1, 2].map((seed) => ({
  bitmap: typedPage(seed, 1728, 1200),
  resolution: 'fine',
}))

function sessions(version: 0 | 3, ecm: boolean): [T38FaxSession, T38FaxSession] {
  return [
    new T38FaxSession({
      version,
      t30: { role: 'calling', pages: PAGES, localId: '+1 555 0100', capabilities: { ecm } },
    }),
    new T38FaxSession({ version, t30: { role: 'answering', localId: '+1 555 0199' } }),
  ]
}

function receivedPages(run: ReturnType<typeof runVirtualCall>) {
  return run.answererEvents.flatMap((e) => (e.type === 'page-received' ? [e.page] : []))
}

function logOf(run: ReturnType<typeof runVirtualCall>): string {
  const lines = (events: typeof run.callerEvents) =>
    events.flatMap((e) => (e.type === 'log' ? [e.message] : [])).join('\n')
  return `caller:\n${lines(run.callerEvents)}\nanswerer:\n${lines(run.answererEvents)}`
}

describe('faxes over an impaired line, own stack, virtual time', () => {
  const calls = stressSize('impairedCalls')
  for (const loss of [0, 0.01, 0.05]) {
    it(`${loss * 100}% loss, 2% duplication, reordering: ECM pages arrive whole or are reported`, (t) => {
      printStressSizes(t, ['impairedCalls'])
      const impairments: Impairments = { loss, duplication: 0.02, delayMs: 40, jitterMs: 60 }
      let ok = 0
      for (let i = 0; i < calls; i++) {
        const [caller, answerer] = sessions(i % 2 === 0 ? 0 : 3, true)
        const run = runVirtualCall(caller, answerer, {
          network: new ImpairedNetwork(impairments, 1000 * loss + i + 1),
        })
        const received = receivedPages(run)
        // Whatever arrived is exactly what was sent…
        received.forEach((page, n) =>
          assert.ok(sameBitmap(page.bitmap, PAGES[n]!.bitmap), `call ${i} page ${n + 1}`),
        )
        // …and the sender confirms only pages the receiver has, in order.
        assert.deepEqual(
          run.caller.pagesConfirmed,
          received.slice(0, run.caller.pagesConfirmed.length).map((_, n) => n),
          logOf(run),
        )
        if (run.caller.code === 'ok') {
          ok++
          assert.equal(received.length, PAGES.length)
        }
      }
      // Redundancy carries 1 and 5% loss: every call gets through.
      assert.equal(ok, calls)
    })
  }

  it('a line with almost no delay: the answer that starts before our frame has ended is heard', () => {
    // Over T.38 the far end may start its carrier while, in our reckoning, the FCS and flag of
    // our last frame are still on the line; an engine that ignored it would miss the page.
    for (const version of [0, 3] as const) {
      const [caller, answerer] = sessions(version, true)
      const run = runVirtualCall(caller, answerer, {
        network: new ImpairedNetwork({ loss: 0, duplication: 0, delayMs: 0, jitterMs: 1 }, 8),
        stepMs: 1,
      })
      assert.equal(run.caller.code, 'ok', logOf(run))
      assert.equal(receivedPages(run).length, 2)
    }
  })

  it('without ECM on a lossy line, damaged pages are retransmitted or reported, never wrong', () => {
    for (let i = 0; i < 2; i++) {
      const [caller, answerer] = sessions(3, false)
      const run = runVirtualCall(caller, answerer, {
        network: new ImpairedNetwork(
          { loss: 0.05, duplication: 0, delayMs: 40, jitterMs: 0 },
          77 + i,
        ),
      })
      assert.ok(['ok', 'tx-page-rejected', 'tx-no-response'].includes(run.caller.code), logOf(run))
      assert.equal(run.caller.pagesConfirmed.length <= receivedPages(run).length, true)
    }
  })
})

describe('hostile lines end the call cleanly', () => {
  /** Runs calls with junk datagrams sent to both ends at random moments. */
  function withJunk(makeJunk: (random: SeededRandom) => Uint8Array, seed: number) {
    const random = seededRandom(seed)
    return [0, 1, 2, 3].map((round) => {
      const [caller, answerer] = sessions(round % 2 === 0 ? 0 : 3, true)
      const network = new ImpairedNetwork(
        { loss: 0, duplication: 0, delayMs: 20, jitterMs: 0 },
        round,
      )
      let injected = 0
      const run = runVirtualCall(caller, answerer, {
        network,
        onStep: (now) => {
          if (random.chance(0.05)) {
            network.send(random.chance(0.5) ? 'a' : 'b', makeJunk(random), now)
            injected++
          }
        },
      })
      assert.ok(injected > 10)
      // Pages that arrived are exact, whatever else happened.
      receivedPages(run).forEach((page, n) => assert.ok(sameBitmap(page.bitmap, PAGES[n]!.bitmap)))
      return run
    })
  }

  it('stray datagrams (random octets, or UDPTL far from the stream) do not disturb a call', () => {
    const runs = withJunk((random) => {
      const junk = Uint8Array.from({ length: random.int(0, 60) }, () => random.int(0, 255))
      if (random.chance(0.5) && junk.length > 4) {
        // Well-formed UDPTL: a sequence number far from the stream's, a random IFP, no
        // error recovery. (One near the stream's would be taken for the stream: no receiver can
        // tell them apart, and the call then ends as the next test wants.)
        junk[0] = 0x80 | random.int(0, 0x7f)
        junk[2] = junk.length - 5
        junk[junk.length - 2] = 0
        junk[junk.length - 1] = 0
      }
      return junk
    }, 9)
    for (const run of runs) {
      assert.equal(run.caller.code, 'ok', logOf(run))
      assert.equal(run.answerer.code, 'ok', logOf(run))
    }
  })

  it('random IFPs inside the stream (sequence numbers near the real ones): every call ends, with a result', () => {
    const runs = withJunk((random) => {
      const junk = Uint8Array.from({ length: random.int(5, 60) }, () => random.int(0, 255))
      junk[0] = 0
      junk[1] = random.int(0, 255)
      junk[2] = junk.length - 5
      junk[junk.length - 2] = 0
      junk[junk.length - 1] = 0
      return junk
    }, 10)
    for (const run of runs) {
      for (const result of [run.caller, run.answerer]) {
        assert.ok(result.description.length > 0)
        // Ended within T1 plus a page and the commands' repeats, never left hanging.
        assert.ok(result.durationMs < 180_000, `${result.code} after ${result.durationMs} ms`)
      }
    }
  })

  it('frames cut off mid-way (the far end drops every datagram of a stretch): a clear result', () => {
    const [caller, answerer] = sessions(0, true)
    const network = new ImpairedNetwork({ loss: 0, duplication: 0, delayMs: 20, jitterMs: 0 }, 3)
    const run = runVirtualCall(caller, answerer, {
      network,
      // From 6 s to 9 s of the call, nothing gets through either way: DCS and TCF are cut.
      filter: (now) => now < 6_000 || now > 9_000,
    })
    assert.equal(run.caller.code, 'ok', logOf(run))
    assert.equal(receivedPages(run).length, 2)
  })

  it('a receiver that goes silent after training: the sender ends with tx-no-response within T4 × 3', () => {
    const [caller, answerer] = sessions(3, true)
    const network = new ImpairedNetwork({ loss: 0, duplication: 0, delayMs: 20, jitterMs: 0 }, 4)
    let silentFrom: number | null = null
    const run = runVirtualCall(caller, answerer, {
      network,
      onEvent: (side, event, now) => {
        if (side === 'b' && event.type === 'negotiated') {
          silentFrom = now + 2_000
        }
      },
      filter: (now, from) => from === 'a' || silentFrom === null || now < silentFrom,
    })
    assert.equal(run.caller.code, 'tx-no-response', logOf(run))
    assert.deepEqual(run.caller.pagesConfirmed, [])
    // Three tries of PPS, each waiting T4 (3.45 s), after the block: well under a minute.
    assert.ok(run.caller.durationMs < 90_000, `${run.caller.durationMs} ms`)
    assert.notEqual(run.answerer.code, 'ok')
  })

  it('a caller that never answers the DIS: the answerer ends after T1 with rx-no-dcs', () => {
    const [caller, answerer] = sessions(0, true)
    const network = new ImpairedNetwork({ loss: 0, duplication: 0, delayMs: 20, jitterMs: 0 }, 5)
    const run = runVirtualCall(caller, answerer, { network, filter: (_now, from) => from === 'b' })
    assert.equal(run.answerer.code, 'rx-no-dcs', logOf(run))
    assert.ok(run.answerer.durationMs <= 40_000 + 5_000, `${run.answerer.durationMs}`)
    assert.equal(run.caller.code, 'tx-no-response')
  })
})
