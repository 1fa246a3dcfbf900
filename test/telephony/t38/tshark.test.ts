/**
 * A real peer's reading of our packets: a T38Terminal's output (CED, CSI + DIS over V.21, a
 * V.17 training indicator, non-ECM data, an ECM frame), framed by our UdptlSender, written
 * to a pcap file and decoded by tshark (Wireshark's T.38 and T.30 dissectors). Every datagram
 * must decode to exactly the sequence number, indicators, data types, field types and field
 * data we meant, in version 0 (the pre-corrigendum ASN.1) and version 3, with redundancy and
 * with FEC; and hand-made packets check the field packing and extension code points.
 *
 * tshark must be installed (Debian: tshark); the tests fail, not skip, without it.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Transmission } from '../../../src/telephony/t30/line-signals.js'
import { V17_14400 } from '../../../src/telephony/t30/modems.js'
import {
  DATA_TYPES,
  FIELD_TYPES,
  INDICATORS,
  decodeIfp,
  encodeIfp,
  type Ifp,
  type T38Version,
} from '../../../src/telephony/t38/ifp.js'
import { T38Terminal } from '../../../src/telephony/t38/t38-terminal.js'
import { UdptlSender, parseUdptl, type ErrorCorrection } from '../../../src/telephony/t38/udptl.js'
import { LOOPBACK_PAIR, udpPcap, type PcapDatagram } from '../../support/pcap-writer.js'
import { hex, ramp, toHex } from './octets.js'
import { RecordingLine } from './recording-line.js'

const TSHARK = 'tshark'
const PORT = LOOPBACK_PAIR.destinationPort

const CSI = hex(`ff c0 02 8c 04 0c ${'04 '.repeat(17)}`)
const DIS = hex('ff c8 01 20 77 1f 01 01 89 01 01 01 18')
const FCD = Uint8Array.of(0xff, 0xc0, 0x60, 0x00, ...ramp(64))
const RCP = hex('ff c0 61')

const SCRIPT: Transmission[] = [
  { kind: 'tone', tone: 'ced' },
  { kind: 'frames', modem: 'v21', shortTraining: false, frames: [CSI, DIS] },
  { kind: 'image', modem: V17_14400, shortTraining: false, data: ramp(300, 0x40) },
  { kind: 'frames', modem: V17_14400, shortTraining: true, frames: [FCD, RCP] },
]

/** What the terminal sends for SCRIPT, framed by UDPTL: each copy a datagram, 10 ms steps. */
function capture(version: T38Version, errorCorrection: ErrorCorrection): PcapDatagram[] {
  const line = new RecordingLine()
  const terminal = new T38Terminal({ version, line })
  const sender = new UdptlSender({ errorCorrection, maxDatagram: 400 })
  const queue = [...SCRIPT]
  line.onTransmitted = (): void => {
    const next = queue.shift()
    if (next !== undefined) {
      terminal.transmit(next)
    }
  }
  const datagrams: PcapDatagram[] = []
  terminal.transmit(queue.shift() ?? SCRIPT[0]!)
  while (terminal.busy) {
    terminal.advance(10)
    for (const { ifp, copies } of terminal.takeIfps()) {
      const payload = sender.packet(ifp)
      for (let copy = 0; copy < copies; copy++) {
        datagrams.push({ payload, timeMs: terminal.timeMs })
      }
    }
  }
  return datagrams
}

/** What tshark should show for a datagram: the primary then the secondary IFPs, flattened. */
function expectedRow(datagram: Uint8Array, version: T38Version): Record<string, string> {
  const packet = parseUdptl(datagram)
  const ifps: Ifp[] = [
    packet.primary,
    ...(packet.recovery.kind === 'redundancy' ? packet.recovery.secondaries : []),
  ].map((octets) => decodeIfp(octets, version))
  const fields = ifps.flatMap((ifp) => (ifp.kind === 'data' ? ifp.fields : []))
  return {
    't38.seq_number': String(packet.seq),
    't38.t30_indicator': ifps
      .flatMap((i) => (i.kind === 'indicator' ? [INDICATORS.indexOf(i.indicator)] : []))
      .join(','),
    't38.t30_data': ifps
      .flatMap((i) => (i.kind === 'data' ? [DATA_TYPES.indexOf(i.dataType)] : []))
      .join(','),
    't38.field_type': fields.map((f) => FIELD_TYPES.indexOf(f.type)).join(','),
    't38.field_data': fields
      .flatMap((f) => (f.data === undefined ? [] : [toHex(f.data).replace(/ /g, '')]))
      .join(','),
    't38.secondary_ifp_packets':
      packet.recovery.kind === 'redundancy' ? String(packet.recovery.secondaries.length) : '',
    't38.fec_npackets': packet.recovery.kind === 'fec' ? String(packet.recovery.span) : '',
  }
}

const CHECKED_FIELDS = Object.keys(expectedRow(Uint8Array.of(0, 0, 1, 0, 0, 0), 0))
const DIAGNOSTIC_FIELDS = [
  'frame.protocols',
  '_ws.malformed',
  '_ws.expert.severity',
  '_ws.expert.message',
  't30.FacsimileControl',
  '_ws.col.Info',
]

/** Runs tshark; each test that needs it fails (not skips) with a clear message without it. */
function runTshark(args: string[]): string {
  try {
    return execFileSync(TSHARK, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ENOENT') {
      assert.fail('tshark is not installed (Debian: apt-get install tshark); this test needs it')
    }
    throw error
  }
}

/** tshark's rows for a pcap, as field → value (occurrences joined with ','). */
function tshark(
  datagrams: readonly PcapDatagram[],
  version: T38Version,
  dir: string,
): Record<string, string>[] {
  const file = join(dir, `t38-v${version}-${Math.random().toString(36).slice(2)}.pcap`)
  writeFileSync(file, udpPcap(datagrams))
  const fields = [...CHECKED_FIELDS, ...DIAGNOSTIC_FIELDS]
  const args = ['-r', file, '-d', `udp.port==${PORT},t38`]
  if (version > 0) {
    args.push('-o', 't38.use_pre_corrigendum_asn1_specification:FALSE')
  }
  args.push('-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,')
  args.push(...fields.flatMap((f) => ['-e', f]))
  const output = runTshark(args)
  const rows = output.split('\n').filter((l) => l.length > 0)
  return rows.map((line) => {
    const values = line.split('\t')
    return Object.fromEntries(fields.map((f, i) => [f, values[i] ?? '']))
  })
}

/**
 * Wireshark's HDLC and T.4 reassembly closes a frame at its first end packet, so it flags the
 * second and third copies of an end packet ("Unreassembled fragment", "RECEIVED END OF
 * FRAGMENT W/OUT ANY FRAGMENT DATA"): the brief's "dissector artefact". Only those, only on
 * repeats.
 */
const REPEAT_ARTEFACTS =
  /^(Unreassembled fragment \(change preferences to enable reassembly\)|\[RECEIVED END OF FRAGMENT W\/OUT ANY FRAGMENT DATA\])$/

function assertDecodedAsMeant(
  datagrams: readonly PcapDatagram[],
  version: T38Version,
  dir: string,
): Record<string, string>[] {
  const rows = tshark(datagrams, version, dir)
  assert.equal(rows.length, datagrams.length)
  let previous: Uint8Array | undefined
  rows.forEach((row, i) => {
    const datagram = datagrams[i]!.payload
    const repeat = previous === datagram
    previous = datagram
    const expected = expectedRow(datagram, version)
    const complaint = `frame ${i + 1}${repeat ? ' (a repeat)' : ''}: ${row['_ws.expert.message']} ${row['_ws.col.Info']}`
    assert.match(row['frame.protocols'] ?? '', /^eth:ethertype:ip:udp:t38(:t30)?$/)
    if (repeat && REPEAT_ARTEFACTS.test(row['_ws.expert.message'] ?? '')) {
      // the artefact stops the dissector inside the primary IFP; the rest went unread
      assert.equal(row['t38.seq_number'], expected['t38.seq_number'], complaint)
      return
    }
    const got = Object.fromEntries(CHECKED_FIELDS.map((f) => [f, row[f]]))
    assert.deepEqual(got, expected, `frame ${i + 1}: ${toHex(datagram)}`)
    assert.equal(row['_ws.malformed'], '', complaint)
    assert.equal(row['_ws.expert.message'], '', complaint)
  })
  return rows
}

describe('tshark reads what we send', () => {
  let dir = ''
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'faxd-t38-'))
  })
  after(() => {
    if (dir !== '') {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  for (const [version, ec] of [
    [0, { kind: 'redundancy', depth: 2 }],
    [3, { kind: 'redundancy', depth: 3 }],
    [3, { kind: 'fec', span: 3, entries: 3 }],
  ] as const) {
    it(`decodes a terminal's IFPs in version ${version} with ${ec.kind} exactly as meant`, () => {
      const datagrams = capture(version, ec)
      const rows = assertDecodedAsMeant(datagrams, version, dir)
      // the T.30 dissector got the reassembled CSI and DIS (FCF 02 and 01 on the wire)
      const frames = rows.map((r) => r['t30.FacsimileControl']).filter((f) => f !== '')
      assert.deepEqual(frames.slice(0, 2), ['2', '1'])
      assert.ok(
        rows.some((r) => r['_ws.col.Info']?.includes('DIS - Digital Identification Signal')),
      )
      assert.ok(
        rows.some((r) => r['_ws.col.Info']?.includes('t4-data Reassembled: No packet lost')),
      )
    })
  }

  it('agrees on field packing and extension code points, version by version', () => {
    const data = (
      dataType: Extract<Ifp, { kind: 'data' }>['dataType'],
      ...fields: Extract<Ifp, { kind: 'data' }>['fields']
    ): Ifp => ({
      kind: 'data',
      dataType,
      fields,
    })
    const common: Ifp[] = [
      data(
        'v21',
        { type: 'hdlc-data', data: hex('ff c8') },
        { type: 'hdlc-data', data: hex('31') },
        { type: 'hdlc-fcs-OK' },
      ),
      data('v21', { type: 'hdlc-fcs-OK' }, { type: 'hdlc-fcs-OK-sig-end' }),
      data(
        'v29-9600',
        { type: 't4-non-ecm-data', data: ramp(3) },
        { type: 't4-non-ecm-sig-end', data: ramp(2) },
      ),
      data('v27-2400'),
    ]
    const extensions: Ifp[] = [
      { kind: 'indicator', indicator: 'v8-ansam' },
      { kind: 'indicator', indicator: 'v33-14400-training' },
      data(
        'v8',
        { type: 'cm-message', data: hex('11 22') },
        { type: 'jm-message', data: hex('33') },
      ),
      data(
        'v34-CC-1200',
        { type: 'v34rate', data: hex('44') },
        { type: 'ci-message', data: hex('55') },
      ),
      data('v33-12000', { type: 't4-non-ecm-data', data: ramp(4) }),
    ]
    for (const version of [0, 1, 3] as const) {
      const sender = new UdptlSender({ errorCorrection: { kind: 'none' } })
      const ifps = version === 0 ? common : [...common, ...extensions]
      const datagrams = ifps.map((ifp, i) => ({
        payload: sender.packet(encodeIfp(ifp, version)),
        timeMs: i * 30,
      }))
      const rows = tshark(datagrams, version, dir)
      assert.equal(rows.length, datagrams.length)
      rows.forEach((row, i) => {
        const datagram = datagrams[i]!.payload
        const got = Object.fromEntries(CHECKED_FIELDS.map((f) => [f, row[f]]))
        assert.deepEqual(
          got,
          expectedRow(datagram, version),
          `version ${version}, packet ${toHex(datagram)}`,
        )
        const complaint = `version ${version}, packet ${toHex(datagram)}: ${row['_ws.expert.message']}`
        assert.equal(row['_ws.malformed'], '', complaint)
        // a lone FCS field with no HDLC data before it gets a reassembly note, nothing worse
        assert.ok(['', '4194304'].includes(row['_ws.expert.severity'] ?? ''), complaint)
      })
    }
  })
})
