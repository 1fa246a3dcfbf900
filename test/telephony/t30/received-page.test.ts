/**
 * Received pages (received-page.ts): the copy-quality thresholds; non-ECM pages with damaged
 * lines repaired and counted (3 % good, 10 % poor, 30 % bad), the longest run of bad lines, MR's
 * damage spreading no further than the next 1-D line, noise before the first EOL, a page cut
 * off; ECM pages decoded strictly, also after a trip through ECM frames; and the TIFF-F file of
 * received pages, read back by our reader and by libtiff (tiffinfo, tiffcp, tiffcmp).
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { type Bitmap, blankBitmap } from '../../../src/codec/bitmap.js'
import { decodeMh } from '../../../src/codec/t4.js'
import { readTiff } from '../../../src/codec/tiff-read.js'
import { writeTiffF } from '../../../src/codec/tiff-write.js'
import {
  EcmPageReceiver,
  ecmPartialPages,
  fcdFrame,
  parseFcdFrame,
} from '../../../src/telephony/t30/ecm-blocks.js'
import { encodePageForLine } from '../../../src/telephony/t30/page-coding.js'
import { type PageFormat } from '../../../src/telephony/t30/page-format.js'
import {
  type ReceivedPage,
  copyQuality,
  decodeReceivedPage,
  receivedPagesToTiff,
} from '../../../src/telephony/t30/received-page.js'
import { runTool, runToolCleanly, temporaryDirectory } from '../../codec/checks.js'
import { differenceOf, randomPage, typedPage } from '../../codec/pages.js'

function format(overrides: Partial<PageFormat> = {}): PageFormat {
  return {
    coding: 'mh',
    resolution: 'standard',
    ecm: false,
    minScanLineMs: 10,
    bitRate: 9600,
    width: 1728,
    ...overrides,
  }
}

function toBits(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('')
}

function fromBits(bits: string): Uint8Array {
  const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0')
  const out = new Uint8Array(padded.length / 8)
  for (let i = 0; i < out.length; i++) {
    out[i] = Number.parseInt(padded.slice(i * 8, i * 8 + 8), 2)
  }
  return out
}

/** The bit after each EOL (data never holds 11 zeros in a row). */
function eolEnds(bits: string): number[] {
  return [...bits.matchAll(/0{11,}1/g)].map((m) => m.index + m[0].length)
}

/**
 * The stream with the first 10 bits of each listed line replaced by 0000000011: eight zeros
 * and a one are no MH or 2-D code (and no EOL), so the line cannot decode.
 */
function damageLines(data: Uint8Array, lines: Iterable<number>, mr: boolean): Uint8Array {
  const bits = toBits(data).split('')
  const ends = eolEnds(bits.join(''))
  for (const line of lines) {
    const at = (ends[line] ?? 0) + (mr ? 1 : 0)
    bits.splice(at, 10, ...'0000000011')
  }
  return fromBits(bits.join(''))
}

/** The first `rows` rows of a bitmap. */
function topRows(bitmap: Bitmap, rows: number): Bitmap {
  return { ...bitmap, height: rows, data: bitmap.data.subarray(0, rows * bitmap.rowBytes) }
}

function rowOfBitmap(bitmap: Bitmap, y: number): Uint8Array {
  return bitmap.data.subarray(y * bitmap.rowBytes, (y + 1) * bitmap.rowBytes)
}

function longestRun(lines: readonly number[]): number {
  let longest = 0
  let run = 0
  lines.forEach((line, i) => {
    run = i > 0 && lines[i - 1] === line - 1 ? run + 1 : 1
    longest = Math.max(longest, run)
  })
  return longest
}

const page = typedPage(31, 1728, 1000)
const mh = encodePageForLine({ bitmap: page, resolution: 'standard' }, format())

test('copy quality: under 5 % bad rows good, under 15 % poor, else bad; no rows is bad', () => {
  assert.equal(copyQuality(100, 0), 'good')
  assert.equal(copyQuality(100, 4), 'good')
  assert.equal(copyQuality(100, 5), 'poor')
  assert.equal(copyQuality(100, 14), 'poor')
  assert.equal(copyQuality(100, 15), 'bad')
  assert.equal(copyQuality(100, 100), 'bad')
  assert.equal(copyQuality(0, 0), 'bad')
})

test('a clean page decodes to its pixels, without ECM and with it', () => {
  for (const [coding, ecm] of [
    ['mh', false],
    ['mr', false],
    ['mh', true],
    ['mr', true],
    ['mmr', true],
  ] as const) {
    for (const resolution of ['standard', 'fine', 'superfine'] as const) {
      const f = format({ coding, ecm, resolution, minScanLineMs: ecm ? 0 : 20, bitRate: 14400 })
      const data = encodePageForLine({ bitmap: page, resolution }, f)
      const received = decodeReceivedPage(data, f)
      const what = `${coding}${ecm ? '+ECM' : ''} ${resolution}`
      assert.equal(differenceOf(received.bitmap, page), '', what)
      assert.equal(received.rows, page.height, what)
      assert.equal(received.resolution, resolution)
      assert.deepEqual(
        [received.badRows, received.longestBadRun, received.quality],
        [0, 0, 'good'],
        what,
      )
    }
  }
})

test('damaged lines in 3 %, 10 %, 30 % of a non-ECM page: good, poor, bad', () => {
  for (const [percent, quality] of [
    [3, 'good'],
    [10, 'poor'],
    [30, 'bad'],
  ] as const) {
    // 19·i mod 100 runs through every residue: exactly `percent` lines in each hundred
    const lines = [...page.data.keys()]
      .slice(0, page.height)
      .filter((i) => (i * 19) % 100 < percent)
    assert.equal(lines.length, percent * 10)
    const damaged = damageLines(mh, lines, false)
    const received = decodeReceivedPage(damaged, format())
    assert.equal(received.rows, page.height, `${percent} %: every line is a row`)
    assert.equal(received.badRows, lines.length, `${percent} %: bad rows`)
    assert.equal(received.longestBadRun, longestRun(lines), `${percent} %: longest run`)
    assert.equal(received.quality, quality, `${percent} %`)
    // the codec's own repair gives the same page
    const codec = decodeMh(damaged, { width: 1728, repairBadLines: true })
    assert.equal(codec.badRows, received.badRows)
    assert.equal(differenceOf(received.bitmap, codec.bitmap), '', `${percent} %: same repair`)
  }
})

test('a burst of damaged lines is one run, each replaced by the row above it', () => {
  const burst = Array.from({ length: 21 }, (_, i) => 500 + i)
  const received = decodeReceivedPage(damageLines(mh, [100, ...burst, 800], false), format())
  assert.equal(received.badRows, 23)
  assert.equal(received.longestBadRun, 21)
  assert.equal(received.quality, 'good')
  for (const y of burst) {
    assert.deepEqual(rowOfBitmap(received.bitmap, y), rowOfBitmap(page, 499), `row ${y}`)
  }
  assert.deepEqual(rowOfBitmap(received.bitmap, 521), rowOfBitmap(page, 521))
})

test('MR: a damaged 1-D line spoils at most the lines up to the next 1-D line', () => {
  const f = format({ coding: 'mr', resolution: 'fine' }) // K = 4
  const mr = encodePageForLine({ bitmap: page, resolution: 'fine' }, f)
  const damagedGroups = [3, 40, 41, 100, 200]
  const received = decodeReceivedPage(
    damageLines(
      mr,
      damagedGroups.map((g) => g * 4),
      true,
    ),
    f,
  )
  assert.equal(received.rows, page.height)
  assert.ok(received.badRows >= damagedGroups.length)
  assert.ok(received.badRows <= damagedGroups.length * 4)
  for (let y = 0; y < page.height; y++) {
    if (!damagedGroups.includes(Math.floor(y / 4))) {
      assert.deepEqual(rowOfBitmap(received.bitmap, y), rowOfBitmap(page, y), `row ${y}`)
    }
  }
})

test('noise before the first EOL is skipped; a page cut off keeps the rows it got', () => {
  const noisy = fromBits('1011001110111' + toBits(mh))
  const received = decodeReceivedPage(noisy, format())
  assert.equal(differenceOf(received.bitmap, page), '')
  assert.equal(received.badRows, 0)

  for (const cut of [mh.length >> 1, 1000, 37]) {
    const partial = decodeReceivedPage(mh.subarray(0, cut), format())
    assert.ok(partial.rows > 0 && partial.rows < page.height, `cut at ${cut}`)
    assert.equal(differenceOf(partial.bitmap, topRows(page, partial.rows)), '', `cut at ${cut}`)
    assert.equal(partial.badRows, 0)
  }
})

test('data without an EOL, or none at all, is a bad page of no rows', () => {
  for (const data of [new Uint8Array(0), new Uint8Array(500), Uint8Array.of(0xff, 0x12, 0x34)]) {
    const received = decodeReceivedPage(data, format())
    assert.deepEqual([received.rows, received.quality], [0, 'bad'])
    assert.equal(received.bitmap.width, 1728)
  }
})

test('with ECM a page that does not decode is bad', () => {
  for (const coding of ['mh', 'mr', 'mmr'] as const) {
    const f = format({ coding, ecm: true, minScanLineMs: 0 })
    const data = encodePageForLine({ bitmap: page, resolution: 'standard' }, f)
    // 80 zero bits: no 2-D code, and in MH/MR an EOL in the middle of a line
    const damaged = data.slice()
    damaged.fill(0, 1000, 1010)
    const received = decodeReceivedPage(damaged, f)
    assert.deepEqual([received.rows, received.quality], [0, 'bad'], coding)
  }
})

test('an MMR page through ECM frames, padded, decodes to its pixels', () => {
  const fine = typedPage(32, 1728, 2292)
  for (const frameSize of [256, 64] as const) {
    const f = format({ coding: 'mmr', ecm: true, resolution: 'fine', bitRate: 14400 })
    const data = encodePageForLine({ bitmap: fine, resolution: 'fine' }, f)
    const receiver = new EcmPageReceiver()
    receiver.startPage(frameSize)
    for (const block of ecmPartialPages(data, frameSize)) {
      block.frames.forEach((frame, n) => {
        const fcd = parseFcdFrame(fcdFrame(n, frame))
        assert.ok(fcd !== null)
        receiver.block.addFrame(fcd.frameNumber, fcd.data)
      })
      receiver.block.setFrameCount(block.frames.length)
      receiver.commitBlock()
    }
    const received = decodeReceivedPage(receiver.pageData(), f)
    assert.equal(differenceOf(received.bitmap, fine), '', `${frameSize}-octet frames`)
    assert.equal(received.quality, 'good')
  }
})

test('received pages make a TIFF-F file that our reader and libtiff read back', () => {
  const sources: readonly [Bitmap, 'standard' | 'fine' | 'superfine', number][] = [
    [typedPage(33, 1728, 300), 'standard', 98],
    [randomPage(34, 1728, 200, { meanWhite: 60, meanBlack: 5, similarRows: 0.5 }), 'fine', 196],
    [typedPage(35, 1728, 400), 'superfine', 391],
  ]
  const pages: ReceivedPage[] = sources.map(([bitmap, resolution]) => {
    const f = format({ coding: 'mr', resolution })
    return decodeReceivedPage(encodePageForLine({ bitmap, resolution }, f), f)
  })
  const metadata = {
    remoteId: '+1 555 0199',
    receivedAt: new Date(Date.UTC(2026, 10, 27, 9, 30, 0)),
    software: 'faxd test',
  }
  const tmp = temporaryDirectory()
  try {
    for (const compression of ['mmr', 'mh', 'mr'] as const) {
      const tiff = receivedPagesToTiff(pages, { ...metadata, compression })
      const ours = readTiff(tiff)
      assert.equal(ours.length, 3)
      ours.forEach((read, i) => {
        const [bitmap, , yDpi] = sources[i] ?? [blankBitmap(1, 1), 'fine', 0]
        assert.equal(differenceOf(read.bitmap, bitmap), '', `${compression} page ${i + 1}`)
        assert.deepEqual([read.compression, read.xDpi, read.yDpi], [compression, 204, yDpi])
        assert.deepEqual(read.pageNumber, [i, 3])
      })

      const file = tmp.path(`received-${compression}.tif`)
      writeFileSync(file, tiff)
      const info = runToolCleanly('tiffinfo', ['-D', file]).stdout
      assert.equal(info.match(/TIFF Directory at offset/g)?.length, 3)
      for (const dpi of [98, 196, 391]) {
        assert.match(info, new RegExp(`Resolution: 204, ${dpi} pixels/inch`))
      }
      assert.match(info, /ImageDescription: \+1 555 0199/)
      assert.match(info, /DateTime: 2026:11:27 09:30:00/)

      const source = tmp.path('source.tif')
      writeFileSync(
        source,
        writeTiffF(
          sources.map(([bitmap, , yDpi]) => ({ bitmap, compression: 'none', xDpi: 204, yDpi })),
          // tiffcmp compares these fields too
          {
            description: metadata.remoteId,
            software: metadata.software,
            dateTime: metadata.receivedAt,
          },
        ),
      )
      const decoded = tmp.path(`decoded-${compression}.tif`)
      runToolCleanly('tiffcp', ['-c', 'none', file, decoded])
      const cmp = runTool('tiffcmp', [source, decoded])
      assert.equal(cmp.status, 0, cmp.stdout)
      assert.equal(cmp.stdout + cmp.stderr, 'Directory 1:\nDirectory 2:\n', 'no difference')
      const libtiffPages = readTiff(new Uint8Array(readFileSync(decoded)))
      libtiffPages.forEach((read, i) => {
        assert.equal(differenceOf(read.bitmap, sources[i]?.[0] ?? blankBitmap(1, 1)), '')
      })
    }
  } finally {
    tmp.remove()
  }
})

test('a received page without rows cannot be stored', () => {
  const empty = decodeReceivedPage(new Uint8Array(0), format())
  const good = decodeReceivedPage(mh, format())
  assert.throws(() => receivedPagesToTiff([good, empty]), /page 2 has no rows/)
})
