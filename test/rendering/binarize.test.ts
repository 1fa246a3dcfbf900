/** The two binarizations: ink from a local contrast (enhancement), tones from dithering. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isBlack } from '../../src/codec/bitmap.js'
import {
  binarizeByRegion,
  binarizeForText,
  binarizingRoom,
  ditherPreservingTones,
} from '../../src/rendering/binarize.js'
import type { GreyImage } from '../../src/rendering/grey-image.js'
import { ensureWasmMemory, newWasmMemory } from '../../src/shared/wasm-instance.js'
import { blackShare } from '../support/black-pels.js'

function image(width: number, height: number, paint: (x: number, y: number) => number): GreyImage {
  const data = new Uint8Array(width * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data[y * width + x] = paint(x, y)
    }
  }
  return { width, height, data }
}

describe('binarizeForText', () => {
  it('keeps mid-grey strokes on a tinted form and drops the tint', () => {
    // A 200-grey tint with 2-pixel 128-grey strokes every 10 columns: grey type on a grey box.
    const form = image(200, 60, (x) => (x % 10 < 2 ? 128 : 200))
    const bitmap = binarizeForText(form)
    for (let x = 0; x < 200; x++) {
      assert.equal(isBlack(bitmap, x, 30), x % 10 < 2, `column ${x}`)
    }
  })

  it('fills a solid black area wider than its neighbourhood', () => {
    const bitmap = binarizeForText(image(300, 300, () => 20))
    assert.equal(blackShare(bitmap), 1)
  })

  it('keeps white strokes on black their width: a pel more than half ink is black', () => {
    // A black bar with a white stroke every 12 columns: 3 white pels between edge pels of grey
    // 112 (56 % ink), as a drawn white glyph's edges come out.
    const stroke = (x: number): number => [112, 250, 250, 250, 112][x % 12] ?? 10
    const bitmap = binarizeForText(image(240, 60, stroke))
    for (let x = 0; x < 240; x++) {
      assert.equal(isBlack(bitmap, x, 30), stroke(x) < 128, `column ${x}`)
    }
  })

  it('leaves scanner noise on white paper white', () => {
    let seed = 1
    const noisy = image(300, 100, () => {
      seed = (seed * 48271) % 2147483647
      return 225 + (seed % 31)
    })
    assert.equal(blackShare(binarizeForText(noisy)), 0)
  })

  it('keeps a faint one-pixel hairline on white', () => {
    const bitmap = binarizeForText(image(100, 40, (x) => (x === 50 ? 170 : 255)))
    assert.ok(isBlack(bitmap, 50, 20))
    assert.ok(!isBlack(bitmap, 49, 20) && !isBlack(bitmap, 51, 20))
  })
})

describe('ditherPreservingTones', () => {
  it('renders a flat grey as that share of black dots', () => {
    for (const level of [32, 96, 128, 192, 230]) {
      const fraction = blackShare(ditherPreservingTones(image(256, 256, () => level)))
      const expected = (255 - level) / 255
      assert.ok(Math.abs(fraction - expected) < 0.01, `grey ${level}: ${fraction} vs ${expected}`)
    }
  })

  it('packs a black-and-white page bit for bit as error diffusion makes it', () => {
    // Text-like black and white, and the same with one grey pixel where the diffusion ends (the
    // last row runs right to left): that one sends the page through the error diffusion, where
    // every pixel before it carries no error.
    const paint = (x: number, y: number) => ((x * 7 + y * 13) % 11 < 4 ? 0 : 255)
    const packed = ditherPreservingTones(image(203, 40, paint))
    const diffused = ditherPreservingTones(
      image(203, 40, (x, y) => (x === 0 && y === 39 ? 100 : paint(x, y))),
    )
    let differing = 0
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 203; x++) {
        if (!(x === 0 && y === 39) && isBlack(packed, x, y) !== isBlack(diffused, x, y)) {
          differing++
        }
        assert.equal(isBlack(packed, x, y), paint(x, y) === 0)
      }
    }
    assert.equal(differing, 0)
  })

  it('leaves pure black and pure white exactly as they are', () => {
    const bitmap = ditherPreservingTones(image(64, 64, (x) => (x < 32 ? 0 : 255)))
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        assert.equal(isBlack(bitmap, x, y), x < 32)
      }
    }
  })
})

describe('binarizeByRegion and binarizeForText, read in place or copied into whole words', () => {
  // A page whose rows are whole words is read in place, four pixels at a time; one that is not
  // (here, the same pixels one octet into their buffer) is copied into whole words first. Both
  // must give the same bits.
  // The page: type in every grey, a tint behind some of it, and a photograph-like gradient that
  // the regions make a dithered block of.
  const paint = (x: number, y: number): number => {
    if (x >= 1200 && y >= 40 && y < 360) {
      return (x * 3 + y * 5 + ((x * y) % 7)) % 256
    }
    const tint = x >= 600 && x < 1000 ? 200 : 255
    const stroke = y % 24 < 9 && (x * 7 + y) % 11 < 4
    return stroke ? (x * 13 + y * 29) % 180 : tint - ((x + y) % 3)
  }
  const aligned = image(1728, 400, paint)
  const shifted = new Uint8Array(aligned.data.length + 1)
  shifted.set(aligned.data, 1)
  const unaligned: GreyImage = { ...aligned, data: shifted.subarray(1) }

  it('gives the same bits either way, with regions and without', () => {
    const byRegion = [aligned, unaligned].map((page) => binarizeByRegion(page, 196 / 204))
    const forText = [aligned, unaligned].map((page) => binarizeForText(page, 392 / 204))
    assert.ok(
      byRegion[0]!.data.some((octet) => octet !== 0),
      'the page has black pixels at all',
    )
    assert.deepEqual(byRegion[0]!.data, byRegion[1]!.data)
    assert.deepEqual(forText[0]!.data, forText[1]!.data)
    assert.notDeepEqual(byRegion[0]!.data, forText[0]!.data, 'the gradient is dithered')
  })

  /**
   * The page drawn into a WebAssembly memory of its own at `at`, with `room` after it, and 4 KiB
   * of a marker octet on either side of page and room that nothing may write.
   */
  const drawnInMemory = (at: number, room: number) => {
    const { width, height } = aligned
    const end = at + width * height + room
    const memory = newWasmMemory()
    ensureWasmMemory(memory, end + 4096)
    const octets = new Uint8Array(memory.buffer)
    octets.fill(0xa5, at - 4096, at)
    octets.fill(0xa5, end, end + 4096)
    octets.set(aligned.data, at)
    const page: GreyImage = {
      width,
      height,
      data: octets.subarray(at, at + width * height),
      inWasm: { memory, room },
    }
    const roomUsed = () => octets.subarray(at + width * height, end).some((octet) => octet !== 0)
    const markersIntact = () =>
      [octets.subarray(at - 4096, at), octets.subarray(end, end + 4096)].every((marker) =>
        marker.every((octet) => octet === 0xa5),
      )
    return { page, roomUsed, markersIntact }
  }

  it('reads a page drawn into a WebAssembly memory with room after it where it lies', () => {
    // As PDFium draws a PDF's page (pdf-pages.ts): at an address that is a multiple of 8.
    const { width, height } = aligned
    const drawn = drawnInMemory(8 * 12345, binarizingRoom(width, height))
    const byRegion = binarizeByRegion(drawn.page, 196 / 204)
    assert.ok(drawn.roomUsed(), 'the passes worked in the room after the page')
    assert.ok(drawn.markersIntact(), 'and nowhere outside page and room')
    assert.deepEqual(byRegion.data, binarizeByRegion(aligned, 196 / 204).data)
    assert.deepEqual(
      binarizeForText(drawn.page, 392 / 204).data,
      binarizeForText(aligned, 392 / 204).data,
    )
    assert.deepEqual(drawn.page.data, aligned.data, 'the page is as it was drawn')
    assert.ok(drawn.markersIntact(), 'nothing written outside page and room')
  })

  it('copies a page whose room is too small, or that is not on a multiple of 8, and leaves it alone', () => {
    const { width, height } = aligned
    const room = binarizingRoom(width, height)
    for (const drawn of [drawnInMemory(8 * 12345, room - 8), drawnInMemory(8 * 12345 + 4, room)]) {
      assert.deepEqual(
        binarizeByRegion(drawn.page, 196 / 204).data,
        binarizeByRegion(aligned, 196 / 204).data,
      )
      assert.equal(drawn.roomUsed(), false)
    }
  })

  it('reads a page of a width that is not whole words as the same page one pixel wider', () => {
    // The last 40 columns are paper, beyond the neighbourhood of any ink: the means agree.
    const margined = (x: number, y: number): number => (x >= 1688 ? 255 : paint(x, y))
    const narrow = image(1727, 400, margined)
    const wide = image(1728, 400, margined)
    for (const binarize of [binarizeByRegion, binarizeForText]) {
      const [ofNarrow, ofWide] = [narrow, wide].map((page) => binarize(page, 196 / 204))
      assert.equal(ofNarrow!.rowBytes, ofWide!.rowBytes)
      assert.ok(ofWide!.data.some((octet) => octet !== 0))
      assert.deepEqual(ofNarrow!.data, ofWide!.data)
    }
  })
})
