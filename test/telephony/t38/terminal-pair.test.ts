/**
 * Two T38Terminals back to back, as two fax machines on a T.38 call: a scripted phase A–C
 * exchange (CED, CSI+DIS, TSI+DCS, TCF, CFR, an ECM block, PPS, a non-ECM page) goes across
 * directly, and through UdptlSender → lossy network → UdptlReceiver with redundancy and FEC.
 * Frames and image data must arrive intact; under loss with no error correction, no damaged
 * frame may be reported as good.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Transmission } from '../../../src/telephony/t30/line-signals.js'
import { V17_14400, tcfOctets } from '../../../src/telephony/t30/modems.js'
import type { T38Version } from '../../../src/telephony/t38/ifp.js'
import { T38Terminal, type OutgoingIfp } from '../../../src/telephony/t38/t38-terminal.js'
import { transmissionMs } from '../../../src/telephony/t38/transmit-plan.js'
import { UdptlReceiver } from '../../../src/telephony/t38/udptl-receiver.js'
import { UdptlSender, type ErrorCorrection } from '../../../src/telephony/t38/udptl.js'
import { seededRandom } from '../../support/seeded-random.js'
import { hex, ramp } from './octets.js'
import { RecordingLine } from './recording-line.js'

const CSI = hex(`ff c0 02 8c 04 0c ${'04 '.repeat(17)}`)
const DIS = hex('ff c8 01 20 77 1f 01 01 89 01 01 01 18')
const TSI = hex(`ff c0 c2 9c 9c 8c 0c 04 ac ac ac 04 8c d4 ${'04 '.repeat(9)}`)
const DCS_ECM = hex('ff c8 c1 00 46 1f 22')
const CFR = hex('ff c8 21')
const FCDS = [0, 1, 2].map((n) => Uint8Array.of(0xff, 0xc0, 0x60, n << 7, ...ramp(256, n)))
const RCP = hex('ff c0 61')
const PPS_MPS = hex('ff c8 fd f2 00 00 40')
const MCF = hex('ff c8 31')
const PAGE = ramp(5000, 17)
const TCF = new Uint8Array(tcfOctets(V17_14400))

interface Station {
  readonly line: RecordingLine
  readonly terminal: T38Terminal
}

/** How IFPs cross from one terminal to the other. */
type Network = (from: 'a' | 'b', outgoing: OutgoingIfp[], to: T38Terminal) => void

const direct: Network = (_from, outgoing, to) => {
  for (const { ifp } of outgoing) {
    to.receiveIfp(ifp)
  }
}

/** UDPTL both ways; each datagram copy is dropped with probability `loss`. */
function udptl(
  version: T38Version,
  errorCorrection: ErrorCorrection,
  loss: number,
  seed: number,
): Network {
  const rand = seededRandom(seed)
  const senders = {
    a: new UdptlSender({ errorCorrection }),
    b: new UdptlSender({ errorCorrection }),
  }
  const receivers = { a: new UdptlReceiver({ version }), b: new UdptlReceiver({ version }) }
  return (from, outgoing, to) => {
    for (const { ifp, copies } of outgoing) {
      const datagram = senders[from].packet(ifp)
      for (let copy = 0; copy < copies; copy++) {
        if (rand.chance(loss)) {
          continue
        }
        const { ifps, lost } = receivers[from].receive(datagram)
        to.lost(lost)
        for (const received of ifps) {
          to.receiveIfp(received)
        }
      }
    }
  }
}

/**
 * Plays the script: each transmission starts when the previous one has left its sender and
 * its receiver has heard the carrier end; time moves in 20 ms steps. Answers the call time.
 */
function call(
  version: T38Version,
  network: Network,
  lossless = true,
): { a: Station; b: Station; ms: number; lineMs: number } {
  const a = station(version)
  const b = station(version)
  const v21 = (frames: Uint8Array[]): Transmission => ({
    kind: 'frames',
    modem: 'v21',
    shortTraining: false,
    frames,
  })
  const script: [Station, Transmission][] = [
    [a, { kind: 'tone', tone: 'ced' }],
    [a, v21([CSI, DIS])],
    [b, v21([TSI, DCS_ECM])],
    [b, { kind: 'image', modem: V17_14400, shortTraining: false, data: TCF }],
    [a, v21([CFR])],
    [
      b,
      { kind: 'frames', modem: V17_14400, shortTraining: false, frames: [...FCDS, RCP, RCP, RCP] },
    ],
    [b, v21([PPS_MPS])],
    [a, v21([MCF])],
    [b, { kind: 'image', modem: V17_14400, shortTraining: true, data: PAGE }],
  ]
  const step = (): void => {
    for (const s of [a, b]) {
      s.terminal.advance(20)
    }
    network('a', a.terminal.takeIfps(), b.terminal)
    network('b', b.terminal.takeIfps(), a.terminal)
  }
  for (const [sender, transmission] of script) {
    const receiver = sender === a ? b : a
    const heardBefore = receiver.line.calls.length
    sender.terminal.transmit(transmission)
    while (sender.terminal.busy) {
      step()
    }
    step() // the last IFPs (sig-end, no-signal) cross
    if (lossless && transmission.kind !== 'tone') {
      assert.ok(receiver.line.calls.slice(heardBefore).includes('carrier end'))
    }
  }
  const lineMs = script.reduce((sum, [, t]) => sum + transmissionMs(t), 0)
  return { a, b, ms: a.terminal.timeMs, lineMs }
}

function station(version: T38Version): Station {
  const line = new RecordingLine()
  return { line, terminal: new T38Terminal({ version, line }) }
}

function framesOf(s: Station): Uint8Array[] {
  return s.line.frames.filter((f) => f.ok).map((f) => f.frame)
}

function assertIntact(a: Station, b: Station): void {
  assert.deepEqual(framesOf(b), [CSI, DIS, CFR, MCF])
  assert.deepEqual(framesOf(a), [TSI, DCS_ECM, ...FCDS, RCP, RCP, RCP, PPS_MPS])
  assert.deepEqual(a.line.image, Uint8Array.of(...TCF, ...PAGE))
  assert.ok(!a.line.calls.includes('line error') && !b.line.calls.includes('line error'))
}

describe('two T38Terminals back to back', () => {
  for (const version of [0, 3] as const) {
    it(`carry a scripted call intact, IFP by IFP (version ${version})`, () => {
      const { a, b, ms, lineMs } = call(version, direct)
      assertIntact(a, b)
      assert.deepEqual(b.line.calls.slice(0, 2), ['tone ced', 'carrier v21'])
      assert.deepEqual(
        a.line.calls.filter((c) => c.startsWith('carrier') && c !== 'carrier end'),
        [
          'carrier v21',
          'carrier v17 14400',
          'carrier v17 14400',
          'carrier v21',
          'carrier v17 14400',
        ],
      )
      // the line time of the 9 transmissions, plus at most two 20 ms steps after each
      assert.ok(
        ms >= lineMs && ms <= lineMs + 9 * 40,
        `call took ${ms} ms for ${lineMs} ms of line time`,
      )
      assert.ok(lineMs > 15_000 && lineMs < 20_000)
    })
  }

  for (const [name, ec] of [
    ['redundancy 3', { kind: 'redundancy', depth: 3 }],
    ['FEC 3×3', { kind: 'fec', span: 3, entries: 3 }],
  ] as const) {
    it(`carry it intact over UDPTL with ${name} and 10 % loss`, () => {
      for (const version of [0, 3] as const) {
        const { a, b } = call(version, udptl(version, ec, 0.1, 11 + version))
        assertIntact(a, b)
      }
    })
  }

  it('never report a damaged frame as good under 25 % loss without error correction', () => {
    const sent = [CSI, DIS, CFR, MCF, TSI, DCS_ECM, ...FCDS, RCP, PPS_MPS].map((f) => f.join())
    let bad = 0
    for (let seed = 1; seed <= 5; seed++) {
      const { a, b } = call(3, udptl(3, { kind: 'none' }, 0.25, seed), false)
      for (const { frame, ok } of [...a.line.frames, ...b.line.frames]) {
        if (ok) {
          assert.ok(
            sent.includes(frame.join()),
            `a damaged frame passed as good: ${frame.length} octets`,
          )
        } else {
          bad++
        }
      }
    }
    assert.ok(bad > 0, 'the loss never hit a frame')
  })
})
