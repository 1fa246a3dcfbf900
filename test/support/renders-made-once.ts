/**
 * A PageRenderer for tests of what comes after the render (calls, retries, the outbox), where
 * the same documents are sent again and again: each distinct render (the documents' content,
 * the cover, the resolution, the enhancement, the settings) is made once by the real renderer in
 * this process, and later requests for it get a copy of that TIFF-F. Everything around the
 * render stays as the service has it: FileStoreRenderer copies the documents out of the
 * FileStore and puts the pages back under the request's key. What the pages look like is
 * checked by the rendering tests, not here; a render costs a tenth of a second a page.
 */
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import type { PageRenderer } from '../../src/domain/page-renderer.js'
import type { FileStore } from '../../src/domain/ports.js'
import { FileStoreRenderer, type RunRender } from '../../src/rendering/file-store-renderer.js'
import type { RenderJob } from '../../src/rendering/render-job.js'
import { TEST_RENDER_SETTINGS, renderInTestProcess } from './test-app.js'

interface Made {
  readonly tiff: Uint8Array
  readonly result: { pages: number; bytes: number }
}

/** Shared by every renderer of the test file: the pages do not depend on the store. */
const made = new Map<string, Promise<Made>>()

/** What makes one render differ from another: the content of its files, not their paths. */
async function renderKey(job: RenderJob): Promise<string> {
  const hash = createHash('sha256')
  const contentOf = async (path: string) => createHash('sha256').update(await readFile(path))
  for (const path of job.documentPaths) {
    hash.update((await contentOf(path)).digest('hex'))
  }
  const { logoPath, ...cover } = job.cover ?? {}
  hash.update(logoPath === undefined ? '-' : (await contentOf(logoPath)).digest('hex'))
  hash.update(
    JSON.stringify([
      cover,
      job.resolution,
      job.enhancement,
      job.settings,
      job.documentPaths.length,
    ]),
  )
  return hash.digest('hex')
}

const renderOnce: RunRender = async (job, onProgress, signal) => {
  const key = await renderKey(job)
  let render = made.get(key)
  if (render === undefined) {
    render = (async () => {
      const result = await renderInTestProcess(job, onProgress, signal)
      return { tiff: new Uint8Array(await readFile(job.outputPath)), result }
    })()
    made.set(key, render)
    // A failure (a document that cannot be rendered, an abort) is not kept: it is tried again.
    render.catch(() => made.delete(key))
    return (await render).result
  }
  signal?.throwIfAborted()
  const { tiff, result } = await render
  await writeFile(job.outputPath, tiff)
  return result
}

/** A renderer over `files` that makes each distinct render once per test file. */
export function rendersMadeOnce(files: FileStore): PageRenderer {
  return new FileStoreRenderer(files, TEST_RENDER_SETTINGS, renderOnce)
}
