/**
 * Our files against libtiff's tools (libtiff-tools in /usr/bin; a missing tool fails the test):
 * libtiff reads our TIFF-F files without a warning (`tiffinfo -D`) and decodes them to the source
 * pixels (`tiffcp -c none` then `tiffcmp` against the source written uncompressed); we decode
 * libtiff's own G3 1-D, G3 2-D and G4 files in their variants (fill, strips, byte orders, fill
 * orders, BlackIsZero); our coded sizes are within 1% of libtiff's; and `fax2tiff` finds no bad
 * rows in our raw MH, MR and MMR streams.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { type Bitmap, blankBitmap } from '../../src/codec/bitmap.js'
import { encodeMh, encodeMr } from '../../src/codec/t4.js'
import { encodeMmr } from '../../src/codec/t6.js'
import { listTiffPages } from '../../src/codec/tiff-read.js'
import { type TiffCompression } from '../../src/codec/tiff-tags.js'
import { type TiffWriteOptions } from '../../src/codec/tiff-write.js'
import { runTool, runToolCleanly, temporaryDirectory } from './checks.js'
import {
  assertLibtiffAgrees,
  assertLibtiffReadsOurFile,
  assertPagesEqual,
  assertWeReadLibtiffFile,
  readPages,
  writePages,
} from './libtiff-checks.js'
import {
  differenceOf,
  invertBitmap,
  noisePage,
  randomPage,
  samplePages,
  typedPage,
} from './pages.js'

const tmp = temporaryDirectory()
const bitmaps = samplePages().map((page) => page.bitmap)
let source = ''

describe('libtiff and our files', () => {
  before(() => {
    source = writePages(tmp.path('source.tif'), bitmaps, 'none')
  })
  after(() => tmp.remove())

  const variants: { name: string; compression: TiffCompression; options: TiffWriteOptions }[] = [
    { name: 'MH', compression: 'mh', options: {} },
    {
      name: 'MH with fill bits and RTC',
      compression: 'mh',
      options: { fillBits: true, rtc: true },
    },
    { name: 'MR', compression: 'mr', options: {} },
    {
      name: 'MR with fill bits and RTC',
      compression: 'mr',
      options: { fillBits: true, rtc: true },
    },
    { name: 'MMR', compression: 'mmr', options: {} },
  ]

  for (const { name, compression, options } of variants) {
    it(`libtiff reads our ${name} TIFF-F file cleanly (tiffinfo -D) and to the source (tiffcmp)`, () => {
      assertLibtiffReadsOurFile(tmp.path('.'), source, bitmaps, compression, options)
      const info = runToolCleanly('tiffinfo', [
        writePages(tmp.path('info.tif'), bitmaps, compression, options),
      ])
      const t4Options = (compression === 'mr' ? 1 : 0) | (options.fillBits === true ? 4 : 0)
      if (compression !== 'mmr') {
        assert.match(info.stdout, new RegExp(`Group 3 Options:.*\\(${t4Options} = `))
      }
    })

    it(`tiffcmp finds nothing at all between a one-page ${name} file and its source`, () => {
      const one = writePages(tmp.path('one.tif'), bitmaps.slice(0, 1), compression, options)
      const oneDecoded = tmp.path('one-decoded.tif')
      runToolCleanly('tiffcp', ['-c', 'none', one, oneDecoded])
      const oneSource = writePages(tmp.path('one-source.tif'), bitmaps.slice(0, 1), 'none')
      const cmp = runTool('tiffcmp', [oneSource, oneDecoded])
      assert.equal(cmp.stdout + cmp.stderr, '')
      assert.equal(cmp.status, 0)
    })
  }

  it('tiffcmp does report a one-pixel difference (so the check above can fail)', () => {
    const changed = bitmaps.map((b) => ({ ...b, data: b.data.slice() }))
    const page = changed[0] ?? blankBitmap(1, 1)
    page.data[500] = (page.data[500] ?? 0) ^ 0x10
    const other = writePages(tmp.path('changed.tif'), changed, 'none')
    const cmp = runTool('tiffcmp', [source, other])
    assert.notEqual(cmp.status, 0)
    assert.match(cmp.stdout, /Scanline/)
  })

  const libtiffVariants: {
    args: string[]
    compression: TiffCompression
    check?: (bytes: Uint8Array) => void
  }[] = [
    { args: ['-c', 'g3'], compression: 'mh' },
    { args: ['-c', 'g3:1d'], compression: 'mh' },
    { args: ['-c', 'g3:2d'], compression: 'mr' },
    { args: ['-c', 'g4'], compression: 'mmr' },
    { args: ['-c', 'g3:fill'], compression: 'mh' },
    { args: ['-c', 'g3:2d:fill'], compression: 'mr' },
    {
      args: ['-c', 'g3:2d', '-r', '16'],
      compression: 'mr',
      check: (bytes) => assert.ok((listTiffPages(bytes)[0]?.strips.length ?? 0) > 100),
    },
    {
      args: ['-c', 'g4', '-B'],
      compression: 'mmr',
      check: (bytes) => assert.equal(String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0), 'MM'),
    },
    {
      args: ['-c', 'g4', '-f', 'lsb2msb'],
      compression: 'mmr',
      check: (bytes) => assert.equal(listTiffPages(bytes)[0]?.fillOrder, 2),
    },
    {
      args: ['-c', 'g3:fill', '-B', '-f', 'lsb2msb', '-r', '1'],
      compression: 'mh',
      check: (bytes) => assert.equal(listTiffPages(bytes)[0]?.strips.length, bitmaps[0]?.height),
    },
    {
      args: ['-c', 'none', '-f', 'lsb2msb', '-r', '7'],
      compression: 'none',
      check: (bytes) => assert.equal(listTiffPages(bytes)[0]?.fillOrder, 2),
    },
    { args: ['-c', 'none', '-B'], compression: 'none' },
  ]

  for (const { args, compression, check } of libtiffVariants) {
    it(`decodes libtiff's tiffcp ${args.join(' ')} output to the source`, () => {
      const bytes = assertWeReadLibtiffFile(tmp.path('.'), source, bitmaps, args)
      check?.(bytes)
      assert.ok(listTiffPages(bytes).every((page) => page.compression === compression))
    })
  }

  it('reads BlackIsZero files, uncompressed and as libtiff codes them, with 1 = black', () => {
    const blackIsZero = tmp.path('black-is-zero.tif')
    writeFileSync(blackIsZero, readFileSync(source))
    bitmaps.forEach((_, i) => {
      runToolCleanly('tiffset', ['-d', String(i), '-s', '262', '1', blackIsZero])
    })
    const inverted = bitmaps.map(invertBitmap)
    assertPagesEqual(blackIsZero, inverted, 'BlackIsZero, uncompressed')
    for (const codec of ['g4', 'g3:2d']) {
      const coded = tmp.path(`black-is-zero-${codec}.tif`)
      runToolCleanly('tiffcp', ['-c', codec, blackIsZero, coded])
      assert.ok(readPages(coded).every((page) => page.photometric === 1))
      assertPagesEqual(coded, inverted, `BlackIsZero, ${codec}`)
    }
  })

  it('codes MMR, MH and MR within 1% of the size libtiff codes them', () => {
    const pages = [
      { name: 'typed A4', bitmap: typedPage(21) },
      { name: 'blank A4', bitmap: blankBitmap(1728, 2292) },
      { name: 'dense', bitmap: randomPage(22, 1728, 1000, { meanWhite: 4, meanBlack: 3 }) },
      { name: 'noise', bitmap: noisePage(23, 1728, 200, 0.3) },
      { name: 'mixed', bitmap: randomPage(24, 1728, 1000, { meanWhite: 50, meanBlack: 5, similarRows: 0.8 }) },
    ] // prettier-ignore
    const plain = writePages(
      tmp.path('sizes.tif'),
      pages.map((p) => p.bitmap),
      'none',
    )
    const schemes = [
      { codec: 'g4', ours: (b: Bitmap) => encodeMmr(b).length },
      { codec: 'g3', ours: (b: Bitmap) => encodeMh(b, { rtc: false }).length },
      { codec: 'g3:2d', ours: (b: Bitmap) => encodeMr(b, { k: 4, rtc: false }).length },
    ]
    for (const { codec, ours } of schemes) {
      const theirs = tmp.path(`sizes-${codec}.tif`)
      // one strip per page, as in our files
      runToolCleanly('tiffcp', ['-c', codec, '-r', '100000', plain, theirs])
      const libtiffPages = listTiffPages(new Uint8Array(readFileSync(theirs)))
      pages.forEach(({ name, bitmap }, i) => {
        const strips = libtiffPages[i]?.strips ?? []
        assert.equal(strips.length, 1)
        const libtiffSize = strips[0]?.byteCount ?? 0
        const ourSize = ours(bitmap)
        assert.ok(
          ourSize <= 1.01 * libtiffSize,
          `${codec} ${name}: ours ${ourSize} octets, libtiff ${libtiffSize}`,
        )
      })
    }
  })

  const faxStreams = [
    { flags: ['-1'], name: 'MH', encode: (b: Bitmap, rtc: boolean) => encodeMh(b, { rtc }) },
    { flags: ['-2'], name: 'MR', encode: (b: Bitmap, rtc: boolean) => encodeMr(b, { rtc }) },
    {
      flags: ['-1', '-A'],
      name: 'MH with EOLs aligned',
      encode: (b: Bitmap, rtc: boolean) => encodeMh(b, { rtc, alignEol: true }),
    },
    {
      flags: ['-2'],
      name: 'MR with a minimum line length',
      encode: (b: Bitmap, rtc: boolean) => encodeMr(b, { rtc, minBitsPerLine: 300 }),
    },
  ]
  const faxPage = typedPage(31, 1728, 1200)

  for (const { flags, name, encode } of faxStreams) {
    it(`fax2tiff finds ${faxPage.height} rows and no bad row in our raw ${name} stream`, () => {
      const raw = tmp.path(`raw-${name}.fax`)
      const out = tmp.path(`fax2tiff-${name}.tif`)
      writeFileSync(raw, encode(faxPage, false))
      const result = runTool('fax2tiff', ['-M', ...flags, '-R', '196', '-v', '-o', out, raw])
      assert.equal(result.status, 0)
      assert.doesNotMatch(result.stderr, /Warning|Error/i)
      assert.match(result.stderr, new RegExp(`^${faxPage.height} rows in input$`, 'm'))
      assert.match(result.stderr, /^0 total bad rows$/m)
      // fax2tiff writes G3 2-D, EOL-aligned, FillOrder 2: we read that back too
      assertPagesEqual(out, [faxPage], `fax2tiff of ${name}`)
    })
  }

  it('passes every check of libtiff-checks.ts on standard-resolution typed pages', () => {
    assertLibtiffAgrees([
      typedPage(71, 1728, 1143),
      typedPage(72, 1728, 1143),
      typedPage(73, 1728, 600),
    ])
  })

  it('fax2tiff finds no bad row in raw streams that end with RTC or EOFB', () => {
    // fax2tiff does not stop at RTC/EOFB: it counts their EOLs as empty extra rows.
    for (const { flags, encode } of [
      { flags: ['-1'], encode: (b: Bitmap) => encodeMh(b) },
      { flags: ['-2'], encode: (b: Bitmap) => encodeMr(b) },
      { flags: ['-4'], encode: (b: Bitmap) => encodeMmr(b) },
    ]) {
      const raw = tmp.path('raw-rtc.fax')
      const out = tmp.path('fax2tiff-rtc.tif')
      writeFileSync(raw, encode(faxPage))
      const result = runTool('fax2tiff', ['-M', ...flags, '-v', '-o', out, raw])
      assert.equal(result.status, 0)
      assert.match(result.stderr, /^0 total bad rows$/m, flags.join(' '))
      const rows = Number(/^(\d+) rows in input$/m.exec(result.stderr)?.[1])
      assert.ok(rows >= faxPage.height && rows <= faxPage.height + 6, `${rows} rows`)
      const decoded = readPages(out)[0]?.bitmap ?? blankBitmap(1, 1)
      const top = { ...decoded, height: faxPage.height }
      assert.equal(
        differenceOf({ ...top, data: decoded.data.subarray(0, faxPage.data.length) }, faxPage),
        '',
      )
    }
  })
})
