/**
 * The service's render processes (render-process-pool.ts), sandboxed as the service runs them: a
 * process that rendered a fax renders the next of the same owner, never another owner's; it
 * keeps nothing of a fax in its folder once the fax is done; it leaves after a fax that failed or
 * was large; and closing the pool ends the processes that wait. Which process rendered a fax is
 * read from /proc: the render processes under this one.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, before, describe, it } from 'node:test'
import { RenderProcessPool } from '../../src/rendering/render-process-pool.js'
import type { RenderJob } from '../../src/rendering/render-job.js'
import { RenderingError } from '../../src/rendering/rendering-error.js'
import { descendantsOf } from '../../src/sandbox/process-tree.js'
import { documentPath, hostilePath } from '../support/fixtures.js'
import { TEST_RENDER_ISOLATION } from '../support/test-app.js'

let folder: string
let pool: RenderProcessPool
let made = 0

function job(owner: string | undefined, document: string): RenderJob {
  return {
    ...(owner === undefined ? {} : { owner }),
    documentPaths: [document],
    resolution: 'fine',
    enhancement: true,
    settings: { paper: 'letter', maxPages: 250, maxPicturePixels: 100_000_000, office: undefined },
    outputPath: join(folder, `${made++}.tif`),
  }
}

/** The render processes (Node.js running render-process) under this one, by pid. */
async function renderProcesses(): Promise<number[]> {
  const cmdline = (pid: number): string => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    } catch {
      return ''
    }
  }
  return (await descendantsOf(process.pid))
    .filter((pid) => cmdline(pid).startsWith(process.execPath))
    .filter((pid) => cmdline(pid).includes('render-process'))
    .sort((a, b) => a - b)
}

/** The files in the render folders of this process, each as `folder/name`. */
function filesInRenderFolders(): string[] {
  return readdirSync(tmpdir())
    .filter((name) => name.startsWith(`faxd-render-${process.pid}-`))
    .flatMap((name) =>
      ['in', 'out'].flatMap((part) =>
        readdirSync(join(tmpdir(), name, part)).map((file) => `${name}/${part}/${file}`),
      ),
    )
}

describe('the render processes of a service', () => {
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'faxd-pool-'))
  })
  afterEach(async () => {
    await pool.close()
  })
  after(() => {
    rmSync(folder, { recursive: true, force: true })
  })

  it("render an owner's next fax in the same process, and another owner's in another", async () => {
    pool = new RenderProcessPool(TEST_RENDER_ISOLATION)
    const first = job('alice', documentPath('letter.pdf'))
    assert.deepEqual(await pool.render(first), {
      pages: 1,
      bytes: statSync(first.outputPath).size,
    })
    const [alices] = await renderProcesses()
    assert.notEqual(alices, undefined, 'a process waits for alice')
    await pool.render(job('alice', documentPath('text-letter.pdf')))
    assert.deepEqual(await renderProcesses(), [alices])

    await pool.render(job('bob', documentPath('letter.pdf')))
    const both = await renderProcesses()
    assert.equal(both.length, 2, `processes: ${both.join(', ')}`)
    const [bobs] = both.filter((pid) => pid !== alices)

    // Each again: each in its own.
    await pool.render(job('bob', documentPath('text-letter.pdf')))
    await pool.render(job('alice', documentPath('letter.pdf')))
    assert.deepEqual(
      await renderProcesses(),
      [alices, bobs].sort((a, b) => (a ?? 0) - (b ?? 0)),
    )
  })

  it('keep nothing of a fax in the folder once it is done, the documents nor the pages', async () => {
    pool = new RenderProcessPool(TEST_RENDER_ISOLATION)
    await pool.render(job('alice', documentPath('text-letter.pdf')))
    assert.equal((await renderProcesses()).length, 1)
    assert.deepEqual(filesInRenderFolders(), [])
  })

  it('let a process go after a fax that failed, and after a large one', async () => {
    pool = new RenderProcessPool(TEST_RENDER_ISOLATION)
    await assert.rejects(
      pool.render(job('alice', hostilePath('truncated.pdf'))),
      (error) => error instanceof RenderingError,
    )
    assert.deepEqual(await renderProcesses(), [])

    // 50 pages: the process lowered its priority, and is not kept to start the next fax slowed.
    assert.equal((await pool.render(job('alice', documentPath('fifty-pages.pdf')))).pages, 50)
    assert.deepEqual(await renderProcesses(), [])
  })

  it('give a fax without an owner a process of its own', async () => {
    pool = new RenderProcessPool(TEST_RENDER_ISOLATION)
    await pool.render(job(undefined, documentPath('letter.pdf')))
    assert.deepEqual(await renderProcesses(), [])
  })

  it('end the waiting processes and remove their folders when closed', async () => {
    pool = new RenderProcessPool(TEST_RENDER_ISOLATION)
    await pool.render(job('alice', documentPath('letter.pdf')))
    await pool.render(job('bob', documentPath('letter.pdf')))
    assert.equal((await renderProcesses()).length, 2)
    await pool.close()
    assert.deepEqual(await renderProcesses(), [])
    assert.deepEqual(
      readdirSync(tmpdir()).filter((name) => name.startsWith(`faxd-render-${process.pid}-`)),
      [],
    )
    // A closed pool still renders, in a process of the fax's own.
    assert.equal((await pool.render(job('alice', documentPath('letter.pdf')))).pages, 1)
    assert.deepEqual(await renderProcesses(), [])
  })
})
