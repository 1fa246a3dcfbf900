/**
 * The TIFF-F writer and the TIFF reader on their own: the fields of each page (checked with
 * libtiff's tiffdump), their order and alignment, pages of different codings and resolutions in
 * one file, pages coded ahead of time, and the reader's handling of resolution units,
 * thumbnails and images that are not bilevel.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { blankBitmap } from '../../src/codec/bitmap.js'
import { CodecError } from '../../src/codec/codec-error.js'
import { listTiffPages, readTiff } from '../../src/codec/tiff-read.js'
import {
  encodeTiffPage,
  type TiffPageInput,
  writeEncodedTiffF,
  writeTiffF,
} from '../../src/codec/tiff-write.js'
import { runToolCleanly, temporaryDirectory } from './checks.js'
import { differenceOf, randomPage, typedPage } from './pages.js'
import { ifdOffsets, setTag } from './tiff-patch.js'

const tmp = temporaryDirectory()
after(() => tmp.remove())

const pages: TiffPageInput[] = [
  { bitmap: typedPage(41, 1728, 1100), compression: 'mh', xDpi: 204, yDpi: 98 },
  { bitmap: typedPage(42, 1728, 400), compression: 'mr', xDpi: 204, yDpi: 196 },
  { bitmap: typedPage(43, 1728, 800), compression: 'mmr', xDpi: 204, yDpi: 392 },
  {
    bitmap: randomPage(44, 1731, 50, { meanWhite: 9, meanBlack: 9 }),
    compression: 'none',
    xDpi: 200,
    yDpi: 200,
  },
]
const options = {
  software: 'faxd',
  dateTime: new Date(Date.UTC(2026, 10, 27, 9, 8, 7)),
  description: 'Invoice 42 — page',
}

describe('TIFF-F writer', () => {
  const file = writeTiffF(pages, options)

  it('writes the TIFF-F fields of each page, in ascending tag order (tiffdump)', () => {
    const path = tmp.path('fields.tif')
    writeFileSync(path, file)
    const dump = runToolCleanly('tiffdump', [path]).stdout
    assert.match(dump, /Magic: 0x4949 <little-endian>/)
    const directories = dump.split(/^Directory \d+: /m).slice(1)
    assert.equal(directories.length, pages.length)
    directories.forEach((text, i) => {
      const page = pages[i] ?? assert.fail()
      const tags = [...text.matchAll(/^\w+ \((\d+)\) \w+ \(\d+\) \d+<(.*)>$/gm)].map((m) => ({
        tag: Number(m[1]),
        value: m[2] ?? '',
      }))
      const numbers = tags.map((t) => t.tag)
      assert.deepEqual(
        numbers,
        [...numbers].sort((a, b) => a - b),
        'ascending tags',
      )
      const value = (tag: number): string | undefined => tags.find((t) => t.tag === tag)?.value
      const compression = { mh: '3', mr: '3', mmr: '4', none: '1' }[page.compression]
      const expected: [number, string | undefined][] = [
        [254, '2'],
        [256, String(page.bitmap.width)],
        [257, String(page.bitmap.height)],
        [258, '1'],
        [259, compression],
        [262, '0'],
        [266, '1'],
        [274, '1'],
        [277, '1'],
        [278, String(page.bitmap.height)],
        [282, String(page.xDpi)],
        [283, String(page.yDpi)],
        [296, '2'],
        [297, `${i} ${pages.length}`],
        [292, { mh: '0', mr: '1' }[page.compression as 'mh']],
        [293, page.compression === 'mmr' ? '0' : undefined],
        [305, 'faxd\\0'],
        [306, '2026:11:27 09:08:07\\0'],
        [270, 'Invoice 42 ? page\\0'],
        [327, page.compression === 'none' ? undefined : '0'],
      ]
      for (const [tag, want] of expected) {
        assert.equal(value(tag), want, `page ${i + 1} tag ${tag}`)
      }
      assert.equal(value(273)?.split(' ').length, 1, 'one strip')
    })
  })

  it('puts every IFD on a word boundary and reads back every page', () => {
    assert.ok(ifdOffsets(file).every((offset) => offset % 2 === 0))
    const read = readTiff(file)
    assert.equal(read.length, pages.length)
    read.forEach((page, i) => {
      const input = pages[i] ?? assert.fail()
      assert.equal(differenceOf(page.bitmap, input.bitmap), '')
      assert.equal(page.compression, input.compression)
      assert.equal(page.xDpi, input.xDpi)
      assert.equal(page.yDpi, input.yDpi)
      assert.deepEqual(page.pageNumber, [i, pages.length])
      assert.equal(page.strips.length, 1)
    })
  })

  it('writes pages coded ahead of time to the same bytes', () => {
    const encoded = pages.map((page) => encodeTiffPage(page))
    assert.deepEqual(writeEncodedTiffF(encoded, options), file)
    const shared = writeEncodedTiffF(
      encoded.map(({ xDpi: _x, yDpi: _y, ...page }) => page),
      { xDpi: 204, yDpi: 196 },
    )
    assert.ok(listTiffPages(shared).every((page) => page.yDpi === 196 && page.xDpi === 204))
  })

  it('sets T4Options bit 2 with fill bits, and the EOLs then end on octet boundaries', () => {
    const bytes = writeTiffF(pages.slice(0, 2), { fillBits: true })
    const read = listTiffPages(bytes)
    assert.deepEqual(
      read.map((page) => page.codingOptions),
      [4, 5],
    )
    for (const page of read) {
      const strip = page.strips[0] ?? assert.fail()
      const data = bytes.subarray(strip.offset, strip.offset + strip.byteCount)
      // each EOL's final 1 is the last bit of an octet: 0x01 after a zero octet
      let eols = 0
      for (let i = 1; i < data.length; i++) {
        if (data[i] === 0x01 && ((data[i - 1] ?? 1) & 0x0f) === 0) {
          eols++
        }
      }
      assert.equal(eols, page.height)
    }
  })

  it('refuses an empty page list, pages without a resolution and wrong strip sizes', () => {
    assert.throws(() => writeTiffF([]), CodecError)
    const bitmap = blankBitmap(16, 2)
    assert.throws(
      () =>
        writeEncodedTiffF([{ width: 16, height: 2, compression: 'mmr', data: new Uint8Array(1) }]),
      /no resolution/,
    )
    assert.throws(
      () =>
        writeEncodedTiffF(
          [{ width: 16, height: 2, compression: 'none', data: bitmap.data.subarray(1) }],
          {
            xDpi: 204,
            yDpi: 196,
          },
        ),
      CodecError,
    )
    assert.throws(
      () => writeTiffF([{ bitmap, compression: 'mh', xDpi: Number.NaN, yDpi: 196 }]),
      CodecError,
    )
  })
})

describe('TIFF reader', () => {
  it('converts centimetre resolutions to dpi', () => {
    const bytes = writeTiffF(pages.slice(0, 1))
    setTag(bytes, 0, 296, 3)
    const page = listTiffPages(bytes)[0] ?? assert.fail()
    assert.ok(Math.abs((page.xDpi ?? 0) - 204 * 2.54) < 1e-9)
  })

  it('skips reduced-resolution images (thumbnails)', () => {
    const bytes = writeTiffF(pages)
    setTag(bytes, 1, 254, 1)
    const read = readTiff(bytes)
    assert.equal(read.length, pages.length - 1)
    assert.equal(
      differenceOf(read[1]?.bitmap ?? blankBitmap(1, 1), pages[2]?.bitmap ?? blankBitmap(1, 1)),
      '',
    )
    const onlyThumbnail = writeTiffF(pages.slice(0, 1))
    setTag(onlyThumbnail, 0, 254, 1)
    assert.throws(() => readTiff(onlyThumbnail), /no page/)
  })

  it('refuses images that are not bilevel, tiled, or use other compressions', () => {
    const path = tmp.path('grey.tif')
    const cases: [number, number, RegExp][] = [
      [258, 8, /not a bilevel image/],
      [277, 3, /not a bilevel image/],
      [262, 2, /PhotometricInterpretation 2/],
      [259, 5, /Compression 5/],
      [259, 2, /CCITT RLE/],
      [266, 3, /FillOrder 3/],
      [292, 2, /uncompressed mode/],
    ]
    for (const [tag, value, message] of cases) {
      const bytes = writeTiffF(pages.slice(0, 1))
      setTag(bytes, 0, tag, value)
      assert.throws(
        () => readTiff(bytes),
        (error) => error instanceof CodecError && message.test(error.message),
      )
    }
    // a tiled copy made by libtiff
    const tiled = tmp.path('tiled.tif')
    writeFileSync(path, writeTiffF(pages.slice(0, 1)))
    runToolCleanly('tiffcp', ['-t', '-c', 'none', path, tiled])
    assert.throws(
      () => readTiff(new Uint8Array(readFileSync(tiled))),
      (error) => error instanceof CodecError && /tiled/.test(error.message),
    )
    // an 8-bit greyscale TIFF made by libtiff's ppm2tiff is refused the same way
    const pgm = tmp.path('grey.pgm')
    writeFileSync(pgm, Buffer.concat([Buffer.from('P5\n4 3\n255\n'), Buffer.alloc(12, 128)]))
    runToolCleanly('ppm2tiff', [pgm, path])
    assert.throws(
      () => readTiff(new Uint8Array(readFileSync(path))),
      (error) => error instanceof CodecError && error.code === 'unsupported',
    )
  })
})
