/**
 * A render stopped by its signal (the worker lost the job's lease, or is stopping): in its
 * render process, the process is killed at once and the signal's reason thrown, with no TIFF
 * written; in process, it stops at the next page the same way. Fifty pages take seconds, so
 * the abort after the first page always comes before the end.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { renderIsolated } from '../../src/rendering/isolated-renderer.js'
import type { RenderProgress } from '../../src/rendering/render-settings.js'
import type { RenderJob } from '../../src/rendering/render-job.js'
import { renderInProcess } from '../../src/rendering/render-to-tiff.js'
import { documentPath } from '../support/fixtures.js'
import { TEST_RENDER_ISOLATION } from '../support/test-app.js'

let folder: string

function fiftyPages(name: string): RenderJob {
  return {
    documentPaths: [documentPath('fifty-pages.pdf')],
    resolution: 'fine',
    enhancement: false,
    settings: { paper: 'letter', maxPages: 250, maxPicturePixels: 100_000_000, office: undefined },
    outputPath: join(folder, `${name}.tif`),
  }
}

type Run = (
  job: RenderJob,
  onProgress: (progress: RenderProgress) => void,
  signal: AbortSignal,
) => Promise<unknown>

const RUNS: Record<string, Run> = {
  'in its render process': (job, onProgress, signal) =>
    renderIsolated(job, TEST_RENDER_ISOLATION, onProgress, signal),
  'in process': renderInProcess,
}

describe('a render whose signal aborts', () => {
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'faxd-abort-'))
  })
  after(() => {
    rmSync(folder, { recursive: true, force: true })
  })

  for (const [where, run] of Object.entries(RUNS)) {
    it(
      `stops after the page it is on, ${where}, with the signal's reason`,
      { timeout: 60_000 },
      async () => {
        const controller = new AbortController()
        const reason = new Error('the lease on the render job was lost')
        const pages: number[] = []
        const job = fiftyPages(where.replaceAll(' ', '-'))
        const rendering = run(
          job,
          (progress) => {
            pages.push(progress.pagesDone)
            controller.abort(reason)
          },
          controller.signal,
        )
        await assert.rejects(rendering, (error) => error === reason)
        assert.ok(pages.length >= 1 && pages.length < 50, `pages reported: ${pages.length}`)
        assert.equal(existsSync(job.outputPath), false, 'no TIFF written')
      },
    )

    it(`does not start when the signal has already aborted, ${where}`, async () => {
      const controller = new AbortController()
      const reason = new Error('the worker is stopping')
      controller.abort(reason)
      const job = fiftyPages(`${where.replaceAll(' ', '-')}-never`)
      await assert.rejects(
        run(job, () => {}, controller.signal),
        (error) => error === reason,
      )
      assert.equal(existsSync(job.outputPath), false)
    })
  }
})
