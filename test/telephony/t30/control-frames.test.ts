import assert from 'node:assert/strict'
import { test } from 'node:test'

import {
  decodeCapabilities,
  decodeSelection,
  encodeCapabilities,
  encodeSelection,
} from '../../../src/telephony/t30/capability-bits.js'
import {
  buildFrame,
  buildPps,
  decodeIdentity,
  encodeIdentity,
  parseFrame,
  parsePps,
} from '../../../src/telephony/t30/control-frames.js'
import { FCF } from '../../../src/telephony/t30/fcf.js'
import { V17_14400, V29_9600 } from '../../../src/telephony/t30/modems.js'

const hex = (octets: Uint8Array): string => Buffer.from(octets).toString('hex')
const octets = (text: string): Uint8Array =>
  Uint8Array.from(Buffer.from(text.replace(/ /g, ''), 'hex'))

test('TSI "+1 555 0199" is sent last digit first, bit-reversed, spaces last (captured from spandsp)', () => {
  const frame = buildFrame(FCF.TSI, encodeIdentity('+1 555 0199'), false, false)
  assert.equal(hex(frame).slice(0, 26), 'ffc0429c9c8c0c04acacac048c')
  assert.equal(hex(frame).slice(26, 30), 'd404')
  assert.equal(decodeIdentity(frame.subarray(3)), '+1 555 0199')
})

test('the DIS captured from spandsp reads as its capabilities', () => {
  const dis = parseFrame(octets('ff c8 01 20 77 1f 01 01 89 01 01 01 18'))
  assert.ok(dis !== null)
  assert.equal(dis.fcf, FCF.DIS)
  assert.equal(dis.final, true)
  const caps = decodeCapabilities(dis.fif)
  assert.equal(caps.readyToReceive, true)
  assert.equal(caps.modems, 'v27ter+v29+v17')
  assert.deepEqual(caps.resolutions, ['standard', 'fine', 'superfine'])
  assert.deepEqual(caps.codings, ['mh', 'mr'])
  assert.equal(caps.ecm, false)
  assert.equal(caps.minScanLineMs, 0)
})

test('our DCS for ECM and MMR at V.17 14,400, fine, is the one spandsp sends', () => {
  const fif = encodeSelection({
    modem: V17_14400,
    resolution: 'fine',
    coding: 'mmr',
    ecm: true,
    ecmFrame64: false,
    minScanLineMs: 0,
  })
  assert.equal(hex(buildFrame(FCF.DCS, fif, true, true)), 'ffc8c100461f22')
})

test('the non-ECM DCS captured from spandsp (MR, fine, 14,400) decodes, and encodes back', () => {
  const selection = decodeSelection(octets('00 47 1e'))
  assert.deepEqual(selection, {
    modem: V17_14400,
    resolution: 'fine',
    coding: 'mr',
    ecm: false,
    ecmFrame64: false,
    minScanLineMs: 0,
  })
  assert.equal(hex(encodeSelection(selection)), '00471e')
})

test('capabilities survive a round trip, including superfine and a 20 ms scan time', () => {
  const caps = {
    readyToTransmit: false,
    readyToReceive: true,
    modems: 'v27ter+v29' as const,
    resolutions: ['standard', 'fine', 'superfine'] as const,
    codings: ['mh', 'mr', 'mmr'] as const,
    ecm: true,
    minScanLineMs: 20,
    halfMinScanAtFine: false,
    t38: true,
  }
  const back = decodeCapabilities(
    encodeCapabilities({ ...caps, resolutions: [...caps.resolutions], codings: [...caps.codings] }),
  )
  assert.equal(back.modems, 'v27ter+v29')
  assert.deepEqual(back.resolutions, ['standard', 'fine', 'superfine'])
  assert.deepEqual(back.codings, ['mh', 'mr', 'mmr'])
  assert.equal(back.minScanLineMs, 20)
  const selection = decodeSelection(
    encodeSelection({
      modem: V29_9600,
      resolution: 'superfine',
      coding: 'mr',
      ecm: false,
      ecmFrame64: false,
      minScanLineMs: 10,
    }),
  )
  assert.equal(selection?.resolution, 'superfine')
  assert.equal(selection?.minScanLineMs, 10)
  assert.deepEqual(selection?.modem, V29_9600)
})

test('PPS-MPS, page 0, block 0, 33 frames, as captured: ff c8 fd f2 00 00 04', () => {
  const pps = buildPps({ command: FCF.MPS, page: 0, block: 0, frameCount: 33 }, true)
  assert.equal(hex(pps), 'ffc8fdf2000004')
  assert.deepEqual(parsePps(parseFrame(pps)!), {
    command: FCF.MPS,
    page: 0,
    block: 0,
    frameCount: 33,
  })
})

test('frames that are not T.30 frames are refused', () => {
  for (const bad of ['', 'ff', 'ffc0', '00c001', 'ff0001']) {
    assert.equal(parseFrame(octets(bad)), null, bad)
  }
})
