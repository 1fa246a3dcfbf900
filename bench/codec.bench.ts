/**
 * The fax codec against libtiff (`node --import tsx bench/codec.bench.ts [dir-of-tiffs]`).
 * Encodes and decodes a set of fine A4 pages (1728 × 2292; 50 procedural pages by default,
 * or every page of the .tif files in the directory given) with our MH, MR (K = 4) and MMR, and
 * has libtiff do the same work with whole `tiffcp` processes: `-c g3`, `-c g3:2d`, `-c g4` from
 * an uncompressed multi-page TIFF, and `-c none` from each compressed file. libtiff's process
 * start-up is measured with a 1-page file and subtracted ("net"). Prints a markdown table of
 * pages/s, MB/s of bitmap and bytes per page, with the ratios ours / libtiff. Takes well under a
 * minute.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Bitmap } from '../src/codec/bitmap.js'
import { type DecodeResult } from '../src/codec/decoded-rows.js'
import { decodeMh, decodeMr, encodeMh, encodeMr } from '../src/codec/t4.js'
import { decodeMmr, encodeMmr } from '../src/codec/t6.js'
import { listTiffPages, readTiff } from '../src/codec/tiff-read.js'
import { writeTiffF } from '../src/codec/tiff-write.js'
import { noisePage, randomPage, typedPage } from '../test/codec/pages.js'

const PAGE_COUNT = 50
const LIBTIFF_RUNS = 3
const MIN_OURS_MS = 1500

interface Scheme {
  readonly name: string
  readonly tiffcp: string
  readonly encode: (bitmap: Bitmap) => Uint8Array
  readonly decode: (data: Uint8Array, width: number, rows: number) => DecodeResult
}

const SCHEMES: readonly Scheme[] = [
  {
    name: 'MH',
    tiffcp: 'g3',
    encode: (b) => encodeMh(b, { rtc: false }),
    decode: (d, width, rows) => decodeMh(d, { width, rows }),
  },
  {
    name: 'MR K=4',
    tiffcp: 'g3:2d',
    encode: (b) => encodeMr(b, { k: 4, rtc: false }),
    decode: (d, width, rows) => decodeMr(d, { width, rows }),
  },
  {
    name: 'MMR',
    tiffcp: 'g4',
    encode: (b) => encodeMmr(b),
    decode: (d, width, rows) => decodeMmr(d, { width, rows }),
  },
]

function samplePageSet(): { name: string; bitmaps: Bitmap[] } {
  const bitmaps: Bitmap[] = []
  for (let i = 0; i < PAGE_COUNT; i++) {
    if (i % 10 === 8) {
      bitmaps.push(randomPage(i, 1728, 2292, { meanWhite: 300, meanBlack: 5, similarRows: 0.9 }))
    } else if (i % 10 === 9) {
      bitmaps.push(i === 49 ? noisePage(i, 1728, 2292, 0.1) : randomPage(i, 1728, 2292, { meanWhite: 8, meanBlack: 4 }))
    } else {
      bitmaps.push(typedPage(i))
    }
  } // prettier-ignore
  return { name: `${PAGE_COUNT} procedural fine A4 pages (40 typed, 5 sparse, 5 dense)`, bitmaps }
}

function directoryPageSet(dir: string): { name: string; bitmaps: Bitmap[] } {
  const files = readdirSync(dir).filter((name) => /\.tiff?$/i.test(name))
  const bitmaps = files.flatMap((name) =>
    readTiff(new Uint8Array(readFileSync(join(dir, name)))).map((page) => page.bitmap),
  )
  if (bitmaps.length === 0) {
    throw new Error(`no TIFF pages in ${dir}`)
  }
  return { name: `${bitmaps.length} pages from ${files.length} files in ${dir}`, bitmaps }
}

/**
 * Milliseconds per run of fn: the best of LIBTIFF_RUNS rounds (as for libtiff), each repeating
 * fn for at least `minMs` / LIBTIFF_RUNS.
 */
function timeOurs(fn: () => void, minMs: number): number {
  fn() // warm-up
  let best = Number.POSITIVE_INFINITY
  for (let round = 0; round < LIBTIFF_RUNS; round++) {
    let runs = 0
    const start = performance.now()
    let elapsed = 0
    do {
      fn()
      runs++
      elapsed = performance.now() - start
    } while (elapsed < minMs / LIBTIFF_RUNS)
    best = Math.min(best, elapsed / runs)
  }
  return best
}

/** The fastest of LIBTIFF_RUNS whole tiffcp processes, in ms. */
function timeTiffcp(args: readonly string[]): number {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < LIBTIFF_RUNS; i++) {
    const start = performance.now()
    const result = spawnSync('tiffcp', args, { encoding: 'utf8' })
    const ms = performance.now() - start
    if (result.error !== undefined || result.status !== 0) {
      throw new Error(`tiffcp ${args.join(' ')} failed: ${result.error?.message ?? result.stderr}`)
    }
    best = Math.min(best, ms)
  }
  return best
}

function main(): void {
  const set = process.argv[2] === undefined ? samplePageSet() : directoryPageSet(process.argv[2])
  const { bitmaps } = set
  const n = bitmaps.length
  const bitmapMb = bitmaps.reduce((sum, b) => sum + b.data.length, 0) / 1e6
  const dir = mkdtempSync(join(tmpdir(), 'faxd-codec-bench-'))
  try {
    const toPages = (list: readonly Bitmap[]) =>
      list.map((bitmap) => ({ bitmap, compression: 'none' as const, xDpi: 204, yDpi: 196 }))
    const plain = join(dir, 'plain.tif')
    const plainOne = join(dir, 'plain-1.tif')
    writeFileSync(plain, writeTiffF(toPages(bitmaps)))
    writeFileSync(plainOne, writeTiffF(toPages(bitmaps.slice(0, 1))))

    const rows: string[] = []
    const notes: string[] = []
    for (const scheme of SCHEMES) {
      // ours
      let coded: Uint8Array[] = []
      const encodeMs = timeOurs(() => {
        coded = bitmaps.map(scheme.encode)
      }, MIN_OURS_MS)
      const decodeMs = timeOurs(() => {
        coded.forEach((data, i) => {
          const b = bitmaps[i]
          if (b !== undefined) {
            scheme.decode(data, b.width, b.height)
          }
        })
      }, MIN_OURS_MS)
      const ourBytes = coded.reduce((sum, data) => sum + data.length, 0) / n

      // libtiff: one strip per page, as ours
      const theirs = join(dir, `${scheme.tiffcp}.tif`)
      const theirsOne = join(dir, `${scheme.tiffcp}-1.tif`)
      const encodeArgs = ['-c', scheme.tiffcp, '-r', '1000000']
      const startupEncode = timeTiffcp([...encodeArgs, plainOne, theirsOne])
      const libEncode = timeTiffcp([...encodeArgs, plain, theirs])
      const startupDecode = timeTiffcp(['-c', 'none', theirsOne, join(dir, 'back-1.tif')])
      const libDecode = timeTiffcp(['-c', 'none', theirs, join(dir, 'back.tif')])
      const libPages = listTiffPages(new Uint8Array(readFileSync(theirs)))
      const libBytes = libPages.reduce((sum, p) => sum + (p.strips[0]?.byteCount ?? 0), 0) / n
      // net of start-up: (N pages − 1 page) covers N − 1 pages
      const netPerPage = (all: number, one: number): number => Math.max(all - one, 1e-3) / (n - 1)

      const ourEncodePage = encodeMs / n
      const ourDecodePage = decodeMs / n
      const libEncodePage = netPerPage(libEncode, startupEncode)
      const libDecodePage = netPerPage(libDecode, startupDecode)
      const pps = (msPerPage: number): string => (1000 / msPerPage).toFixed(0)
      const mbs = (msPerPage: number): string => (bitmapMb / n / (msPerPage / 1000)).toFixed(0)
      const ratio = (ours: number, lib: number): string => (ours / lib).toFixed(2)
      rows.push(
        `| ${scheme.name} | encode | ${pps(ourEncodePage)} | ${mbs(ourEncodePage)} | ` +
          `${pps(libEncodePage)} | ${mbs(libEncodePage)} | ${ratio(libEncodePage, ourEncodePage)} |`,
        `| ${scheme.name} | decode | ${pps(ourDecodePage)} | ${mbs(ourDecodePage)} | ` +
          `${pps(libDecodePage)} | ${mbs(libDecodePage)} | ${ratio(libDecodePage, ourDecodePage)} |`,
      )
      notes.push(
        `| ${scheme.name} | ${ourBytes.toFixed(0)} | ${libBytes.toFixed(0)} | ` +
          `${ratio(ourBytes, libBytes)} |`,
      )
      notes.push(
        `<!-- tiffcp -c ${scheme.tiffcp}: ${libEncode.toFixed(0)} ms for ${n} pages, ` +
          `${startupEncode.toFixed(0)} ms for 1; -c none: ${libDecode.toFixed(0)} / ` +
          `${startupDecode.toFixed(0)} ms -->`,
      )
    }

    console.log(`# Codec benchmark: ${set.name}`)
    console.log('')
    console.log(
      `Bitmaps: ${bitmapMb.toFixed(1)} MB uncompressed. Ours: in memory, one thread, best of ` +
        `${LIBTIFF_RUNS} rounds. libtiff: whole tiffcp processes (file in, file out), best of ${LIBTIFF_RUNS}, net of the ` +
        `start-up measured with a 1-page file.`,
    )
    console.log('')
    console.log(
      '| scheme | work | ours pages/s | ours MB/s | libtiff pages/s (net) | libtiff MB/s (net) | speed ours / libtiff |',
    )
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |')
    rows.forEach((row) => console.log(row))
    console.log('')
    console.log('| scheme | ours bytes/page | libtiff bytes/page | size ours / libtiff |')
    console.log('| --- | ---: | ---: | ---: |')
    notes.filter((line) => line.startsWith('|')).forEach((line) => console.log(line))
    console.log('')
    notes.filter((line) => line.startsWith('<!--')).forEach((line) => console.log(line))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main()
