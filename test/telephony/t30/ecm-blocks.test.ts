/**
 * ECM framing (ecm-blocks.ts, bit-order.ts): pages cut into numbered, zero-padded frames and
 * 256-frame blocks at the sizes where the cuts fall; FCD and RCP frames in T.38 wire form, with
 * bit-reversed frame numbers; the PPR map both ways, and against spandsp's LSB-first form; the
 * receiver taking frames out of order, repeated, resent, of odd lengths, and the page taking its
 * blocks, through a whole exchange with lost frames.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { reverseBits } from '../../../src/telephony/t30/bit-order.js'
import {
  type EcmFrameSize,
  EcmBlockReceiver,
  EcmPageReceiver,
  ecmFrameMap,
  ecmPartialPages,
  fcdFrame,
  isRcpFrame,
  parseFcdFrame,
  pprFramesToResend,
  rcpFrame,
} from '../../../src/telephony/t30/ecm-blocks.js'
import { seededRandom } from '../../codec/pages.js'
import { concatOctets } from '../../../src/shared/octets.js'

function randomOctets(seed: number, length: number): Uint8Array {
  const rand = seededRandom(seed)
  return Uint8Array.from({ length }, () => Math.floor(rand() * 256))
}

test('reverseBits turns T.30 octets into their wire form and back', () => {
  assert.equal(reverseBits(0x03), 0xc0, 'control field, not final')
  assert.equal(reverseBits(0x13), 0xc8, 'control field, final')
  assert.equal(reverseBits(0x06), 0x60, 'FCD')
  assert.equal(reverseBits(0x86), 0x61, 'RCP')
  assert.equal(reverseBits(1), 0x80, 'PPS page 1 shows as 80')
  assert.equal(reverseBits(32), 0x04, 'PPS frame count 33 − 1 shows as 04')
  assert.equal(reverseBits(0x130), 0x0c, 'only the low 8 bits count')
  for (let n = 0; n < 256; n++) {
    assert.equal(reverseBits(reverseBits(n)), n)
    for (let bit = 0; bit < 8; bit++) {
      assert.equal((reverseBits(n) >> (7 - bit)) & 1, (n >> bit) & 1)
    }
  }
})

test('a page is cut into zero-padded frames, at most 256 to a block', () => {
  const cases: readonly [number, EcmFrameSize, number[]][] = [
    // octets, frame size, frames per block
    [0, 256, [1]],
    [1, 256, [1]],
    [255, 256, [1]],
    [256, 256, [1]],
    [257, 256, [2]],
    [65_536, 256, [256]],
    [65_537, 256, [256, 1]],
    [200_000, 256, [256, 256, 256, 14]],
    [65, 64, [2]],
    [16_384, 64, [256]],
    [16_385, 64, [256, 1]],
  ]
  for (const [length, frameSize, framesPerBlock] of cases) {
    const what = `${length} octets in ${frameSize}-octet frames`
    const data = randomOctets(length, length)
    const blocks = ecmPartialPages(data, frameSize)
    assert.deepEqual(
      blocks.map((block) => block.frames.length),
      framesPerBlock,
      what,
    )
    const frames = blocks.flatMap((block) => [...block.frames])
    assert.ok(
      frames.every((frame) => frame.length === frameSize),
      `${what}: every frame full size`,
    )
    const all = concatOctets(frames)
    assert.deepEqual(all.subarray(0, length), data, `${what}: the data in order`)
    assert.ok(
      all.subarray(length).every((octet) => octet === 0),
      `${what}: padded with zeros`,
    )
    assert.equal(all.length - length, frames.length * frameSize - length)
    assert.ok(all.length - length < frameSize || length === 0, `${what}: no extra frame`)
  }
  assert.throws(() => ecmPartialPages(new Uint8Array(10), 128 as EcmFrameSize), RangeError)
})

test('frames are copies: changing the page afterwards does not change them', () => {
  const data = randomOctets(1, 300)
  const before = data.slice()
  const [block] = ecmPartialPages(data, 256)
  data.fill(0)
  assert.deepEqual(concatOctets(block?.frames ?? []).subarray(0, 300), before)
})

test('FCD frames carry their number bit-reversed, RCP is ff c0 61', () => {
  const data = randomOctets(2, 256)
  const frame = fcdFrame(1, data)
  assert.equal(frame.length, 260, '260 octets for 256 of data')
  assert.deepEqual([...frame.subarray(0, 4)], [0xff, 0xc0, 0x60, 0x80])
  assert.deepEqual(frame.subarray(4), data)
  assert.equal(fcdFrame(32, data)[3], 0x04)
  assert.equal(fcdFrame(255, data)[3], 0xff)
  assert.equal(fcdFrame(0, data)[3], 0x00)
  for (let n = 0; n < 256; n++) {
    const parsed = parseFcdFrame(fcdFrame(n, data.subarray(0, 64)))
    assert.equal(parsed?.frameNumber, n)
    assert.deepEqual(parsed.data, data.subarray(0, 64))
  }
  assert.throws(() => fcdFrame(256, data), RangeError)
  assert.throws(() => fcdFrame(-1, data), RangeError)

  assert.deepEqual([...rcpFrame()], [0xff, 0xc0, 0x61])
  assert.ok(isRcpFrame(rcpFrame()))
  assert.ok(isRcpFrame(Uint8Array.of(0xff, 0xc8, 0x61)), 'with the final-frame control field')
  assert.ok(!isRcpFrame(fcdFrame(0, data)))
  assert.equal(parseFcdFrame(rcpFrame()), null)
  assert.equal(parseFcdFrame(Uint8Array.of(0xff, 0xc8, 0x31)), null, 'MCF is not FCD')
  assert.equal(parseFcdFrame(Uint8Array.of(0xff, 0xc0, 0x60)), null, 'no frame number')
})

test('the PPR map has frame n at bit n, first-sent bit first, as spandsp sends it', () => {
  assert.deepEqual([...ecmFrameMap([0]).subarray(0, 2)], [0x80, 0x00])
  assert.deepEqual([...ecmFrameMap([7]).subarray(0, 2)], [0x01, 0x00])
  assert.deepEqual([...ecmFrameMap([8]).subarray(0, 2)], [0x00, 0x80])
  assert.equal(ecmFrameMap([255])[31], 0x01)
  assert.equal(ecmFrameMap([]).length, 32)

  const rand = seededRandom(3)
  for (let trial = 0; trial < 50; trial++) {
    const frames = [...new Set(Array.from({ length: 40 }, () => Math.floor(rand() * 256)))].sort(
      (a, b) => a - b,
    )
    // spandsp builds the map LSB first (1 << (n % 8) in octet n / 8, t30.c) and reverses every
    // octet at the T.38 edge: the same octets as ours.
    const spandsp = new Uint8Array(32)
    for (const n of frames) {
      spandsp[n >> 3] = (spandsp[n >> 3] ?? 0) | (1 << (n % 8))
    }
    const map = ecmFrameMap(frames)
    assert.deepEqual(map, spandsp.map(reverseBits))
    // frames → map → frames, and map → frames → map
    assert.deepEqual(pprFramesToResend(map, 256), frames)
    assert.deepEqual(ecmFrameMap(pprFramesToResend(map, 256)), map)
  }
})

test('a PPR asks only for frames the block has; a map of the wrong size is refused', () => {
  const map = ecmFrameMap([0, 5, 32, 33, 200, 255])
  assert.deepEqual(pprFramesToResend(map, 33), [0, 5, 32])
  assert.deepEqual(pprFramesToResend(map, 1), [0])
  assert.deepEqual(pprFramesToResend(new Uint8Array(32).fill(0xff), 3), [0, 1, 2])
  assert.throws(() => pprFramesToResend(new Uint8Array(31), 10), RangeError)
  assert.throws(() => ecmFrameMap([256]), RangeError)
})

test('the receiver takes frames out of order and repeated, and says which are missing', () => {
  const data = randomOctets(4, 40 * 256 - 100)
  const [block] = ecmPartialPages(data, 256)
  const frames = block?.frames ?? []
  assert.equal(frames.length, 40)
  const receiver = new EcmBlockReceiver()
  receiver.start(256)
  const lost = new Set([0, 3, 17, 38, 39])
  const order = [...frames.keys()].reverse().filter((n) => !lost.has(n))
  for (const n of [...order, 5, 5, 20, 6]) {
    assert.ok(receiver.addFrame(n, frames[n] ?? new Uint8Array(0)))
  }
  assert.ok(!receiver.complete(), 'no PPS yet')
  assert.deepEqual(receiver.missingFrames(), [0, 3, 17], 'before the PPS: up to the highest')
  receiver.setFrameCount(40)
  assert.equal(receiver.frameCount, 40)
  assert.deepEqual(receiver.missingFrames(), [0, 3, 17, 38, 39])
  assert.deepEqual(pprFramesToResend(receiver.missingMap(), 40), [0, 3, 17, 38, 39])
  assert.throws(() => receiver.data(), /0, 3, 17, 38, 39/)

  assert.ok(!receiver.addFrame(40, frames[0] ?? new Uint8Array(0)), 'past the frame count')
  assert.ok(!receiver.addFrame(3, new Uint8Array(257)), 'over 256 octets')
  for (const n of pprFramesToResend(receiver.missingMap(), 40)) {
    receiver.addFrame(n, frames[n] ?? new Uint8Array(0))
  }
  assert.ok(receiver.complete())
  assert.deepEqual(receiver.missingMap(), new Uint8Array(32))
  const received = receiver.data()
  assert.deepEqual(received.subarray(0, data.length), data)
  assert.equal(received.length, 40 * 256)

  receiver.start()
  assert.equal(receiver.frameCount, undefined)
  assert.deepEqual(receiver.missingFrames(), [])
  assert.ok(!receiver.complete())
})

test('frames received past the count the PPS gives are dropped', () => {
  const receiver = new EcmBlockReceiver()
  receiver.start()
  for (let n = 0; n < 10; n++) {
    receiver.addFrame(n, new Uint8Array(256).fill(n))
  }
  receiver.setFrameCount(4)
  assert.ok(receiver.complete())
  assert.equal(receiver.data().length, 4 * 256)
  assert.throws(() => receiver.setFrameCount(0), RangeError)
  assert.throws(() => receiver.setFrameCount(257), RangeError)
})

test('frame lengths: an unpadded last frame is taken, a short middle frame is asked again', () => {
  const receiver = new EcmBlockReceiver()
  receiver.start(256)
  receiver.addFrame(0, new Uint8Array(256).fill(1))
  receiver.addFrame(1, new Uint8Array(100).fill(2)) // stored (≤ 256), but not the last frame
  receiver.addFrame(2, new Uint8Array(10).fill(3)) // the last frame, not padded
  receiver.setFrameCount(3)
  assert.deepEqual(receiver.missingFrames(), [1])
  receiver.addFrame(1, new Uint8Array(256).fill(2))
  assert.ok(receiver.complete())
  assert.equal(receiver.data().length, 256 * 2 + 10)

  // 64-octet frames, whatever the DCS said: the first frame sets the size (spandsp).
  receiver.start(256)
  for (let n = 0; n < 5; n++) {
    receiver.addFrame(n, new Uint8Array(64).fill(n))
  }
  receiver.setFrameCount(5)
  assert.ok(receiver.complete())
  assert.equal(receiver.data().length, 5 * 64)
})

test('a page of several blocks comes through an exchange that loses frames', () => {
  for (const [length, frameSize] of [
    [65_537, 256],
    [150_000, 256],
    [20_000, 64],
    [1, 256],
  ] as const) {
    const data = randomOctets(length, length)
    const blocks = ecmPartialPages(data, frameSize)
    const rand = seededRandom(length)
    const page = new EcmPageReceiver()
    page.startPage(frameSize)
    let pprs = 0
    blocks.forEach((block, blockNumber) => {
      // sender: every frame, then RCP × 3, then PPS; receiver: PPR until complete, then MCF
      let toSend = [...block.frames.keys()]
      for (;;) {
        for (const n of toSend) {
          const wire = fcdFrame(n, block.frames[n] ?? new Uint8Array(0))
          if (rand() < 0.1) {
            continue // lost on the line (a bad FCS)
          }
          const fcd = parseFcdFrame(wire)
          assert.ok(fcd !== null)
          page.block.addFrame(fcd.frameNumber, fcd.data)
        }
        assert.equal(page.committedBlocks, blockNumber)
        page.block.setFrameCount(block.frames.length)
        if (page.block.complete()) {
          page.commitBlock()
          break
        }
        pprs++
        toSend = pprFramesToResend(page.block.missingMap(), block.frames.length)
        assert.ok(toSend.length > 0)
      }
    })
    assert.equal(page.committedBlocks, blocks.length)
    const received = page.pageData()
    assert.equal(received.length, Math.ceil(length / frameSize) * frameSize)
    assert.deepEqual(received.subarray(0, length), data, `${length} octets`)
    assert.ok(length < 1000 || pprs > 0, 'frames were lost and sent again')
  }
})

test('a new page starts empty, and an incomplete block cannot be committed', () => {
  const page = new EcmPageReceiver()
  page.startPage(64)
  page.block.addFrame(0, new Uint8Array(64).fill(9))
  page.block.setFrameCount(1)
  page.commitBlock()
  assert.equal(page.pageData().length, 64)
  assert.equal(page.block.frameSize, 64, 'the next block keeps the frame size')
  page.block.setFrameCount(2)
  assert.throws(() => page.commitBlock(), /not complete/)
  page.startPage()
  assert.equal(page.committedBlocks, 0)
  assert.equal(page.pageData().length, 0)
})
