/**
 * What tesseract reads in the header line of each page of a TIFF-F: the band at the top of the
 * page (headerBandRows), with white around it, written as a PBM and read as one line of text.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { blankBitmap } from '../../src/codec/bitmap.js'
import { readTiff } from '../../src/codec/tiff-read.js'
import { headerBandRows } from '../../src/header-line/stamp-header.js'
import { mapWithPool, runTool } from '../rendering/ocr.js'
import { pbmOf } from './pbm.js'

const PADDING_ROWS = 20

export async function ocrHeaderLines(tiff: Uint8Array): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'faxd-header-ocr-'))
  try {
    const files = await Promise.all(
      readTiff(tiff).map(async (page, index) => {
        const band = headerBandRows(page.yDpi ?? 196)
        const strip = blankBitmap(page.width, band + 2 * PADDING_ROWS)
        strip.data.set(
          page.bitmap.data.subarray(0, page.bitmap.rowBytes * band),
          strip.rowBytes * PADDING_ROWS,
        )
        const file = join(dir, `page-${index + 1}.pbm`)
        await writeFile(file, pbmOf(strip))
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
