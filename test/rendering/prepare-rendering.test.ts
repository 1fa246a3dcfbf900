/**
 * What faxd does at start-up about the sandbox (prepare-rendering.ts): with bubblewrap
 * working, every render is confined and the data folder is hidden; where it cannot start, Office
 * documents are refused and the operator is told why in one clear message; with FAXD_SANDBOX=none,
 * everything renders unconfined, with a warning that names the risk.
 */
import assert from 'node:assert/strict'
import { rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { readConfig } from '../../src/config.js'
import { prepareRendering } from '../../src/prepare-rendering.js'
import { renderableKinds } from '../../src/rendering/render-settings.js'
import { renderIsolated } from '../../src/rendering/isolated-renderer.js'
import { RenderingError } from '../../src/rendering/rendering-error.js'
import { documentPath } from '../support/fixtures.js'

const DATA = '/var/lib/faxd-test-data'

/** Each test's limit: several times the few seconds each takes at most on an idle machine. */
const PER_TEST = { timeout: 60_000 }

describe('the sandbox at start-up', () => {
  it(
    'confines renders with bubblewrap where it works, hiding the data folder',
    PER_TEST,
    async () => {
      const setup = await prepareRendering(readConfig({}).rendering, DATA)
      assert.deepEqual(setup.notices, [])
      assert.equal(setup.isolation.sandbox.kind, 'bubblewrap')
      assert.ok(setup.isolation.sandbox.kind === 'bubblewrap')
      assert.deepEqual(setup.isolation.sandbox.hidden, [DATA])
      assert.ok(renderableKinds(setup.settings.office).has('office'))
    },
  )

  for (const [why, bwrap, reason] of [
    ['is not installed', null, /bubblewrap \(bwrap\) is not installed/],
    ['cannot start here', '/bin/false', /\/bin\/false failed \(exit 1\)/],
    ['is not a program', '/nonexistent/bwrap', /cannot be started/],
  ] as const) {
    it(`refuses Office documents, and says so, when bubblewrap ${why}`, PER_TEST, async () => {
      const setup = await prepareRendering(readConfig({}).rendering, DATA, bwrap)
      assert.equal(setup.settings.office, undefined)
      assert.equal(renderableKinds(setup.settings.office).has('office'), false)
      assert.ok(renderableKinds(setup.settings.office).has('pdf'))
      assert.equal(setup.isolation.sandbox.kind, 'none')
      assert.equal(setup.notices.length, 1)
      const [notice] = setup.notices
      assert.equal(notice?.level, 'error')
      assert.match(notice?.message ?? '', reason)
      assert.match(notice?.message ?? '', /Office documents are refused/)
      assert.match(notice?.message ?? '', /FAXD_SANDBOX=none/)
    })
  }

  it(
    'a worker without the sandbox ends an Office fax saying why, and still renders a PDF',
    PER_TEST,
    async () => {
      const setup = await prepareRendering(readConfig({}).rendering, DATA, null)
      const job = (file: string) => ({
        documentPaths: [documentPath(file)],
        resolution: 'fine' as const,
        enhancement: true,
        settings: {
          paper: 'letter' as const,
          maxPages: setup.settings.maxPages,
          maxPicturePixels: setup.settings.maxPicturePixels,
          office: setup.settings.office,
        },
        outputPath: join(tmpdir(), `faxd-no-sandbox-${process.pid}.tif`),
      })
      await assert.rejects(
        renderIsolated(job('letter.docx'), setup.isolation),
        (error: unknown) =>
          error instanceof RenderingError &&
          error.status === 'failed_mimetype_not_supported' &&
          /Office document or a web page, which this server does not convert/.test(error.message) &&
          /cannot be sandboxed here/.test(error.message),
      )
      const pdf = job('text-letter.pdf')
      assert.deepEqual(await renderIsolated(pdf, setup.isolation), {
        pages: 2,
        bytes: statSync(pdf.outputPath).size,
      })
      rmSync(pdf.outputPath)
    },
  )

  it('renders everything unconfined with FAXD_SANDBOX=none, with a warning', PER_TEST, async () => {
    const setup = await prepareRendering(readConfig({ FAXD_SANDBOX: 'none' }).rendering, DATA)
    assert.equal(setup.isolation.sandbox.kind, 'none')
    assert.ok(renderableKinds(setup.settings.office).has('office'))
    assert.equal(setup.notices.length, 1)
    assert.equal(setup.notices[0]?.level, 'warn')
    assert.match(setup.notices[0]?.message ?? '', /without a sandbox/)
  })
})
