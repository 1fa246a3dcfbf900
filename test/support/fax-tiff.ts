/**
 * A fixture document as a fax machine would have scanned it: Ghostscript's tiffg4 at 204 × 196
 * dpi (test.sh installs Ghostscript), made at the first call in each test file. The tests of
 * what happens around renders (workers killed, several nodes) send this rather than the PDF:
 * they make a hundred renders, and a render process spends a third of the CPU on a fax TIFF
 * that it spends on the PDF (it loads neither PDFium nor the canvas for it).
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { documentPath } from './fixtures.js'

const run = promisify(execFile)
const made = new Map<string, Promise<Buffer>>()

/** The fixture PDF `file` (test/fixtures/documents) as a TIFF of G4-coded fine-mode pages. */
export function faxTiffOf(file: string): Promise<Buffer> {
  let tiff = made.get(file)
  if (tiff === undefined) {
    tiff = makeFaxTiff(documentPath(file))
    made.set(file, tiff)
  }
  return tiff
}

async function makeFaxTiff(pdf: string): Promise<Buffer> {
  const folder = await mkdtemp(join(tmpdir(), 'faxd-tiff-'))
  try {
    const output = join(folder, 'pages.tif')
    await ghostscriptFaxPages(pdf, output)
    return await readFile(output)
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}

/**
 * Ghostscript's fax rendering of `pdf` (tiffg4, 204 × 196 dpi) into `output`: one TIFF of every
 * page, or a file a page where `output` holds a %03d.
 */
export async function ghostscriptFaxPages(pdf: string, output: string): Promise<void> {
  await run('gs', [
    '-q',
    '-dNOPAUSE',
    '-dBATCH',
    '-dSAFER',
    '-sDEVICE=tiffg4',
    '-r204x196',
    `-sOutputFile=${output}`,
    pdf,
  ])
}
