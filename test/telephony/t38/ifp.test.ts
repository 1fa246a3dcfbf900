/**
 * IFP packets: the bytes measured from spandsp in the brief (§3.2, §3.3, §6.1), the version 0
 * against version 1+ field-type coding, round trips of every code point in every version,
 * the mapping to the engine's modems, and hostile input (random, mutated and truncated
 * packets must decode or throw an IfpError, nothing else).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  V17_14400,
  V17_7200,
  V27TER_2400,
  V29_9600,
  type FastModem,
} from '../../../src/telephony/t30/modems.js'
import {
  DATA_TYPES,
  FIELD_TYPES,
  INDICATORS,
  IfpError,
  decodeIfp,
  encodeIfp,
  ifpLength,
  type Ifp,
  type IfpErrorCode,
  type IfpField,
  type T38Version,
} from '../../../src/telephony/t38/ifp.js'
import {
  dataTypeOf,
  modemOfDataType,
  modemOfIndicator,
  trainingIndicatorOf,
} from '../../../src/telephony/t38/ifp-modems.js'
import { seededRandom } from '../../support/seeded-random.js'
import { hex, ramp, toHex } from './octets.js'

const VERSIONS: readonly T38Version[] = [0, 1, 2, 3]

function expectIfpError(fn: () => unknown, code: IfpErrorCode): void {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof IfpError, `not an IfpError: ${String(error)}`)
    assert.equal(error.code, code, error.message)
    return true
  })
}

function data(dataType: Extract<Ifp, { kind: 'data' }>['dataType'], ...fields: IfpField[]): Ifp {
  return { kind: 'data', dataType, fields }
}

describe('IFP bytes measured from spandsp', () => {
  it('codes the indicators no-signal, cng, ced, v21-preamble and v17-14400 long training', () => {
    const names = ['no-signal', 'cng', 'ced', 'v21-preamble', 'v17-14400-long-training'] as const
    for (const version of VERSIONS) {
      const octets = names.map((indicator) =>
        toHex(encodeIfp({ kind: 'indicator', indicator }, version)),
      )
      assert.deepEqual(octets, ['00', '02', '04', '06', '1e'])
      for (const [i, indicator] of names.entries()) {
        assert.deepEqual(decodeIfp(hex(octets[i] ?? ''), version), { kind: 'indicator', indicator })
      }
    }
  })

  it('codes hdlc-fcs-OK as c0 01 20 in version 0 and c0 01 10 in version 3', () => {
    const fcsOk = data('v21', { type: 'hdlc-fcs-OK' })
    assert.equal(toHex(encodeIfp(fcsOk, 0)), 'c0 01 20')
    assert.equal(toHex(encodeIfp(fcsOk, 3)), 'c0 01 10')
    assert.deepEqual(decodeIfp(hex('c0 01 20'), 0), fcsOk)
    assert.deepEqual(decodeIfp(hex('c0 01 10'), 3), fcsOk)
  })

  it('codes a 54-octet t4-non-ecm-sig-end at 14,400 as d0 01 b8 00 35 (v3) and d0 01 f0 00 35 (v0)', () => {
    const chunk = ramp(54, 7)
    const ifp = data('v17-14400', { type: 't4-non-ecm-sig-end', data: chunk })
    const v3 = encodeIfp(ifp, 3)
    const v0 = encodeIfp(ifp, 0)
    assert.equal(toHex(v3.subarray(0, 5)), 'd0 01 b8 00 35')
    assert.equal(toHex(v0.subarray(0, 5)), 'd0 01 f0 00 35')
    assert.deepEqual(v3.subarray(5), chunk)
    assert.equal(v3.length, 59)
    assert.deepEqual(decodeIfp(v3, 3), ifp)
    assert.deepEqual(decodeIfp(v0, 0), ifp)
  })

  it('decodes the version-0 V.21 packets of spandsp link test', () => {
    assert.deepEqual(
      decodeIfp(hex('c0 01 80 00 00 ff'), 0),
      data('v21', { type: 'hdlc-data', data: hex('ff') }),
    )
    assert.deepEqual(decodeIfp(hex('c0 01 40'), 0), data('v21', { type: 'hdlc-fcs-OK-sig-end' }))
  })

  it('codes extension indicators and data types in two octets (version 1 and later)', () => {
    // 0x2000 | ((v − 16) << 6) for indicators; (present << 15) | 0x6000 | ((v − 9) << 6) for data
    assert.equal(toHex(encodeIfp({ kind: 'indicator', indicator: 'v8-ansam' }, 1)), '20 00')
    assert.equal(
      toHex(encodeIfp({ kind: 'indicator', indicator: 'v33-14400-training' }, 2)),
      '21 80',
    )
    assert.equal(toHex(encodeIfp(data('v33-14400'), 3)), '61 40')
    assert.equal(
      toHex(encodeIfp(data('v8', { type: 'cm-message', data: hex('ab') }), 3)),
      'e0 00 01 c0 00 00 00 ab',
    )
  })
})

describe('field types: version 0 against versions 1 to 3', () => {
  it('packs a version-0 field without data into 4 bits, so the next starts mid-octet', () => {
    const twoEnds = data('v21', { type: 'hdlc-fcs-OK' }, { type: 'hdlc-fcs-OK-sig-end' })
    assert.equal(toHex(encodeIfp(twoEnds, 0)), 'c0 02 24')
    const endThenData = data('v21', { type: 'hdlc-fcs-OK' }, { type: 'hdlc-data', data: hex('ab') })
    assert.equal(toHex(encodeIfp(endThenData, 0)), 'c0 02 28 00 00 ab')
    assert.deepEqual(decodeIfp(hex('c0 02 24'), 0), twoEnds)
    assert.deepEqual(decodeIfp(hex('c0 02 28 00 00 ab'), 0), endThenData)
  })

  it('packs a version-1+ field without data into 5 bits (X.691, as Wireshark decodes it)', () => {
    const endThenData = data('v21', { type: 'hdlc-fcs-OK' }, { type: 'hdlc-data', data: hex('ab') })
    assert.equal(toHex(encodeIfp(endThenData, 3)), 'c0 02 14 00 00 00 ab')
    assert.deepEqual(decodeIfp(hex('c0 02 14 00 00 00 ab'), 1), endThenData)
  })

  it('codes field types 8–11 with the extension bit in versions 1 to 3 only', () => {
    const jm = data('v8', { type: 'jm-message', data: hex('ab') })
    assert.equal(toHex(encodeIfp(jm, 3)), 'e0 00 01 c0 80 00 00 ab')
    expectIfpError(
      () => encodeIfp(data('v21', { type: 'v34rate', data: hex('01') }), 0),
      'not-in-version',
    )
    // an extension field type in a v0 packet is a root type there: 0xc0 = data present, type 4
    assert.deepEqual(
      decodeIfp(hex('c0 01 c0 00 00 ab'), 0),
      data('v21', { type: 'hdlc-fcs-OK-sig-end', data: hex('ab') }),
    )
  })

  it('refuses extension code points in version 0', () => {
    expectIfpError(
      () => encodeIfp({ kind: 'indicator', indicator: 'v8-signal' }, 0),
      'not-in-version',
    )
    expectIfpError(() => encodeIfp(data('v34-pri-ch'), 0), 'not-in-version')
    expectIfpError(() => decodeIfp(hex('20 00'), 0), 'not-in-version')
    assert.deepEqual(decodeIfp(hex('20 00'), 1), { kind: 'indicator', indicator: 'v8-ansam' })
  })
})

describe('IFP round trips', () => {
  for (const version of VERSIONS) {
    it(`encodes and decodes every indicator in version ${version}`, () => {
      for (const [code, indicator] of INDICATORS.entries()) {
        const ifp: Ifp = { kind: 'indicator', indicator }
        if (version === 0 && code >= 16) {
          expectIfpError(() => encodeIfp(ifp, version), 'not-in-version')
          continue
        }
        const octets = encodeIfp(ifp, version)
        assert.equal(octets.length, code >= 16 ? 2 : 1)
        assert.deepEqual(decodeIfp(octets, version), ifp)
      }
    })

    it(`encodes and decodes every data type with every field type in version ${version}`, () => {
      let checked = 0
      for (const [dataCode, dataType] of DATA_TYPES.entries()) {
        for (const [fieldCode, type] of FIELD_TYPES.entries()) {
          for (const payload of [undefined, hex('5a'), ramp(300)]) {
            const field: IfpField = payload === undefined ? { type } : { type, data: payload }
            const ifp = data(dataType, field)
            if (version === 0 && (dataCode >= 9 || fieldCode >= 8)) {
              expectIfpError(() => encodeIfp(ifp, version), 'not-in-version')
              continue
            }
            const octets = encodeIfp(ifp, version)
            assert.deepEqual(decodeIfp(octets, version), ifp)
            assert.equal(ifpLength(octets, version), octets.length)
            checked++
          }
        }
        if (version > 0 || dataCode < 9) {
          assert.deepEqual(decodeIfp(encodeIfp(data(dataType), version), version), data(dataType))
        }
      }
      assert.equal(checked, version === 0 ? 9 * 8 * 3 : 15 * 12 * 3)
    })

    it(`round-trips random multi-field packets in version ${version}`, () => {
      const rand = seededRandom(100 + version)
      const fieldTypes = version === 0 ? FIELD_TYPES.slice(0, 8) : FIELD_TYPES
      const dataTypes = version === 0 ? DATA_TYPES.slice(0, 9) : DATA_TYPES
      for (let trial = 0; trial < 500; trial++) {
        const fields = Array.from({ length: rand.int(1, 6) }, (): IfpField => {
          const type = rand.pick(fieldTypes)
          return rand.chance(0.5) ? { type } : { type, data: ramp(rand.int(1, 200), trial) }
        })
        const ifp = data(rand.pick(dataTypes), ...fields)
        const octets = encodeIfp(ifp, version)
        assert.deepEqual(decodeIfp(octets, version), ifp)
      }
    })
  }

  it('keeps field data of 65535 octets and refuses 65536', () => {
    const big = ramp(65535)
    const octets = encodeIfp(data('v17-14400', { type: 't4-non-ecm-data', data: big }), 3)
    assert.equal(octets.length, 65535 + 5)
    assert.deepEqual(
      decodeIfp(octets, 3),
      data('v17-14400', { type: 't4-non-ecm-data', data: big }),
    )
    expectIfpError(
      () => encodeIfp(data('v17-14400', { type: 't4-non-ecm-data', data: ramp(65536) }), 3),
      'bad-argument',
    )
  })

  it('codes 200 fields with a two-octet count', () => {
    const fields = Array.from({ length: 200 }, (): IfpField => ({
      type: 't4-non-ecm-data',
      data: hex('00'),
    }))
    const octets = encodeIfp(data('v29-9600', ...fields), 0)
    assert.equal(toHex(octets.subarray(0, 3)), 'c8 80 c8')
    assert.equal(decodeIfp(octets, 0).kind, 'data')
  })
})

describe('IFP code points and the engine modems', () => {
  const modems: [FastModem, string, string, string][] = [
    [V17_14400, 'v17-14400', 'v17-14400-long-training', 'v17-14400-short-training'],
    [V17_7200, 'v17-7200', 'v17-7200-long-training', 'v17-7200-short-training'],
    [V29_9600, 'v29-9600', 'v29-9600-training', 'v29-9600-training'],
    [V27TER_2400, 'v27-2400', 'v27-2400-training', 'v27-2400-training'],
  ]

  it('maps each fast modem to its data type and training indicators, and back', () => {
    for (const [modem, dataType, long, short] of modems) {
      assert.equal(dataTypeOf(modem), dataType)
      assert.equal(trainingIndicatorOf(modem, false), long)
      assert.equal(trainingIndicatorOf(modem, true), short)
      assert.deepEqual(modemOfDataType(dataTypeOf(modem)), modem)
      assert.deepEqual(modemOfIndicator(trainingIndicatorOf(modem, true)), modem)
      assert.deepEqual(modemOfIndicator(trainingIndicatorOf(modem, false)), modem)
    }
  })

  it('maps V.21 both ways and has no modem for V.8, V.33, V.34 or the tones', () => {
    assert.equal(dataTypeOf('v21'), 'v21')
    assert.equal(modemOfDataType('v21'), 'v21')
    assert.equal(modemOfIndicator('v21-preamble'), 'v21')
    for (const dataType of ['v8', 'v33-14400', 'v34-pri-rate'] as const) {
      assert.equal(modemOfDataType(dataType), undefined)
    }
    for (const indicator of [
      'no-signal',
      'cng',
      'ced',
      'v33-12000-training',
      'v8-ansam',
    ] as const) {
      assert.equal(modemOfIndicator(indicator), undefined)
    }
  })

  it('names every data type of a modem the engine can choose', () => {
    const all = DATA_TYPES.filter((t) => modemOfDataType(t) !== undefined)
    assert.deepEqual(all, DATA_TYPES.slice(0, 9))
    expectIfpError(() => dataTypeOf({ kind: 'v29', bitRate: 14400 }), 'bad-argument')
  })
})

describe('IFP decoding of hostile input', () => {
  /** Decodes; returns the IfpError code, or 'ok' after checking the result re-encodes. */
  function outcome(octets: Uint8Array, version: T38Version): IfpErrorCode | 'ok' {
    try {
      const ifp = decodeIfp(octets, version)
      assert.deepEqual(decodeIfp(encodeIfp(ifp, version), version), ifp)
      return 'ok'
    } catch (error) {
      assert.ok(error instanceof IfpError, `not an IfpError: ${String(error)}`)
      assert.ok(error.message.length > 5)
      return error.code
    }
  }

  it('decodes or refuses 10,000 random packets in each version', () => {
    const rand = seededRandom(38)
    for (const version of VERSIONS) {
      const seen = new Map<string, number>()
      for (let trial = 0; trial < 10_000; trial++) {
        const length = rand.chance(0.5) ? rand.int(0, 8) : rand.int(0, 300)
        const octets = Uint8Array.from({ length }, () => rand.int(0, 255))
        // half of them start like a data packet with a data field, to reach the field parser
        if (trial % 2 === 0 && length > 0) {
          octets[0] = 0xc0 | ((octets[0] ?? 0) & 0x1f)
        }
        const what = outcome(octets, version)
        seen.set(what, (seen.get(what) ?? 0) + 1)
      }
      for (const code of ['ok', 'truncated', 'trailing-octets', 'unknown-code'] as const) {
        assert.ok(
          (seen.get(code) ?? 0) > 0,
          `version ${version} never saw ${code}: ${JSON.stringify([...seen])}`,
        )
      }
    }
  })

  it('refuses every truncation of valid packets', () => {
    const packets = [
      data('v17-14400', { type: 't4-non-ecm-sig-end', data: ramp(54) }),
      data('v21', { type: 'hdlc-data', data: hex('ff c8 01') }, { type: 'hdlc-fcs-OK' }),
      data('v21', { type: 'hdlc-fcs-OK' }, { type: 'hdlc-data', data: hex('ff') }),
      data('v8', { type: 'cm-message', data: hex('01 02') }),
      { kind: 'indicator', indicator: 'v34-CC-retrain' } as const,
    ]
    for (const version of [0, 3] as const) {
      for (const ifp of packets) {
        let octets: Uint8Array
        try {
          octets = encodeIfp(ifp, version)
        } catch {
          continue // an extension in version 0
        }
        for (let cut = 0; cut < octets.length; cut++) {
          expectIfpError(() => decodeIfp(octets.subarray(0, cut), version), 'truncated')
        }
        expectIfpError(() => decodeIfp(Uint8Array.of(...octets, 0), version), 'trailing-octets')
        assert.equal(ifpLength(Uint8Array.of(...octets, 0, 0, 0), version), octets.length)
      }
    }
  })

  it('refuses an indicator with a data field, an unknown data type and a fragmented count', () => {
    expectIfpError(() => decodeIfp(hex('86 00'), 0), 'bad-structure')
    expectIfpError(() => decodeIfp(hex('52'), 0), 'unknown-code') // data type 9 in the root
    expectIfpError(() => decodeIfp(hex('c0 c1 00'), 3), 'fragmented')
    expectIfpError(() => decodeIfp(hex('30 00'), 3), 'unknown-code') // a "large" extension number
    expectIfpError(() => decodeIfp(hex('21 c0'), 3), 'unknown-code') // extension indicator 23
  })

  it('accepts a data packet without a data field, as spandsp does', () => {
    assert.deepEqual(decodeIfp(hex('4a'), 0), data('v17-7200'))
  })

  it('survives bit flips of valid packets', () => {
    const rand = seededRandom(7)
    const base = [
      encodeIfp(
        data('v21', { type: 'hdlc-data', data: hex('ff c8 01 20 77') }, { type: 'hdlc-fcs-OK' }),
        3,
      ),
      encodeIfp(data('v17-14400', { type: 't4-non-ecm-data', data: ramp(54) }), 0),
    ]
    for (let trial = 0; trial < 5000; trial++) {
      const octets = Uint8Array.from(rand.pick(base))
      for (let flips = rand.int(1, 3); flips > 0; flips--) {
        const bit = rand.int(0, octets.length * 8 - 1)
        octets[bit >>> 3] = (octets[bit >>> 3] ?? 0) ^ (0x80 >>> (bit & 7))
      }
      outcome(octets, rand.pick(VERSIONS))
    }
  })
})
