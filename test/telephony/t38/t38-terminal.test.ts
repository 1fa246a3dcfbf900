/**
 * T38Terminal: what it sends for each kind of transmission and exactly when (in virtual time),
 * how many copies, and what it tells the engine about the IFPs it receives, including the
 * leniencies spandsp has for real gateways.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Transmission } from '../../../src/telephony/t30/line-signals.js'
import { V17_14400, V29_9600 } from '../../../src/telephony/t30/modems.js'
import {
  decodeIfp,
  encodeIfp,
  type Ifp,
  type IfpField,
  type T38Version,
} from '../../../src/telephony/t38/ifp.js'
import { T38Terminal } from '../../../src/telephony/t38/t38-terminal.js'
import {
  TICKS_PER_MS,
  planTransmission,
  transmissionMs,
} from '../../../src/telephony/t38/transmit-plan.js'
import { hex, ramp, toHex } from './octets.js'
import { RecordingLine } from './recording-line.js'

const DIS = hex('ff c8 01 20 77 1f 01 01 89 01 01 01 18')
/** CSI "0 1" as spandsp sends it: 20 characters, last first, each bit-reversed, space-padded. */
const CSI = hex(`ff c0 02 8c 04 0c ${'04 '.repeat(17)}`)

/** A readable one-line form of an IFP: 'no-signal', 'v21 hdlc-data(1)', 'v21 hdlc-fcs-OK'. */
function describeIfp(ifp: Ifp): string {
  if (ifp.kind === 'indicator') {
    return ifp.indicator
  }
  const fields = ifp.fields.map((f) =>
    f.data === undefined ? f.type : `${f.type}(${f.data.length})`,
  )
  return `${ifp.dataType} ${fields.join(' ')}`
}

interface Sent {
  readonly atMs: number
  readonly what: string
  readonly copies: number
  readonly ifp: Ifp
}

/** Runs a transmission in `stepMs` steps until transmitted(); returns what went out and when. */
function send(
  transmission: Transmission,
  options: { version?: T38Version; stepMs?: number; chunkMs?: number } = {},
): { sent: Sent[]; transmittedAtMs: number } {
  const version = options.version ?? 3
  const line = new RecordingLine()
  const terminal = new T38Terminal({ version, line, chunkMs: options.chunkMs })
  const sent: Sent[] = []
  const collect = (): void => {
    for (const { ifp, copies } of terminal.takeIfps()) {
      const decoded = decodeIfp(ifp, version)
      sent.push({ atMs: terminal.timeMs, what: describeIfp(decoded), copies, ifp: decoded })
    }
  }
  terminal.transmit(transmission)
  collect()
  while (terminal.busy) {
    assert.ok(terminal.timeMs < 600_000, 'the transmission never ended')
    terminal.advance(options.stepMs ?? 1)
    collect()
  }
  assert.deepEqual(line.calls, ['transmitted'])
  return { sent, transmittedAtMs: terminal.timeMs }
}

function dataOf(sent: readonly Sent[]): IfpField[] {
  return sent.flatMap((s) => (s.ifp.kind === 'data' ? s.ifp.fields : []))
}

describe('T38Terminal sending tones', () => {
  it('sends CED as no-signal, 200 ms of silence, ced (3 copies), and ends 3 s later', () => {
    const { sent, transmittedAtMs } = send({ kind: 'tone', tone: 'ced' }, { stepMs: 10 })
    assert.deepEqual(
      sent.map((s) => [s.atMs, s.what, s.copies]),
      [
        [0, 'no-signal', 3],
        [200, 'ced', 3],
      ],
    )
    assert.equal(transmittedAtMs, 3200)
  })

  it('sends CNG as no-signal then cng, and is done at once', () => {
    const { sent, transmittedAtMs } = send({ kind: 'tone', tone: 'cng' }, { stepMs: 10 })
    assert.deepEqual(
      sent.map((s) => s.what),
      ['no-signal', 'cng'],
    )
    assert.equal(sent[1]?.atMs, transmittedAtMs)
    assert.equal(transmittedAtMs, 200)
  })
})

describe('T38Terminal sending V.21 frames', () => {
  const frames: Transmission = {
    kind: 'frames',
    modem: 'v21',
    shortTraining: false,
    frames: [CSI, DIS],
  }

  it('sends no-signal, v21-preamble after 75 ms, then one octet per IFP after the 1 s preamble', () => {
    const { sent } = send(frames)
    assert.deepEqual(
      sent.slice(0, 3).map((s) => [s.atMs, s.what, s.copies]),
      [
        [0, 'no-signal', 3],
        [75, 'v21-preamble', 3],
        [1075, 'v21 hdlc-data(1)', 1],
      ],
    )
    const chunks = dataOf(sent).filter((f) => f.type === 'hdlc-data')
    assert.ok(chunks.every((f) => f.data?.length === 1))
    assert.deepEqual(
      Uint8Array.from(chunks.flatMap((f) => [...(f.data ?? [])])),
      Uint8Array.of(...CSI, ...DIS),
    )
  })

  it('ends each frame with hdlc-fcs-OK, the last with hdlc-fcs-OK-sig-end (3 copies), then no-signal', () => {
    const { sent } = send(frames)
    const ends = sent.filter((s) => !s.what.includes('hdlc-data'))
    assert.deepEqual(
      ends.slice(2).map((s) => [s.what, s.copies]),
      [
        ['v21 hdlc-fcs-OK', 1],
        ['v21 hdlc-fcs-OK-sig-end', 3],
        ['no-signal', 3],
      ],
    )
  })

  it('paces the octets at 300 bit/s, with 24 bits of FCS and flag after each frame', () => {
    const plan = planTransmission(frames)
    const bitTicks = 480 // 144,000 ticks per second / 300 bit/s
    const start = 1075 * TICKS_PER_MS
    const times = plan.ifps.map((p) => p.atTicks)
    assert.equal(times[2], start)
    assert.equal(times[3], start + 8 * bitTicks)
    const fcsOk = plan.ifps.findIndex((p) => describeIfp(p.ifp) === 'v21 hdlc-fcs-OK')
    assert.equal(times[fcsOk], start + CSI.length * 8 * bitTicks)
    assert.equal(times[fcsOk + 1], start + (CSI.length * 8 + 24) * bitTicks)
    const lineBits = (CSI.length + DIS.length) * 8 + 2 * 24
    assert.equal(plan.endTicks, start + lineBits * bitTicks)
    assert.equal(transmissionMs(frames), 1075 + (lineBits * 1000) / 300)
  })

  it('calls transmitted() when the time passes the end, not before', () => {
    const endMs = transmissionMs(frames) // 1075 + (36 × 8 + 48) bits / 300 bit/s = 2195 ms
    assert.equal(endMs, 2195)
    const line = new RecordingLine()
    const terminal = new T38Terminal({ version: 0, line })
    terminal.transmit(frames)
    terminal.advance(endMs - 1)
    assert.deepEqual(line.calls, [])
    assert.ok(terminal.busy)
    terminal.advance(1)
    assert.deepEqual(line.calls, ['transmitted'])
    assert.ok(!terminal.busy)
  })
})

describe('T38Terminal sending high-speed data', () => {
  it('sends a 1,000-octet image at 14,400 in 54-octet chunks, taking training + 1000/1800 s', () => {
    const image: Transmission = {
      kind: 'image',
      modem: V17_14400,
      shortTraining: false,
      data: ramp(1000),
    }
    const { sent, transmittedAtMs } = send(image, { stepMs: 1 })
    assert.deepEqual(
      sent.slice(0, 2).map((s) => [s.atMs, s.what, s.copies]),
      [
        [0, 'no-signal', 3],
        [75, 'v17-14400-long-training', 3],
      ],
    )
    const fields = dataOf(sent)
    assert.deepEqual(
      fields.map((f) => f.data?.length),
      [...Array<number>(18).fill(54), 28],
    )
    assert.deepEqual(fields.map((f) => f.type).slice(-2), ['t4-non-ecm-data', 't4-non-ecm-sig-end'])
    assert.deepEqual(
      sent.slice(-2).map((s) => [s.what, s.copies]),
      [
        ['v17-14400 t4-non-ecm-sig-end(28)', 3],
        ['no-signal', 3],
      ],
    )
    assert.deepEqual(Uint8Array.from(fields.flatMap((f) => [...(f.data ?? [])])), ramp(1000))
    // one chunk every 30 ms from the end of training
    assert.deepEqual(
      sent.slice(2, 6).map((s) => s.atMs),
      [1468, 1498, 1528, 1558],
    )
    const exactMs = 1393 + 1000 / 1.8
    assert.ok(Math.abs(transmissionMs(image) - (75 + exactMs)) < 1e-9)
    assert.equal(transmittedAtMs, Math.ceil(75 + exactMs))
  })

  it('ends a 900-octet image at exactly 75 + 1393 + 500 ms', () => {
    const line = new RecordingLine()
    const terminal = new T38Terminal({ version: 3, line })
    terminal.transmit({
      kind: 'image',
      modem: V17_14400,
      shortTraining: false,
      data: new Uint8Array(900),
    })
    terminal.advance(1967)
    assert.deepEqual(line.calls, [])
    terminal.advance(1)
    assert.deepEqual(line.calls, ['transmitted'])
  })

  it('uses short training, and sizes chunks by chunkMs and the rate', () => {
    const image: Transmission = {
      kind: 'image',
      modem: V29_9600,
      shortTraining: true,
      data: ramp(100),
    }
    const { sent } = send(image, { chunkMs: 20 })
    assert.equal(sent[1]?.what, 'v29-9600-training')
    assert.deepEqual(
      dataOf(sent).map((f) => f.data?.length),
      [24, 24, 24, 24, 4],
    )
    const short = send({ ...image, modem: V17_14400 })
    assert.equal(short.sent[1]?.what, 'v17-14400-short-training')
    assert.equal(short.transmittedAtMs, Math.ceil(75 + 142 + (100 * 8) / 14.4))
  })

  it('sends ECM frames after training and 200 ms of flags, 54 octets per IFP', () => {
    const fcd = Uint8Array.of(0xff, 0xc0, 0x60, 0x00, ...ramp(256))
    const rcp = hex('ff c0 61')
    const burst: Transmission = {
      kind: 'frames',
      modem: V17_14400,
      shortTraining: true,
      frames: [fcd, rcp, rcp, rcp],
    }
    const { sent, transmittedAtMs } = send(burst)
    assert.equal(sent[1]?.what, 'v17-14400-short-training')
    assert.equal(sent[2]?.atMs, 75 + 142 + 200)
    assert.deepEqual(
      sent.slice(2, 9).map((s) => s.what),
      [
        'v17-14400 hdlc-data(54)',
        'v17-14400 hdlc-data(54)',
        'v17-14400 hdlc-data(54)',
        'v17-14400 hdlc-data(54)',
        'v17-14400 hdlc-data(44)',
        'v17-14400 hdlc-fcs-OK',
        'v17-14400 hdlc-data(3)',
      ],
    )
    assert.deepEqual(
      sent.slice(-2).map((s) => [s.what, s.copies]),
      [
        ['v17-14400 hdlc-fcs-OK-sig-end', 3],
        ['no-signal', 3],
      ],
    )
    const bits = (260 + 3 * 3) * 8 + 4 * 24
    assert.equal(transmittedAtMs, Math.ceil(75 + 142 + 200 + bits / 14.4))
  })

  it('codes its IFPs in the negotiated version', () => {
    const line = new RecordingLine()
    const octets = (version: T38Version): string[] => {
      const terminal = new T38Terminal({ version, line })
      terminal.transmit({
        kind: 'frames',
        modem: 'v21',
        shortTraining: false,
        frames: [hex('ff c8 31')],
      })
      terminal.advance(2000)
      return terminal.takeIfps().map((o) => toHex(o.ifp))
    }
    assert.deepEqual(octets(0).slice(-2), ['c0 01 40', '00'])
    assert.deepEqual(octets(3).slice(-2), ['c0 01 20', '00'])
  })
})

describe('T38Terminal transmissions in a row', () => {
  it('refuses a second transmission while one is on the line', () => {
    const terminal = new T38Terminal({ version: 0, line: new RecordingLine() })
    terminal.transmit({ kind: 'tone', tone: 'ced' })
    assert.throws(() => terminal.transmit({ kind: 'tone', tone: 'cng' }), /during a transmission/)
    terminal.advance(3200)
    terminal.transmit({ kind: 'tone', tone: 'cng' })
  })

  it('starts a transmission asked for from transmitted() exactly where the last one ended', () => {
    const line = new RecordingLine()
    const terminal = new T38Terminal({ version: 0, line })
    const endTimes: number[] = []
    const queue: Transmission[] = [
      { kind: 'frames', modem: 'v21', shortTraining: false, frames: [DIS] },
      { kind: 'image', modem: V17_14400, shortTraining: false, data: new Uint8Array(2700) },
    ]
    line.onTransmitted = (): void => {
      endTimes.push(terminal.timeMs)
      const next = queue.shift()
      if (next !== undefined) {
        terminal.transmit(next)
      }
    }
    terminal.transmit({ kind: 'tone', tone: 'ced' })
    terminal.advance(20_000)
    const dis = 1075 + ((13 * 8 + 24) * 1000) / 300
    const micros = (ms: number): number => Math.round(ms * 1000)
    assert.deepEqual(
      endTimes.map(micros),
      [3200, 3200 + dis, 3200 + dis + 75 + 1393 + 1500].map(micros),
    )
  })
})

describe('T38Terminal receiving', () => {
  function receiver(version: T38Version = 3): {
    line: RecordingLine
    feed: (...ifps: Ifp[]) => void
    terminal: T38Terminal
  } {
    const line = new RecordingLine()
    const terminal = new T38Terminal({ version, line })
    return {
      line,
      terminal,
      feed: (...ifps) => ifps.forEach((ifp) => terminal.receiveIfp(encodeIfp(ifp, version))),
    }
  }
  const indicator = (name: Extract<Ifp, { kind: 'indicator' }>['indicator']): Ifp => ({
    kind: 'indicator',
    indicator: name,
  })
  const v21 = (...fields: IfpField[]): Ifp => ({ kind: 'data', dataType: 'v21', fields })
  const fast = (...fields: IfpField[]): Ifp => ({ kind: 'data', dataType: 'v17-14400', fields })

  it('turns a V.21 burst into carrier, frames and carrier end', () => {
    const { line, feed } = receiver()
    feed(
      indicator('v21-preamble'),
      ...Array.from(CSI, (o) => v21({ type: 'hdlc-data', data: Uint8Array.of(o) })),
      v21({ type: 'hdlc-fcs-OK' }),
      v21({ type: 'hdlc-data', data: DIS.subarray(0, 5) }),
      v21({ type: 'hdlc-data', data: DIS.subarray(5) }),
      v21({ type: 'hdlc-fcs-OK-sig-end' }),
      indicator('no-signal'),
    )
    assert.deepEqual(line.calls, [
      'carrier v21',
      `frame ${toHex(CSI)} ok`,
      `frame ${toHex(DIS)} ok`,
      'carrier end',
    ])
  })

  it('turns training and non-ECM data into carrier, image data and carrier end', () => {
    const { line, feed } = receiver(0)
    feed(
      indicator('v17-14400-long-training'),
      fast({ type: 't4-non-ecm-data', data: ramp(54) }),
      fast({ type: 't4-non-ecm-sig-end', data: ramp(10, 54) }),
      indicator('no-signal'),
    )
    assert.deepEqual(line.calls, ['carrier v17 14400', 'image 54', 'image 10', 'carrier end'])
    assert.deepEqual(line.image, ramp(64))
  })

  it('reports a bad FCS, a tone, and the end of a carrier at no-signal', () => {
    const { line, feed, terminal } = receiver()
    feed(
      indicator('ced'),
      indicator('v21-preamble'),
      v21({ type: 'hdlc-data', data: DIS }),
      v21({ type: 'hdlc-fcs-BAD' }),
      indicator('no-signal'),
    )
    assert.deepEqual(line.calls, [
      'tone ced',
      'carrier v21',
      `frame ${toHex(DIS)} bad`,
      'carrier end',
    ])
    assert.equal(terminal.lastToneHeard, 'ced')
  })

  it('reports a frame cut off by the end of the carrier as bad', () => {
    const { line, feed } = receiver()
    feed(
      indicator('v21-preamble'),
      v21({ type: 'hdlc-data', data: hex('ff c8') }),
      indicator('no-signal'),
    )
    assert.deepEqual(line.calls, ['carrier v21', 'frame ff c8 bad', 'carrier end'])
  })

  describe('leniency (spandsp process_rx_data)', () => {
    it('accepts HDLC data with no preamble indicator before it', () => {
      const { line, feed } = receiver()
      feed(v21({ type: 'hdlc-data', data: DIS }), v21({ type: 'hdlc-fcs-OK-sig-end' }))
      assert.deepEqual(line.calls, ['carrier v21', `frame ${toHex(DIS)} ok`, 'carrier end'])
    })

    it('accepts data inside an hdlc-fcs-OK field', () => {
      const { line, feed } = receiver()
      feed(
        indicator('v21-preamble'),
        v21({ type: 'hdlc-data', data: DIS.subarray(0, 4) }),
        v21({ type: 'hdlc-fcs-OK', data: DIS.subarray(4) }),
      )
      assert.deepEqual(line.calls, ['carrier v21', `frame ${toHex(DIS)} ok`])
    })

    it('ignores a repeated hdlc-fcs-OK or sig-end with no data in between', () => {
      const { line, feed } = receiver()
      feed(
        indicator('v21-preamble'),
        indicator('v21-preamble'),
        v21({ type: 'hdlc-data', data: DIS }),
        v21({ type: 'hdlc-fcs-OK' }),
        v21({ type: 'hdlc-fcs-OK' }),
        v21({ type: 'hdlc-data', data: CSI }),
        v21({ type: 'hdlc-fcs-OK-sig-end' }),
        v21({ type: 'hdlc-fcs-OK-sig-end' }),
        v21({ type: 'hdlc-sig-end' }),
      )
      assert.deepEqual(line.calls, [
        'carrier v21',
        `frame ${toHex(DIS)} ok`,
        `frame ${toHex(CSI)} ok`,
        'carrier end',
      ])
    })

    it('takes hdlc-sig-end after non-ECM data as the end of the image (Mediatrix)', () => {
      const { line, feed } = receiver()
      feed(
        indicator('v17-14400-short-training'),
        fast({ type: 't4-non-ecm-data', data: ramp(54) }),
        fast({ type: 'hdlc-sig-end' }),
      )
      assert.deepEqual(line.calls, ['carrier v17 14400', 'image 54', 'carrier end'])
    })

    it('starts the carrier a data type names when it differs from the one on', () => {
      const { line, feed } = receiver()
      feed(indicator('v21-preamble'), fast({ type: 't4-non-ecm-data', data: ramp(5) }))
      assert.deepEqual(line.calls, ['carrier v21', 'carrier end', 'carrier v17 14400', 'image 5'])
    })
  })

  it('counts a malformed IFP as a line error and carries on', () => {
    const { line, terminal, feed } = receiver()
    terminal.receiveIfp(hex(''))
    terminal.receiveIfp(hex('c0 01 10 00')) // trailing octet
    terminal.receiveIfp(hex('c0 05'))
    feed(indicator('v21-preamble'))
    assert.deepEqual(line.calls, ['line error', 'line error', 'line error', 'carrier v21'])
  })

  it('marks the frame under way when packets are lost, and only that one', () => {
    const { line, terminal, feed } = receiver()
    feed(indicator('v21-preamble'), v21({ type: 'hdlc-data', data: DIS.subarray(0, 3) }))
    terminal.lost(2)
    feed(
      v21({ type: 'hdlc-data', data: DIS.subarray(6) }),
      v21({ type: 'hdlc-fcs-OK' }),
      v21({ type: 'hdlc-data', data: CSI }),
      v21({ type: 'hdlc-fcs-OK' }),
    )
    assert.deepEqual(line.calls, [
      'carrier v21',
      'line error',
      `frame ${toHex(Uint8Array.of(...DIS.subarray(0, 3), ...DIS.subarray(6)))} bad`,
      `frame ${toHex(CSI)} ok`,
    ])
    terminal.lost(0)
    assert.equal(line.calls.length, 4)
  })

  it('drops a frame that grows past any T.30 frame, with one line error', () => {
    const { line, feed } = receiver()
    feed(indicator('v21-preamble'))
    for (let i = 0; i < 50; i++) {
      feed(v21({ type: 'hdlc-data', data: ramp(100) }))
    }
    feed(
      v21({ type: 'hdlc-fcs-OK' }),
      v21({ type: 'hdlc-data', data: DIS }),
      v21({ type: 'hdlc-fcs-OK' }),
    )
    assert.deepEqual(line.calls, ['carrier v21', 'line error', `frame ${toHex(DIS)} ok`])
  })

  it('ignores V.8, V.33 and V.34 signals', () => {
    const { line, feed } = receiver()
    feed(
      { kind: 'data', dataType: 'v8', fields: [{ type: 'cm-message', data: hex('01') }] },
      { kind: 'data', dataType: 'v33-14400', fields: [{ type: 't4-non-ecm-data', data: ramp(5) }] },
      indicator('v34-cntl-channel-1200'),
    )
    assert.deepEqual(line.calls, [])
  })

  it('passes received IFPs on while it transmits', () => {
    const { line, terminal, feed } = receiver()
    terminal.transmit({ kind: 'tone', tone: 'ced' })
    terminal.advance(1000)
    feed(indicator('cng'))
    terminal.advance(2200)
    assert.deepEqual(line.calls, ['tone cng', 'transmitted'])
  })
})

describe('T38Terminal: stopping a transmission', () => {
  it('interrupt() drops the rest of the data, ends the signal and reports transmitted() at once', () => {
    const line = new RecordingLine()
    const terminal = new T38Terminal({ version: 3, line })
    terminal.transmit({ kind: 'image', modem: V17_14400, shortTraining: true, data: ramp(18_000) })
    terminal.advance(1_000)
    const before = terminal.takeIfps().length
    assert.ok(before > 10)
    assert.equal(terminal.busy, true)
    terminal.interrupt()
    assert.equal(terminal.busy, false)
    const after = terminal
      .takeIfps()
      .map(({ ifp, copies }) => [describeIfp(decodeIfp(ifp, 3)), copies])
    assert.deepEqual(after, [['no-signal', 3]])
    assert.deepEqual(line.calls, ['transmitted'])
    // Nothing more of the image follows, and the line is free for the next transmission.
    terminal.advance(20_000)
    assert.deepEqual(terminal.takeIfps(), [])
    terminal.transmit({ kind: 'tone', tone: 'cng' })
    terminal.interrupt()
    terminal.interrupt()
  })
})
