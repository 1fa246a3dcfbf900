/**
 * What each fax coding costs on the line (`npm run bench:codings`, about a minute; LibreOffice
 * for the Office files). See docs/benchmarks.md.
 *
 * Every fixture document (PDFs, text, pictures, and the Office files through LibreOffice)
 * rendered at fine with enhancement, each page coded with MH, MR (K from mrKForResolution) and
 * MMR as a fax line carries them (EOLs and RTC for T.4, EOFB for T.6, no fill for a minimum
 * scan-line time): bytes per page and seconds per page at 14,400 bit/s.
 *
 * Rendering beside Ghostscript is bench/render.bench.ts; the codec alone against libtiff is
 * bench/codec.bench.ts.
 */
import { readFile } from 'node:fs/promises'
import { availableParallelism, loadavg, release } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { Bitmap } from '../src/codec/bitmap.js'
import { encodeMh, encodeMr, mrKForResolution } from '../src/codec/t4.js'
import { encodeMmr } from '../src/codec/t6.js'
import { LETTER, verticalDpi } from '../src/rendering/fax-geometry.js'
import { renderFax } from '../src/rendering/render-fax.js'
import { MAX_PICTURE_PIXELS } from '../src/rendering/render-settings.js'

const DOCUMENTS = new URL('../test/fixtures/documents/', import.meta.url)
const documentPath = (file: string): string => fileURLToPath(new URL(file, DOCUMENTS))
const LINE_BITS_PER_SECOND = 14_400

const SETTINGS = {
  paper: LETTER,
  maxPages: 250,
  maxPicturePixels: MAX_PICTURE_PIXELS,
  office: { program: 'soffice', timeoutMs: 120_000, maxMemoryBytes: 2048 * 1024 * 1024 },
}

async function readDocument(file: string): Promise<Uint8Array> {
  const data = await readFile(documentPath(file))
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

interface CodingSizes {
  readonly mh: number
  readonly mr: number
  readonly mmr: number
}

interface CodingResult {
  readonly file: string
  readonly pages: number
  /** Sums over the document's pages. */
  readonly sizes: CodingSizes
  readonly renderMs: number
}

async function measureCodings(file: string): Promise<CodingResult> {
  const data = await readDocument(file)
  const k = mrKForResolution(verticalDpi('fine'))
  const started = performance.now()
  const pages = await renderFax<CodingSizes>(
    { documents: [data], resolution: 'fine', enhancement: true },
    SETTINGS,
    (bitmap: Bitmap) => ({
      mh: encodeMh(bitmap).length,
      mr: encodeMr(bitmap, { k }).length,
      mmr: encodeMmr(bitmap).length,
    }),
  )
  const renderMs = performance.now() - started
  const sizes = pages.reduce(
    (sum, page) => ({ mh: sum.mh + page.mh, mr: sum.mr + page.mr, mmr: sum.mmr + page.mmr }),
    { mh: 0, mr: 0, mmr: 0 },
  )
  console.log(`  ${file}: ${pages.length} pages, ${renderMs.toFixed(0)} ms`)
  return { file, pages: pages.length, sizes, renderMs }
}

function codingTable(results: readonly CodingResult[]): string {
  const seconds = (bytes: number): string => ((bytes * 8) / LINE_BITS_PER_SECOND).toFixed(1)
  const row = (name: string, pages: number, perPage: CodingSizes): string =>
    `| ${name} | ${pages} | ${perPage.mh.toFixed(0)} | ${perPage.mr.toFixed(0)} | ` +
    `${perPage.mmr.toFixed(0)} | ${seconds(perPage.mh)} | ${seconds(perPage.mr)} | ` +
    `${seconds(perPage.mmr)} | ${(perPage.mmr / perPage.mh).toFixed(2)} |`
  const perPage = (sizes: CodingSizes, pages: number): CodingSizes => ({
    mh: sizes.mh / pages,
    mr: sizes.mr / pages,
    mmr: sizes.mmr / pages,
  })
  const rows = results.map((r) => row(r.file, r.pages, perPage(r.sizes, r.pages)))
  const pages = results.reduce((sum, r) => sum + r.pages, 0)
  const total = results.reduce(
    (sum, r) => ({
      mh: sum.mh + r.sizes.mh,
      mr: sum.mr + r.sizes.mr,
      mmr: sum.mmr + r.sizes.mmr,
    }),
    { mh: 0, mr: 0, mmr: 0 },
  )
  const documentMean = results.reduce(
    (sum, r) => {
      const each = perPage(r.sizes, r.pages * results.length)
      return { mh: sum.mh + each.mh, mr: sum.mr + each.mr, mmr: sum.mmr + each.mmr }
    },
    { mh: 0, mr: 0, mmr: 0 },
  )
  const k = mrKForResolution(verticalDpi('fine'))
  return [
    `Bytes per page at fine, enhancement on; seconds per page at ${LINE_BITS_PER_SECOND.toLocaleString('en')} bit/s:`,
    '',
    `| document | pages | MH bytes/page | MR K=${k} bytes/page | MMR bytes/page | MH s/page | MR s/page | MMR s/page | MMR / MH |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    row('**all pages**', pages, perPage(total, pages)),
    row(`**mean of the ${results.length} documents**`, pages, documentMean),
  ].join('\n')
}

async function main(): Promise<void> {
  const started = performance.now()
  console.log(
    `Codings benchmark, ${new Date().toISOString()}\n` +
      `- Linux ${release()}, Node ${process.version}, ${availableParallelism()} cores, ` +
      `1-minute load average ${(loadavg()[0] ?? 0).toFixed(2)}\n`,
  )
  const manifest = JSON.parse(await readFile(new URL('manifest.json', DOCUMENTS), 'utf8')) as {
    file: string
  }[]
  const codings: CodingResult[] = []
  for (const { file } of manifest) {
    codings.push(await measureCodings(file))
  }
  const officeMs = codings
    .filter((r) => /\.(docx|xlsx|odt|rtf)$/.test(r.file))
    .reduce((sum, r) => sum + r.renderMs, 0)
  console.log(`\n${codingTable(codings)}\n`)
  console.log(
    `Office documents (LibreOffice conversion included): ${(officeMs / 1000).toFixed(1)} s in all; ` +
      `the run took ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  )
}

await main()
