/**
 * What tesseract reads in the header line of each page of a TIFF-F: the band at the top of the
 * page (headerBandRows), with white around it, written as a PBM (whose bits are laid out as our
 * bitmaps are: 1 = black, rows padded to octets) and read as one line of text.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readTiff } from '../../src/codec/tiff-read.js'
import { headerBandRows } from '../../src/header-line/stamp-header.js'
import { mapWithPool, runTool } from '../rendering/ocr.js'

const PADDING_ROWS = 20

export async function ocrHeaderLines(tiff: Uint8Array): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'faxd-header-ocr-'))
  try {
    const files = await Promise.all(
      readTiff(tiff).map(async (page, index) => {
        const band = headerBandRows(page.yDpi ?? 196)
        const rowBytes = page.bitmap.rowBytes
        const pixels = new Uint8Array(rowBytes * (band + 2 * PADDING_ROWS))
        pixels.set(page.bitmap.data.subarray(0, rowBytes * band), rowBytes * PADDING_ROWS)
        const head = Buffer.from(`P4\n${page.width} ${band + 2 * PADDING_ROWS}\n`, 'ascii')
        const file = join(dir, `page-${index + 1}.pbm`)
        await writeFile(file, Buffer.concat([head, pixels]))
        return file
      }),
    )
    return await mapWithPool(files, 2, async (file) =>
      (
        await runTool('tesseract', [file, 'stdout', '-l', 'eng', '--psm', '7'], {
          OMP_THREAD_LIMIT: '1',
        })
      ).trim(),
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
