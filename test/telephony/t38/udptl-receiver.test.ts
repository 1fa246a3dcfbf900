/**
 * UdptlReceiver against a real UdptlSender over a lossy, duplicating, reordering "network":
 * IFPs come out in order and once each, gaps are filled from redundancy or FEC where the
 * packets allow it and counted as lost where they do not, sequence numbers wrap, and a
 * malformed datagram is counted and ignored.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { encodeIfp, type T38Version } from '../../../src/telephony/t38/ifp.js'
import { UdptlReceiver } from '../../../src/telephony/t38/udptl-receiver.js'
import { UdptlSender, buildUdptl, type ErrorCorrection } from '../../../src/telephony/t38/udptl.js'
import { seededRandom } from '../../support/seeded-random.js'
import { hex, ramp, toHex } from './octets.js'

/**
 * IFP n of a test stream: real IFPs of varied kinds and lengths (short ones matter: FEC pads
 * them). Each data IFP carries n; indicators repeat.
 */
function streamIfp(n: number, version: T38Version): Uint8Array {
  const tag = Uint8Array.of(n >> 8, n & 0xff)
  switch (n % 4) {
    case 0:
      return encodeIfp(
        { kind: 'indicator', indicator: n % 8 === 0 ? 'no-signal' : 'v21-preamble' },
        version,
      )
    case 1:
      return encodeIfp(
        {
          kind: 'data',
          dataType: 'v21',
          fields: [{ type: 'hdlc-data', data: Uint8Array.of(...tag, ...ramp(n % 7)) }],
        },
        version,
      )
    case 2:
      return encodeIfp(
        {
          kind: 'data',
          dataType: 'v17-14400',
          fields: [{ type: 't4-non-ecm-data', data: Uint8Array.of(...tag, ...ramp(52, n)) }],
        },
        version,
      )
    default:
      return encodeIfp(
        {
          kind: 'data',
          dataType: 'v21',
          fields: [{ type: 'hdlc-data', data: tag }, { type: 'hdlc-fcs-OK' }],
        },
        version,
      )
  }
}

/** Where each of `got` matches in `all`, in order (greedy); throws if `got` is not in order. */
function matchInOrder(got: readonly string[], all: readonly string[]): number[] {
  const positions: number[] = []
  let at = 0
  for (const ifp of got) {
    while (at < all.length && all[at] !== ifp) {
      at++
    }
    assert.ok(at < all.length, `IFP ${ifp} out of order or unknown`)
    positions.push(at++)
  }
  return positions
}

interface Run {
  readonly delivered: string[]
  readonly lost: number
  readonly receiver: UdptlReceiver
}

/** Sends IFPs 0…count−1; `deliver(datagrams)` decides what the receiver gets, in what order. */
function run(
  errorCorrection: ErrorCorrection,
  count: number,
  deliver: (datagrams: Uint8Array[]) => Uint8Array[],
  options: { version?: T38Version; firstSeq?: number } = {},
): Run {
  const version = options.version ?? 3
  const sender = new UdptlSender({ errorCorrection, firstSeq: options.firstSeq ?? 0 })
  const datagrams = Array.from({ length: count }, (_, n) => sender.packet(streamIfp(n, version)))
  const receiver = new UdptlReceiver({ version })
  const delivered: string[] = []
  let lost = 0
  for (const datagram of deliver(datagrams)) {
    const result = receiver.receive(datagram)
    delivered.push(...result.ifps.map(toHex))
    lost += result.lost
  }
  return { delivered, lost, receiver }
}

function expected(ns: number[], version: T38Version = 3): string[] {
  return ns.map((n) => toHex(streamIfp(n, version)))
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i)
}

const REDUNDANCY_3: ErrorCorrection = { kind: 'redundancy', depth: 3 }
const FEC_3_3: ErrorCorrection = { kind: 'fec', span: 3, entries: 3 }

describe('UdptlReceiver: order and duplicates', () => {
  it('delivers an undisturbed stream in order', () => {
    const result = run({ kind: 'none' }, 50, (d) => d)
    assert.deepEqual(result.delivered, expected(range(0, 50)))
    assert.equal(result.lost, 0)
  })

  it('delivers each of 3 copies of a datagram once', () => {
    const result = run(REDUNDANCY_3, 10, (d) => d.flatMap((x) => [x, x, x]))
    assert.deepEqual(result.delivered, expected(range(0, 10)))
    assert.equal(result.receiver.stats.duplicates, 20)
  })

  it('drops a packet that comes after its place was passed', () => {
    // 0 1 3 2 4 …: 3 brings 2 from its secondaries; the late 2 is a duplicate by then
    const result = run(REDUNDANCY_3, 6, (d) => [d[0]!, d[1]!, d[3]!, d[2]!, d[4]!, d[5]!])
    assert.deepEqual(result.delivered, expected(range(0, 6)))
    assert.equal(result.lost, 0)
    // without error correction 2 is lost for good, and dropped when it turns up late
    const bare = run({ kind: 'none' }, 6, (d) => [d[0]!, d[1]!, d[3]!, d[2]!, d[4]!, d[5]!])
    assert.deepEqual(bare.delivered, expected([0, 1, 3, 4, 5]))
    assert.equal(bare.lost, 1)
    assert.equal(bare.receiver.stats.late, 1)
  })
})

describe('UdptlReceiver: recovery', () => {
  it('fills a gap of up to `depth` packets from the secondaries, oldest first', () => {
    const result = run(REDUNDANCY_3, 20, (d) => d.filter((_, n) => n < 5 || n > 7))
    assert.deepEqual(result.delivered, expected(range(0, 20)))
    assert.equal(result.lost, 0)
    assert.equal(result.receiver.stats.recovered, 3)
  })

  it('counts the packets older than the secondaries reach as lost', () => {
    const result = run(REDUNDANCY_3, 20, (d) => d.filter((_, n) => n < 5 || n > 9))
    assert.deepEqual(result.delivered, expected([...range(0, 5), ...range(7, 20)]))
    assert.equal(result.lost, 2)
    assert.equal(result.receiver.stats.lost, 2)
  })

  it('rebuilds one lost packet per FEC group, trimmed to its own length', () => {
    for (const version of [0, 3] as const) {
      // 3 in a row: each is in a different group of span 3 × entries 3
      const result = run(FEC_3_3, 40, (d) => d.filter((_, n) => n < 20 || n > 22), { version })
      assert.deepEqual(result.delivered, expected(range(0, 40), version))
      assert.equal(result.lost, 0)
      assert.equal(result.receiver.stats.recovered, 3)
    }
  })

  it('counts as lost what FEC cannot rebuild (two losses in one group)', () => {
    // 20…23 lost: packet 24's blocks cover 21, 22 and (20, 23) together, so 20 and 23 stay lost
    const result = run(FEC_3_3, 40, (d) => d.filter((_, n) => n < 20 || n > 23))
    assert.deepEqual(result.delivered, expected([...range(0, 20), 21, 22, ...range(24, 40)]))
    assert.equal(result.lost, 2)
    assert.equal(result.receiver.stats.recovered, 2)
  })

  it('recovers the first packets of a stream from the first datagram to arrive', () => {
    const result = run(REDUNDANCY_3, 8, (d) => d.slice(2))
    assert.deepEqual(result.delivered, expected(range(0, 8)))
    assert.equal(result.lost, 0)
  })

  it('follows sequence numbers through the wrap at 65536', () => {
    const result = run(REDUNDANCY_3, 30, (d) => d.filter((_, n) => n !== 10 && n !== 11), {
      firstSeq: 65525,
    })
    assert.deepEqual(result.delivered, expected(range(0, 30)))
    const fec = run(FEC_3_3, 30, (d) => d.filter((_, n) => n !== 11), { firstSeq: 65530 })
    assert.deepEqual(fec.delivered, expected(range(0, 30)))
  })

  it('counts a long outage as lost without keeping every number', () => {
    // The stream is believed to have moved on once a second packet follows the first.
    const result = run({ kind: 'none' }, 5001, (d) => [d[0]!, d[4999]!, d[5000]!])
    assert.deepEqual(result.delivered, expected([0, 4999, 5000]))
    assert.equal(result.lost, 4998)
  })

  it('a stray datagram with a wild sequence number does not derail the stream', () => {
    const stray = buildUdptl({
      seq: 40_000,
      primary: Uint8Array.of(0x02),
      recovery: { kind: 'redundancy', secondaries: [] },
    })
    const result = run({ kind: 'none' }, 6, (d) => [
      d[0]!,
      d[1]!,
      stray,
      d[2]!,
      d[3]!,
      d[4]!,
      d[5]!,
    ])
    assert.deepEqual(result.delivered, expected([0, 1, 2, 3, 4, 5]))
    assert.equal(result.lost, 0)
  })

  it('a far end that starts counting again from 0 is followed once two packets agree', () => {
    const result = run({ kind: 'none' }, 200, (d) => [...d.slice(100, 110), d[0]!, d[1]!, d[2]!])
    assert.deepEqual(
      result.delivered,
      expected([100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 0, 1, 2]),
    )
  })
})

describe('UdptlReceiver: impaired network', () => {
  for (const [name, ec] of [
    ['redundancy 3', REDUNDANCY_3],
    ['FEC 3×3', FEC_3_3],
  ] as const) {
    it(`with ${name}, 10 % loss, duplicates and reordering: in order, once, lost counted`, () => {
      const rand = seededRandom(name.length)
      const count = 3000
      const result = run(ec, count, (datagrams) => {
        const out: Uint8Array[] = []
        for (const d of datagrams) {
          if (rand.chance(0.1)) {
            continue
          }
          out.push(d)
          if (rand.chance(0.05)) {
            out.push(d)
          }
          if (rand.chance(0.05) && out.length > 2) {
            const i = out.length - 1
            ;[out[i - 1], out[i]] = [out[i]!, out[i - 1]!]
          }
        }
        return out
      })
      const positions = matchInOrder(result.delivered, expected(range(0, count)))
      assert.ok(result.delivered.length > 0.97 * count, `delivered ${result.delivered.length}`)
      // every packet from the first delivered to the last is delivered or counted lost
      const span = (positions.at(-1) ?? 0) - (positions[0] ?? 0) + 1
      assert.equal(result.delivered.length + result.lost, span)
      assert.ok(result.lost < 0.02 * count, `lost ${result.lost}`)
    })
  }
})

describe('UdptlReceiver: malformed datagrams', () => {
  it('counts and ignores them, and the stream goes on', () => {
    const sender = new UdptlSender({ errorCorrection: REDUNDANCY_3 })
    const receiver = new UdptlReceiver({ version: 0 })
    const got: string[] = []
    const feed = (d: Uint8Array): void => {
      got.push(...receiver.receive(d).ifps.map(toHex))
    }
    feed(sender.packet(hex('00')))
    for (const garbage of [
      hex(''),
      hex('00'),
      hex('00 01 c1'),
      hex('00 02 05 00'),
      ramp(20, 200),
    ]) {
      assert.deepEqual(receiver.receive(garbage), { ifps: [], lost: 0 })
    }
    feed(sender.packet(hex('06')))
    assert.deepEqual(got, ['00', '06'])
    assert.equal(receiver.stats.malformed, 5)
  })

  it('never throws on random datagrams, well-formed or not', () => {
    const rand = seededRandom(5)
    const receiver = new UdptlReceiver({ version: 3 })
    const someOctets = (): Uint8Array[] =>
      Array.from({ length: rand.int(0, 5) }, () => ramp(rand.int(0, 40), rand.int(0, 255)))
    let seq = 0
    for (let trial = 0; trial < 5000; trial++) {
      seq = rand.chance(0.05) ? rand.int(0, 65535) : (seq + rand.int(-3, 5)) & 0xffff
      const octets = rand.chance(0.3)
        ? Uint8Array.from({ length: rand.int(0, 30) }, () => rand.int(0, 255))
        : buildUdptl({
            seq,
            primary: ramp(rand.int(1, 20), rand.int(0, 255)),
            recovery: rand.chance(0.5)
              ? { kind: 'redundancy', secondaries: someOctets().filter((o) => o.length > 0) }
              : { kind: 'fec', span: rand.int(0, 400), entries: someOctets() },
          })
      const result = receiver.receive(octets)
      assert.ok(result.lost >= 0 && result.lost < 65536)
    }
    const stats = receiver.stats
    assert.ok(stats.malformed > 1000 && stats.malformed < 2000, JSON.stringify(stats))
    assert.ok(stats.lost > 0 && stats.late > 0 && stats.duplicates > 0, JSON.stringify(stats))
  })
})

describe('UdptlReceiver: holding a gap for late datagrams', () => {
  const REDUNDANCY: ErrorCorrection = { kind: 'redundancy', depth: 3 }
  const stream = (count: number): Uint8Array[] => {
    const sender = new UdptlSender({ errorCorrection: REDUNDANCY })
    return Array.from({ length: count }, (_, n) => sender.packet(streamIfp(n, 3)))
  }
  /** Datagram 6 overtakes 1–5: a gap of five, beyond what three secondaries rebuild. */
  const shuffled = (d: Uint8Array[]): Uint8Array[] => [
    d[0]!,
    d[6]!,
    d[1]!,
    d[2]!,
    d[3]!,
    d[4]!,
    d[5]!,
    d[7]!,
  ]

  it('without a hold, a burst reordered beyond the redundancy loses packets', () => {
    const result = run(REDUNDANCY, 8, shuffled)
    assert.equal(result.lost, 2)
    assert.deepEqual(result.delivered, expected([0, 3, 4, 5, 6, 7]))
  })

  it('with a hold, the late datagrams fill the gap and everything arrives in order', () => {
    const receiver = new UdptlReceiver({ version: 3, reorderHoldMs: 60 })
    const delivered: string[] = []
    let lost = 0
    shuffled(stream(8)).forEach((datagram, i) => {
      const result = receiver.receive(datagram, i * 5)
      delivered.push(...result.ifps.map(toHex))
      lost += result.lost
    })
    assert.equal(lost, 0)
    assert.deepEqual(delivered, expected([0, 1, 2, 3, 4, 5, 6, 7]))
    assert.deepEqual(receiver.due(1_000), { ifps: [], lost: 0 })
  })

  it('a gap that never fills is counted lost when the hold runs out, and the stream goes on', () => {
    const receiver = new UdptlReceiver({ version: 3, reorderHoldMs: 60 })
    const d = stream(8)
    assert.deepEqual(receiver.receive(d[0]!, 0).ifps.map(toHex), expected([0]))
    // 1 and 2 never come; 6 arrives, whose secondaries reach back to 3 only.
    assert.deepEqual(receiver.receive(d[6]!, 10), { ifps: [], lost: 0 })
    assert.deepEqual(receiver.due(69), { ifps: [], lost: 0 })
    const released = receiver.due(70)
    assert.equal(released.lost, 2)
    assert.deepEqual(released.ifps.map(toHex), expected([3, 4, 5, 6]))
    assert.deepEqual(receiver.receive(d[7]!, 80).ifps.map(toHex), expected([7]))
    // A held datagram's copy is a duplicate; one that came after its place passed is late.
    assert.deepEqual(receiver.receive(d[1]!, 90), { ifps: [], lost: 0 })
    assert.equal(receiver.stats.late, 1)
  })
})
