/**
 * Hostile documents end their fax with a clear Fax.Plus status, within bounded time and memory,
 * in the render process; the process that asked (the service) carries on. Each render runs the
 * way the service runs it: renderIsolated, a child process with a heap limit, a resident-memory
 * watchdog and a wall-time limit.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { renderIsolated } from '../../src/rendering/isolated-renderer.js'
import type { RenderJob } from '../../src/rendering/render-job.js'
import { RenderingError } from '../../src/rendering/rendering-error.js'
import { documentPath, HOSTILE, hostilePath } from '../support/fixtures.js'
import { TEST_SANDBOX } from '../support/test-app.js'

const LIMITS = { timeoutMs: 120_000, maxMemoryBytes: 2048 * 1024 * 1024, sandbox: TEST_SANDBOX }
/**
 * LibreOffice gets 60 s for a document it should convert: a letter takes 2–3 s alone, and more
 * than 8 s has been seen on a loaded 2-core CI machine. A document that hangs it gets 3 s (120 s
 * in service by default), so that the hang tests are short.
 */
const OFFICE_TIMEOUT_MS = 60_000
const HANG_TIMEOUT_MS = 3_000

let workDirectory: string
let originalTmp: string | undefined

function job(
  documents: readonly string[],
  name: string,
  officeTimeoutMs = OFFICE_TIMEOUT_MS,
): RenderJob {
  return {
    documentPaths: documents,
    resolution: 'fine',
    enhancement: true,
    settings: {
      paper: 'letter',
      maxPages: 250,
      maxPicturePixels: 100_000_000,
      office: {
        program: 'soffice',
        timeoutMs: officeTimeoutMs,
        maxMemoryBytes: 2048 * 1024 * 1024,
      },
    },
    outputPath: join(workDirectory, `${name}.tif`),
  }
}

async function failure(promise: Promise<unknown>): Promise<RenderingError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof RenderingError, String(error))
    return error
  }
  assert.fail('the render succeeded')
}

/** Processes whose command line mentions `directory` (a folder only one test uses). */
async function processesUsing(directory: string): Promise<string[]> {
  try {
    const { stdout } = await promisify(execFile)('pgrep', ['-a', '-f', directory])
    return stdout.split('\n').filter((line) => line.trim() !== '')
  } catch (error) {
    // pgrep exits 1 when nothing matches; anything else (no pgrep at all) must fail the test.
    if ((error as { code?: unknown }).code === 1) {
      return []
    }
    throw error
  }
}

const EXPECTED: Record<string, { status: string; message: RegExp }> = {
  'empty.pdf': { status: 'failed_mimetype_not_supported', message: /not a kind faxd can send/ },
  'truncated.pdf': { status: 'failed_convert_to_tiff_issue', message: /PDF cannot be read/ },
  'encrypted.pdf': { status: 'failed_unknown_converter_issue', message: /password-protected/ },
  'huge-dimensions.png': {
    status: 'failed_image_preparation',
    message: /100000×100000 pixels; at most 100,000,000/,
  },
  'thousand-pages.pdf': {
    status: 'failed_separate_file_pages_issue',
    message: /1000 pages; a fax may have at most 250/,
  },
  'hangs-libreoffice.docx': {
    status: 'failed_office_converter_issue',
    message: /did not finish converting the document within 3 s/,
  },
  'not-a-document.bin': { status: 'failed_mimetype_not_supported', message: /not a kind/ },
  'renamed.pdf': { status: 'failed_mimetype_not_supported', message: /not a kind/ },
}

describe('hostile documents', () => {
  before(() => {
    // The render process and LibreOffice inherit TMPDIR: their temporary files, and the
    // LibreOffice profile, land in a folder only this test uses, so leftovers can be found.
    workDirectory = mkdtempSync(join(tmpdir(), 'faxd-hostile-'))
    originalTmp = process.env['TMPDIR']
    process.env['TMPDIR'] = workDirectory
  })
  after(() => {
    if (originalTmp === undefined) {
      delete process.env['TMPDIR']
    } else {
      process.env['TMPDIR'] = originalTmp
    }
    rmSync(workDirectory, { recursive: true, force: true })
  })

  it('every hostile fixture has an expectation here', () => {
    assert.deepEqual(HOSTILE.map((fixture) => fixture.file).sort(), Object.keys(EXPECTED).sort())
  })

  for (const fixture of HOSTILE) {
    it(`${fixture.file}: ends with a clear status`, { timeout: 90_000 }, async () => {
      const expected = EXPECTED[fixture.file]
      assert.ok(expected)
      const error = await failure(
        renderIsolated(job([hostilePath(fixture.file)], fixture.file, HANG_TIMEOUT_MS), LIMITS),
      )
      assert.equal(error.status, expected.status)
      assert.match(error.message, expected.message)
      assert.throws(() => statSync(join(workDirectory, `${fixture.file}.tif`)), /ENOENT/)
    })
  }

  it('leaves no LibreOffice process behind after a hang', { timeout: 30_000 }, async () => {
    // A hang of its own, in a folder of its own (TMPDIR: the render folder, hence LibreOffice's
    // profile and so its command line, lies in it), with LibreOffice given two seconds.
    const own = mkdtempSync(join(workDirectory, 'hang-'))
    const tmp = process.env['TMPDIR']
    process.env['TMPDIR'] = own
    try {
      const hang = job([hostilePath('hangs-libreoffice.docx')], 'hang')
      const office = { program: 'soffice', timeoutMs: 2_000, maxMemoryBytes: 2048 * 1024 * 1024 }
      const rendering = renderIsolated({ ...hang, settings: { ...hang.settings, office } }, LIMITS)
      // While it hangs, the processes of the render are seen from here (the sandbox's PID
      // namespace hides the host from them, not them from the host): the check below can see
      // any that is left. The render cannot end before LibreOffice has started.
      let seen: string[] = []
      let ended = false
      void rendering
        .catch(() => {})
        .finally(() => {
          ended = true
        })
      while (!ended && !seen.some((line) => line.includes('soffice'))) {
        seen = await processesUsing(own)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      assert.ok(
        seen.some((line) => line.includes('soffice')),
        `LibreOffice was never seen running in ${own}`,
      )
      const error = await failure(rendering)
      assert.equal(error.status, 'failed_office_converter_issue')
      assert.match(error.message, /did not finish converting the document within 2 s/)
      // The render has answered: its sandbox is gone, and every process in it went with it (no
      // grace period: bwrap's PID namespace is emptied before bwrap exits).
      assert.deepEqual(await processesUsing(own), [])
    } finally {
      process.env['TMPDIR'] = tmp
      rmSync(own, { recursive: true, force: true })
    }
  })

  it(
    'caps the memory LibreOffice may map: with 300 MB it cannot convert even a letter',
    { timeout: 60_000 },
    async () => {
      const capped = job([documentPath('letter.docx')], 'capped')
      const office = { program: 'soffice', timeoutMs: 30_000, maxMemoryBytes: 300 * 1024 * 1024 }
      const error = await failure(
        renderIsolated({ ...capped, settings: { ...capped.settings, office } }, LIMITS),
      )
      assert.equal(error.status, 'failed_office_converter_issue')
      // The same letter with the default 2 GB converts (the documents test renders it too).
      const result = await renderIsolated(job([documentPath('letter.docx')], 'uncapped'), LIMITS)
      assert.equal(result.pages, 1)
    },
  )

  it(
    'renders an ordinary document afterwards: the asking process carries on',
    { timeout: 60_000 },
    async () => {
      const result = await renderIsolated(job([documentPath('text-letter.pdf')], 'after'), LIMITS)
      assert.deepEqual(result.pages, 2)
      assert.equal(statSync(join(workDirectory, 'after.tif')).size, result.bytes)
    },
  )

  it(
    'a document past the page limit of the whole fax fails, not only one past its own',
    { timeout: 60_000 },
    async () => {
      const pages = job(Array(6).fill(documentPath('fifty-pages.pdf')) as string[], 'three-hundred')
      const error = await failure(renderIsolated(pages, LIMITS))
      assert.equal(error.status, 'failed_separate_file_pages_issue')
      assert.match(
        error.message,
        /with the PDF's 50 pages the fax would have 300; a fax may have at most 250/,
      )
    },
  )
})

describe('the render process limits', () => {
  before(() => {
    workDirectory = mkdtempSync(join(tmpdir(), 'faxd-limits-'))
  })
  after(() => {
    rmSync(workDirectory, { recursive: true, force: true })
  })

  it('kills a render past its memory limit and says so', { timeout: 60_000 }, async () => {
    // Node alone is resident in more than 32 MB: the watchdog must fire at once.
    const error = await failure(
      renderIsolated(job([documentPath('fifty-pages.pdf')], 'memory'), {
        timeoutMs: 60_000,
        maxMemoryBytes: 32 * 1024 * 1024,
        sandbox: TEST_SANDBOX,
      }),
    )
    assert.equal(error.status, 'failed_convert_to_tiff_issue')
    assert.match(error.message, /needed more than 32 MB/)
  })

  it('kills a render past its time limit and says so', { timeout: 60_000 }, async () => {
    const error = await failure(
      renderIsolated(job([documentPath('fifty-pages.pdf')], 'time'), {
        timeoutMs: 300,
        maxMemoryBytes: 2048 * 1024 * 1024,
        sandbox: TEST_SANDBOX,
      }),
    )
    assert.equal(error.status, 'failed_convert_to_tiff_issue')
    assert.match(error.message, /took longer than 0 s|took longer than/)
  })

  it('reports progress page by page', { timeout: 60_000 }, async () => {
    const seen: number[] = []
    const result = await renderIsolated(
      job([documentPath('text-letter.pdf')], 'progress'),
      LIMITS,
      (progress) => {
        seen.push(progress.pagesDone)
      },
    )
    assert.equal(result.pages, 2)
    assert.deepEqual(seen, [1, 2])
  })
})
