/**
 * A render job, in this process: the documents are read, rendered page by page, each page coded
 * with T.6 (MMR, the smallest of the fax codings and what faxd offers first on the line), and the
 * pages written as one TIFF Class F file. The file appears under its final name only when it is
 * complete and on disk.
 */
import { open, readFile, rename, rm } from 'node:fs/promises'
import { encodeMmr } from '../codec/t6.js'
import { writeEncodedTiffF } from '../codec/tiff-write.js'
import type { EncodedPage } from '../codec/tiff-write.js'
import { A4, HORIZONTAL_DPI, LETTER, verticalDpi } from './fax-geometry.js'
import type { RenderProgress } from './render-settings.js'
import { renderFax } from './render-fax.js'
import type { RenderJob } from './render-job.js'
import { asRenderingError } from './rendering-error.js'

/**
 * renderToTiff with every failure a RenderingError, as a render process reports it: the same
 * rendering in this process, without the isolation (for tests of what the pages say). `signal`
 * stops it between pages, with the signal's reason.
 */
export async function renderInProcess(
  job: RenderJob,
  onProgress: (progress: RenderProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<{ pages: number; bytes: number }> {
  signal?.throwIfAborted()
  try {
    return await renderToTiff(job, (progress) => {
      signal?.throwIfAborted()
      onProgress(progress)
    })
  } catch (error) {
    if (signal?.aborted === true) {
      throw signal.reason
    }
    throw asRenderingError(error)
  }
}

export async function renderToTiff(
  job: RenderJob,
  onProgress: (progress: RenderProgress) => void = () => {},
  onPagesKnown: (pages: number) => void = () => {},
): Promise<{ pages: number; bytes: number }> {
  const documents = await Promise.all(job.documentPaths.map(async (file) => readOctets(file)))
  const logo = job.cover?.logoPath === undefined ? undefined : await readOctets(job.cover.logoPath)
  const settings = { ...job.settings, paper: job.settings.paper === 'a4' ? A4 : LETTER }
  const pages = await renderFax<EncodedPage>(
    {
      documents,
      ...(job.cover === undefined
        ? {}
        : { cover: { cover: job.cover.cover, date: job.cover.date, ...(logo ? { logo } : {}) } }),
      resolution: job.resolution,
      enhancement: job.enhancement,
    },
    settings,
    (bitmap) => ({
      width: bitmap.width,
      height: bitmap.height,
      compression: 'mmr',
      data: encodeMmr(bitmap),
    }),
    onProgress,
    onPagesKnown,
  )
  const tiff = writeEncodedTiffF(pages, {
    xDpi: HORIZONTAL_DPI,
    yDpi: verticalDpi(job.resolution),
    software: 'faxd',
  })
  await writeDurably(job.outputPath, tiff)
  return { pages: pages.length, bytes: tiff.length }
}

async function readOctets(file: string): Promise<Uint8Array> {
  const data = await readFile(file)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

async function writeDurably(file: string, data: Uint8Array): Promise<void> {
  const temporary = `${file}.partial`
  const handle = await open(temporary, 'w')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}
