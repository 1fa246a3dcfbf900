/**
 * Checks of our codec against libtiff's tools that take any list of Bitmaps, so that pages
 * rendered from fixtures can go through them as the procedural pages do: libtiff reads our
 * TIFF-F files cleanly and to the same pixels, we read libtiff's files to the same pixels, and
 * our MMR is no bigger than libtiff's.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { type Bitmap, blankBitmap } from '../../src/codec/bitmap.js'
import { encodeMmr } from '../../src/codec/t6.js'
import { type TiffPage, listTiffPages, readTiff } from '../../src/codec/tiff-read.js'
import { type TiffCompression } from '../../src/codec/tiff-tags.js'
import { type TiffWriteOptions, writeTiffF } from '../../src/codec/tiff-write.js'
import { runTool, runToolCleanly, temporaryDirectory } from './checks.js'
import { differenceOf } from './pages.js'

const METADATA = { software: 'faxd codec test', dateTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) }

/** Writes the pages as one TIFF-F file (204 × 196 dpi) with the given coding; returns the path. */
export function writePages(
  path: string,
  bitmaps: readonly Bitmap[],
  compression: TiffCompression,
  options: TiffWriteOptions = {},
): string {
  const pages = bitmaps.map((bitmap) => ({ bitmap, compression, xDpi: 204, yDpi: 196 }))
  writeFileSync(path, writeTiffF(pages, { ...METADATA, ...options }))
  return path
}

export function readPages(path: string): TiffPage[] {
  return readTiff(new Uint8Array(readFileSync(path)))
}

/** Our reader finds exactly these pages in the file. */
export function assertPagesEqual(path: string, expected: readonly Bitmap[], what: string): void {
  const pages = readPages(path)
  assert.equal(pages.length, expected.length, `${what}: page count`)
  pages.forEach((page, i) => {
    const want = expected[i] ?? blankBitmap(1, 1)
    assert.equal(differenceOf(page.bitmap, want), '', `${what}: page ${i + 1}`)
  })
}

/**
 * `tiffinfo -D` decodes every strip of our file without a warning, and libtiff's decoding of it
 * (`tiffcp -c none`) is the source: `tiffcmp` against `source` (the pages written uncompressed,
 * with writePages) finds no difference, and our reader agrees.
 */
export function assertLibtiffReadsOurFile(
  dir: string,
  source: string,
  bitmaps: readonly Bitmap[],
  compression: TiffCompression,
  options: TiffWriteOptions = {},
): void {
  const label = `${compression}${options.fillBits === true ? '-fill' : ''}${options.rtc === true ? '-rtc' : ''}`
  const file = writePages(`${dir}/ours-${label}.tif`, bitmaps, compression, options)
  const info = runToolCleanly('tiffinfo', ['-D', file])
  const directories = info.stdout.match(/TIFF Directory at offset/g) ?? []
  assert.equal(directories.length, bitmaps.length)
  const decoded = `${dir}/decoded-${label}.tif`
  runToolCleanly('tiffcp', ['-c', 'none', file, decoded])
  const cmp = runTool('tiffcmp', [source, decoded])
  assert.equal(cmp.status, 0, cmp.stdout)
  // tiffcmp names each directory after the first; anything else would be a difference
  const expected = bitmaps.slice(1).map((_, i) => `Directory ${i + 1}:\n`)
  assert.equal(cmp.stdout + cmp.stderr, expected.join(''), 'tiffcmp reports no difference')
  assertPagesEqual(decoded, bitmaps, `libtiff's decoding of our ${label}`)
}

/** We decode libtiff's `tiffcp <args>` coding of `source` to the source pages. */
export function assertWeReadLibtiffFile(
  dir: string,
  source: string,
  bitmaps: readonly Bitmap[],
  args: readonly string[],
): Uint8Array {
  const out = `${dir}/libtiff${args.join('')}.tif`
  runToolCleanly('tiffcp', [...args, source, out])
  assertPagesEqual(out, bitmaps, `tiffcp ${args.join(' ')}`)
  return new Uint8Array(readFileSync(out))
}

/** Our MMR coding of each page is at most 1% bigger than libtiff's (`tiffcp -c g4`, one strip). */
export function assertMmrNoBiggerThanLibtiff(
  dir: string,
  source: string,
  bitmaps: readonly Bitmap[],
): void {
  const theirs = `${dir}/sizes-g4.tif`
  runToolCleanly('tiffcp', ['-c', 'g4', '-r', '1000000', source, theirs])
  listTiffPages(new Uint8Array(readFileSync(theirs))).forEach((page, i) => {
    assert.equal(page.strips.length, 1)
    const libtiffSize = page.strips[0]?.byteCount ?? 0
    const ourSize = encodeMmr(bitmaps[i] ?? blankBitmap(1, 1)).length
    assert.ok(
      ourSize <= 1.01 * libtiffSize,
      `page ${i + 1}: ours ${ourSize}, libtiff ${libtiffSize}`,
    )
  })
}

/** Every check above, for any pages (e.g. rendered from fixtures), in a directory of its own. */
export function assertLibtiffAgrees(bitmaps: readonly Bitmap[]): void {
  const tmp = temporaryDirectory()
  try {
    const dir = tmp.path('.')
    const source = writePages(tmp.path('source.tif'), bitmaps, 'none')
    for (const compression of ['mh', 'mr', 'mmr'] as const) {
      assertLibtiffReadsOurFile(dir, source, bitmaps, compression)
    }
    for (const codec of ['g3', 'g3:2d', 'g4', 'g3:fill']) {
      assertWeReadLibtiffFile(dir, source, bitmaps, ['-c', codec])
    }
    assertMmrNoBiggerThanLibtiff(dir, source, bitmaps)
  } finally {
    tmp.remove()
  }
}
