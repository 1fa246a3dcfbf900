/**
 * UDPTL datagrams and the sender: the layout of each error-recovery form (the brief's
 * redundancy capture, Annex C FEC), sequence numbers that wrap, the far end's maximum datagram,
 * and parsing hostile datagrams (a UdptlError or a packet, nothing else; no fragments).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  UdptlError,
  UdptlSender,
  buildUdptl,
  parseUdptl,
  type UdptlErrorCode,
  type UdptlPacket,
} from '../../../src/telephony/t38/udptl.js'
import { seededRandom } from '../../support/seeded-random.js'
import { hex, ramp, toHex } from './octets.js'

function expectUdptlError(fn: () => unknown, code: UdptlErrorCode): void {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof UdptlError, `not a UdptlError: ${String(error)}`)
    assert.equal(error.code, code, error.message)
    return true
  })
}

/** A distinct IFP for packet n: a t4-non-ecm-data chunk (version 3) of `length` octets. */
function ifpFor(n: number, length = 59): Uint8Array {
  return Uint8Array.from([0xd0, 0x01, 0x98, 0x00, length - 6, ...ramp(length - 5, n)])
}

describe('UDPTL packet layout', () => {
  it('frames an IFP without error correction as seq | len | IFP | 00 | 00', () => {
    const datagram = buildUdptl({
      seq: 0x1234,
      primary: hex('c0 01 20'),
      recovery: { kind: 'redundancy', secondaries: [] },
    })
    assert.equal(toHex(datagram), '12 34 03 c0 01 20 00 00')
  })

  it('builds the redundancy packet of the brief: 00 5b 3b <IFP> 00 02 3b <IFP 90> 3b <IFP 89>', () => {
    const sender = new UdptlSender({ errorCorrection: { kind: 'redundancy', depth: 2 } })
    let datagram: Uint8Array = new Uint8Array(0)
    for (let n = 0; n <= 91; n++) {
      datagram = sender.packet(ifpFor(n))
    }
    const expected = [
      0x00,
      0x5b,
      0x3b,
      ...ifpFor(91),
      0x00,
      0x02,
      0x3b,
      ...ifpFor(90),
      0x3b,
      ...ifpFor(89),
    ]
    assert.deepEqual(datagram, Uint8Array.from(expected))
    assert.deepEqual(parseUdptl(datagram), {
      seq: 91,
      primary: ifpFor(91),
      recovery: { kind: 'redundancy', secondaries: [ifpFor(90), ifpFor(89)] },
    })
  })

  it('uses a two-octet length for IFPs of 128 octets and more', () => {
    const ifp = ifpFor(1, 300)
    const datagram = buildUdptl({
      seq: 1,
      primary: ifp,
      recovery: { kind: 'redundancy', secondaries: [] },
    })
    assert.equal(toHex(datagram.subarray(0, 4)), '00 01 81 2c')
    assert.deepEqual(parseUdptl(datagram).primary, ifp)
  })

  it('builds Annex C FEC: 80, fec-npackets 01 <span>, the entry count, then XOR blocks padded to the longest', () => {
    const packet: UdptlPacket = {
      seq: 7,
      primary: hex('00'),
      recovery: { kind: 'fec', span: 3, entries: [hex('01 02 03'), hex('ff')] },
    }
    const datagram = buildUdptl(packet)
    assert.equal(toHex(datagram), '00 07 01 00 80 01 03 02 03 01 02 03 01 ff')
    assert.deepEqual(parseUdptl(datagram), packet)
  })

  it('codes a span of 128 or more in two octets (an unconstrained INTEGER)', () => {
    const packet: UdptlPacket = {
      seq: 0,
      primary: hex('00'),
      recovery: { kind: 'fec', span: 200, entries: [] },
    }
    assert.equal(toHex(buildUdptl(packet)), '00 00 01 00 80 02 00 c8 00')
    assert.deepEqual(parseUdptl(buildUdptl(packet)), packet)
  })

  it('refuses to build a packet with an empty IFP', () => {
    expectUdptlError(
      () =>
        buildUdptl({
          seq: 0,
          primary: new Uint8Array(0),
          recovery: { kind: 'redundancy', secondaries: [] },
        }),
      'bad-argument',
    )
  })
})

describe('UdptlSender', () => {
  it('numbers datagrams from 0 and wraps after 65535', () => {
    const sender = new UdptlSender({ errorCorrection: { kind: 'none' } })
    for (let n = 0; n < 65536; n++) {
      sender.packet(hex('00'))
    }
    assert.equal(parseUdptl(sender.packet(hex('02'))).seq, 0)
    const late = new UdptlSender({ errorCorrection: { kind: 'none' }, firstSeq: 65535 })
    assert.deepEqual(
      [late.packet(hex('00')), late.packet(hex('00'))].map((d) => parseUdptl(d).seq),
      [65535, 0],
    )
  })

  it('sends up to `depth` previous IFPs, newest first', () => {
    const sender = new UdptlSender({ errorCorrection: { kind: 'redundancy', depth: 3 } })
    const secondaries = [0, 1, 2, 3, 4].map((n) => {
      const packet = parseUdptl(sender.packet(ifpFor(n, 10)))
      assert.equal(packet.recovery.kind, 'redundancy')
      return packet.recovery.kind === 'redundancy' ? packet.recovery.secondaries : []
    })
    assert.deepEqual(secondaries, [
      [],
      [ifpFor(0, 10)],
      [ifpFor(1, 10), ifpFor(0, 10)],
      [ifpFor(2, 10), ifpFor(1, 10), ifpFor(0, 10)],
      [ifpFor(3, 10), ifpFor(2, 10), ifpFor(1, 10)],
    ])
  })

  it('leaves out the oldest secondaries that would pass maxDatagram, never the primary', () => {
    const sender = new UdptlSender({
      errorCorrection: { kind: 'redundancy', depth: 3 },
      maxDatagram: 140,
    })
    for (let n = 0; n < 5; n++) {
      sender.packet(ifpFor(n, 59))
    }
    // 2 + 1 + 59 + 1 + 1 = 64 for the primary alone; each secondary adds 60
    const packet = parseUdptl(sender.packet(ifpFor(5, 59)))
    assert.equal(packet.recovery.kind === 'redundancy' ? packet.recovery.secondaries.length : -1, 1)
    const huge = sender.packet(ifpFor(6, 200))
    assert.equal(huge.length, 2 + 2 + 200 + 2)
  })

  it('winds FEC up at the start, then XORs each group of span packets', () => {
    const sender = new UdptlSender({ errorCorrection: { kind: 'fec', span: 3, entries: 2 } })
    const ifps = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => ifpFor(n, 8 + n))
    const packets = ifps.map((ifp) => parseUdptl(sender.packet(ifp)))
    const shape = packets.map((p) =>
      p.recovery.kind === 'fec' ? [p.recovery.span, p.recovery.entries.length] : [],
    )
    assert.deepEqual(shape, [
      [0, 0],
      [0, 0],
      [0, 0],
      [3, 1],
      [3, 1],
      [3, 1],
      [3, 2],
      [3, 2],
    ])
    // packet 7, entry 0: packets 7 − 2, 7 − 4, 7 − 6; entry 1: packets 6, 4, 2
    const xor = (...ns: number[]): Uint8Array => {
      const out = new Uint8Array(Math.max(...ns.map((n) => ifps[n]?.length ?? 0)))
      for (const n of ns) {
        ifps[n]?.forEach((o, i) => (out[i] = (out[i] ?? 0) ^ o))
      }
      return out
    }
    const last = packets[7]?.recovery
    assert.deepEqual(last, { kind: 'fec', span: 3, entries: [xor(5, 3, 1), xor(6, 4, 2)] })
  })

  it('refuses error correction settings it cannot send', () => {
    expectUdptlError(
      () => new UdptlSender({ errorCorrection: { kind: 'redundancy', depth: -1 } }),
      'bad-argument',
    )
    expectUdptlError(
      () => new UdptlSender({ errorCorrection: { kind: 'fec', span: 0, entries: 3 } }),
      'bad-argument',
    )
  })
})

describe('UDPTL parsing of hostile datagrams', () => {
  it('refuses fragmented lengths, trailing octets, a negative span and short datagrams', () => {
    expectUdptlError(() => parseUdptl(hex('00 01 c1 00')), 'fragmented')
    expectUdptlError(() => parseUdptl(hex('00 01 01 00 00 c2')), 'fragmented')
    expectUdptlError(() => parseUdptl(hex('00 01 01 00 00 00 00')), 'trailing-octets')
    expectUdptlError(() => parseUdptl(hex('00 01 01 00 80 01 ff 00')), 'bad-value')
    expectUdptlError(() => parseUdptl(hex('00 01 01 00 80 00 00')), 'bad-value')
    const good = hex('00 05 03 c0 01 20 00 01 01 06')
    assert.equal(parseUdptl(good).seq, 5)
    for (let cut = 0; cut < good.length; cut++) {
      expectUdptlError(() => parseUdptl(good.subarray(0, cut)), 'truncated')
    }
  })

  it('reads a zero-length secondary (some peers send them)', () => {
    const packet = parseUdptl(hex('00 05 01 00 00 02 00 01 00'))
    assert.deepEqual(packet.recovery, {
      kind: 'redundancy',
      secondaries: [new Uint8Array(0), hex('00')],
    })
  })

  it('parses or refuses 10,000 random and damaged datagrams', () => {
    const rand = seededRandom(9)
    const seen = new Map<string, number>()
    const someIfps = (): Uint8Array[] =>
      Array.from({ length: rand.int(0, 4) }, () => ramp(rand.int(1, 30), rand.int(0, 255)))
    for (let trial = 0; trial < 10_000; trial++) {
      let octets: Uint8Array
      if (trial % 2 === 0) {
        octets = Uint8Array.from({ length: rand.int(0, 40) }, () => rand.int(0, 255))
      } else {
        // a valid datagram with 0 to 2 octets changed
        octets = buildUdptl({
          seq: rand.int(0, 65535),
          primary: ramp(rand.int(1, 30)),
          recovery: rand.chance(0.5)
            ? { kind: 'redundancy', secondaries: someIfps() }
            : { kind: 'fec', span: rand.int(0, 300), entries: someIfps() },
        })
        for (let changes = rand.int(0, 2); changes > 0; changes--) {
          octets[rand.int(0, octets.length - 1)] = rand.int(0, 255)
        }
      }
      let what: string
      try {
        const packet = parseUdptl(octets)
        assert.ok(packet.seq >= 0 && packet.seq <= 0xffff)
        what = 'ok'
      } catch (error) {
        if (error instanceof UdptlError) {
          what = error.code
        } else {
          throw error
        }
      }
      seen.set(what, (seen.get(what) ?? 0) + 1)
    }
    for (const code of ['ok', 'truncated', 'trailing-octets', 'fragmented']) {
      assert.ok((seen.get(code) ?? 0) > 0, `never saw ${code}: ${JSON.stringify([...seen])}`)
    }
  })
})
