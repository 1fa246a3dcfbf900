/**
 * The building blocks of the codec: the T.4 code tables (each colour's code words form a prefix
 * code that covers every run length, and the decoder tables read back every code word, one at
 * a time or two at once), the MSB-first bit writer and reader, and the changing-element lists
 * compared with a pixel-by-pixel scan.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BitReader } from '../../src/codec/bit-reader.js'
import { BitWriter } from '../../src/codec/bit-writer.js'
import { blankBitmap, isBlack } from '../../src/codec/bitmap.js'
import {
  changeListLength,
  findChangingElements,
  paintChangingElements,
} from '../../src/codec/changing-elements.js'
import { readRun, writeRun } from '../../src/codec/one-dimensional.js'
import {
  BLACK_RUNS,
  BLACK_WHITE_PAIRS,
  PAIR_LOOKUP_BITS,
  RUNS,
  WHITE_BLACK_PAIRS,
} from '../../src/codec/run-lookup.js'
import {
  BLACK,
  MODE_DECODE,
  RUN_DECODE,
  RUN_LOOKUP_BITS,
  WHITE,
  runCodeWords,
} from '../../src/codec/t4-codes.js'
import { paintRun, seededRandom } from './pages.js'

const EOL = '000000000001'

describe('T.4 code tables', () => {
  for (const colour of [WHITE, BLACK]) {
    const name = colour === WHITE ? 'white' : 'black'
    const words = runCodeWords(colour)

    it(`has the ${name} terminating codes 0…63 and make-up codes 64…2560 in steps of 64`, () => {
      const runs = words.map((w) => w.run).sort((a, b) => a - b)
      const expected = [
        ...Array.from({ length: 64 }, (_, i) => i),
        ...Array.from({ length: 40 }, (_, i) => 64 * (i + 1)),
      ]
      assert.deepEqual(runs, expected)
    })

    it(`makes the ${name} code words and EOL a prefix code`, () => {
      const texts = [...words.map((w) => w.text), EOL]
      for (const a of texts) {
        assert.match(a, /^[01]{2,13}$/)
        for (const b of texts) {
          if (a !== b) {
            assert.ok(!b.startsWith(a), `${name} code ${a} is a prefix of ${b}`)
          }
        }
      }
    })

    it(`leaves only the prefix 00000000 (fill and EOL) out of the ${name} code space`, () => {
      // Kraft sum of a prefix code: 1 when complete. Here exactly 2^-8 is missing: every bit
      // string that does not start with eight zeros starts with one ${name} code word.
      const sum = words.reduce((s, w) => s + 2 ** -w.text.length, 0)
      assert.equal(sum, 1 - 2 ** -8)
      assert.ok(words.every((w) => !w.text.startsWith('00000000')))
    })

    it(`decodes every ${name} code word to its run, whatever bits follow`, () => {
      const rand = seededRandom(colour + 1)
      for (const { run, text } of words) {
        const w = new BitWriter()
        for (const bit of text) {
          w.write(bit === '1' ? 1 : 0, 1)
        }
        const tail = Math.floor(rand() * 0xffffff)
        w.write(tail, 24)
        const entry = RUN_DECODE[colour]?.[new BitReader(w.finish()).peek(13)] ?? 0
        assert.equal(entry >>> 4, run, `${name} ${text}`)
        assert.equal(entry & 15, text.length, `${name} ${text}`)
      }
    })
  }

  it('writes and reads back every run length 0…6000 of both colours', () => {
    const w = new BitWriter(16)
    for (let run = 0; run <= 6000; run++) {
      writeRun(w, run & 1, run)
    }
    const r = new BitReader(w.finish())
    for (let run = 0; run <= 6000; run++) {
      assert.equal(readRun(r, run & 1, 10_000), run)
    }
  })

  it('reads every pair of terminating codes that fits in 12 bits as two single code words', () => {
    const rand = seededRandom(5)
    for (const [first, pairs] of [
      [WHITE, WHITE_BLACK_PAIRS],
      [BLACK, BLACK_WHITE_PAIRS],
    ] as const) {
      const terminating = (colour: number) => runCodeWords(colour).filter((w) => w.run < 64)
      let fitting = 0
      for (const one of terminating(first)) {
        for (const two of terminating(first ^ 1)) {
          const bits =
            one.text +
            two.text +
            Math.floor(rand() * 0xffffff)
              .toString(2)
              .padStart(24, '0')
          const entry = pairs[Number.parseInt(bits.slice(0, PAIR_LOOKUP_BITS), 2)] ?? 0
          if (one.text.length + two.text.length > PAIR_LOOKUP_BITS) {
            // too long for the pair table, whose entry for these bits (if any) is another pair
            continue
          }
          fitting++
          assert.equal(entry & 63, one.run, `${one.text} ${two.text}`)
          assert.equal((entry >> 6) & 15, one.text.length)
          assert.equal((entry >> 10) & 63, two.run)
          assert.equal(entry >>> 16, two.text.length)
        }
      }
      assert.equal(fitting, 488) // of the 64 × 64 pairs
      // and every entry is such a pair, as the one-code table reads it
      pairs.forEach((entry, bits) => {
        if (entry !== 0) {
          const index = (colour: number, at: number) =>
            colour * BLACK_RUNS +
            ((bits << (RUN_LOOKUP_BITS - PAIR_LOOKUP_BITS + at)) & (BLACK_RUNS - 1))
          const one = RUNS[index(first, 0)] ?? 0
          const two = RUNS[index(first ^ 1, one & 15)] ?? 0
          assert.equal(
            entry,
            (one >>> 4) | ((one & 15) << 6) | ((two >>> 4) << 10) | ((two & 15) << 16),
          )
        }
      })
    }
  })

  it('has the seven vertical modes, pass and horizontal in the 2-D mode table', () => {
    const modes = new Set<number>()
    for (const entry of MODE_DECODE) {
      if (entry !== 0) {
        modes.add(entry)
      }
    }
    // V0 1, VR1 011, VL1 010, H 001, P 0001, VR2 000011, VL2 000010, VR3 0000011, VL3 0000010
    const lengths = [...modes].map((entry) => entry & 15).sort((a, b) => a - b)
    assert.deepEqual(lengths, [1, 3, 3, 3, 4, 6, 6, 7, 7])
    assert.equal(MODE_DECODE[0b0000001], 0, 'the extension prefix is not a mode')
    assert.equal(MODE_DECODE[0], 0, 'zeros (EOL) are not a mode')
  })
})

describe('bit writer and reader', () => {
  it('puts the first-coded bit in the most significant bit of each octet', () => {
    const w = new BitWriter(1)
    w.write(1, 1)
    w.write(0b0110, 4)
    w.write(0b111111111111, 12)
    assert.deepEqual([...w.finish()], [0b10110111, 0b11111111, 0b10000000])
  })

  it('grows past its first capacity and pads the last octet with zeros', () => {
    const w = new BitWriter(1)
    for (let i = 0; i < 10_000; i++) {
      w.write(0b101, 3)
    }
    const bytes = w.finish()
    assert.equal(bytes.length, Math.ceil(30_000 / 8))
    const r = new BitReader(bytes)
    for (let i = 0; i < 10_000; i++) {
      assert.equal(r.peek(3), 0b101)
      r.skip(3)
    }
    assert.equal(r.remaining, bytes.length * 8 - 30_000)
  })

  it('writes code words of any length across its 32-bit words, as a bit string would', () => {
    const rand = seededRandom(11)
    for (let trial = 0; trial < 20; trial++) {
      const w = new BitWriter(1)
      let expected = ''
      for (let i = 0; i < 500; i++) {
        const bits = 1 + Math.floor(rand() * 24)
        const code = Math.floor(rand() * 2 ** bits)
        w.write(code, bits)
        expected += code.toString(2).padStart(bits, '0')
        assert.equal(w.bitLength, expected.length)
      }
      const tail = Math.floor(rand() * 40)
      w.writeZeros(tail)
      expected += '0'.repeat(tail)
      const bytes = w.finish()
      expected = expected.padEnd(Math.ceil(expected.length / 8) * 8, '0')
      assert.equal([...bytes].map((octet) => octet.toString(2).padStart(8, '0')).join(''), expected)
    }
  })

  it('reads zeros past the end and counts zero runs up to the end', () => {
    const r = new BitReader(new Uint8Array([0b00000000, 0b00010000]))
    assert.equal(r.countZeros(), 11)
    r.skip(12)
    assert.equal(r.countZeros(), 4)
    assert.equal(r.peek(20), 0)
    r.skip(4)
    assert.equal(r.remaining, 0)
    r.skip(1)
    assert.equal(r.overrun, true)
  })
})

describe('changing elements', () => {
  it('match a pixel-by-pixel scan and paint back the same row, for many widths', () => {
    const rand = seededRandom(42)
    for (const width of [1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1727, 1728, 1731, 2600]) {
      for (let trial = 0; trial < 30; trial++) {
        const page = blankBitmap(width, 1)
        const mean = [1, 2, 5, 40, 300][trial % 5] ?? 1
        let x = Math.floor(rand() * mean)
        while (x < width) {
          const len = 1 + Math.floor(rand() * mean)
          paintRun(page, 0, x, x + len)
          x += len + 1 + Math.floor(rand() * mean)
        }
        if (trial === 0) {
          paintRun(page, 0, 0, width)
        }
        const expected: number[] = []
        for (let i = 0; i < width; i++) {
          if (isBlack(page, i, 0) !== (i > 0 && isBlack(page, i - 1, 0))) {
            expected.push(i)
          }
        }
        const list = new Int32Array(changeListLength(width))
        const count = findChangingElements(page.data, 0, width, list)
        assert.deepEqual([...list.subarray(0, count)], expected, `width ${width}`)
        assert.deepEqual([...list.subarray(count, count + 3)], [width, width, width])
        const painted = blankBitmap(width, 1)
        paintChangingElements(list, count, width, painted.data, 0)
        assert.deepEqual(painted.data, page.data, `width ${width}`)
      }
    }
  })

  it('ignores bits past the width in the last octet', () => {
    const list = new Int32Array(changeListLength(13))
    const count = findChangingElements(new Uint8Array([0x00, 0b00000111]), 0, 13, list)
    assert.equal(count, 0)
  })
})
