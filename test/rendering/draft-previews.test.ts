/**
 * Previews of drafts (PageRenderer.previewDraft, behind GET …/files/pages/{page}): a draft is
 * rendered once for all its pages; two render at a time and eight more may wait, and the next
 * one asked for is refused with previews_busy (503, Retry-After) rather than queued without end.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { DomainError } from '../../src/domain/domain-error.js'
import { FileStoreRenderer, type RunRender } from '../../src/rendering/file-store-renderer.js'
import { FsFileStore } from '../../src/storage/files/fs-file-store.js'
import { documentPath } from '../support/fixtures.js'
import { renderInTestProcess, TEST_RENDER_SETTINGS } from '../support/test-app.js'

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

describe('draft previews', () => {
  let folder: string
  let files: FsFileStore
  const keys: string[] = []

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'faxd-drafts-'))
    files = new FsFileStore(folder)
    const letter = new Uint8Array(await readFile(documentPath('text-letter.pdf')))
    for (let n = 0; n < 11; n++) {
      keys.push(`uploads/draft-${n}`)
      await files.put(`uploads/draft-${n}`, once(letter), 10_000_000)
    }
  })
  after(async () => rm(folder, { recursive: true, force: true }))

  const draft = (key: string) => ({
    owner: 'u1',
    documentKeys: [key],
    resolution: 'fine' as const,
    enhancement: true,
  })

  it('renders a draft once for all its pages', async () => {
    let runs = 0
    const counted: RunRender = async (...args) => {
      runs++
      return renderInTestProcess(...args)
    }
    const renderer = new FileStoreRenderer(files, TEST_RENDER_SETTINGS, counted)
    const [first, second] = await Promise.all([
      renderer.previewDraft(draft(keys[0]!), 1, 200),
      renderer.previewDraft(draft(keys[0]!), 2, 200),
    ])
    const third = await renderer.previewDraft(draft(keys[0]!), 3, 200)
    assert.equal(runs, 1)
    assert.ok(first.ok && first.png !== null && first.pages === 2)
    assert.ok(second.ok && second.png !== null)
    assert.ok(third.ok && third.png === null, 'no page 3')
  })

  it('refuses the eleventh draft while two render and eight wait, then draws them all', async () => {
    let open: () => void = () => {}
    const gate = new Promise<void>((resolve) => (open = resolve))
    let started = 0
    const gated: RunRender = async (...args) => {
      started++
      await gate
      return renderInTestProcess(...args)
    }
    const renderer = new FileStoreRenderer(files, TEST_RENDER_SETTINGS, gated)
    const asked = keys.slice(0, 10).map(async (key) => renderer.previewDraft(draft(key), 1, 100))
    // Wait until the first two are in their render and the other eight in the queue.
    while (started < 2) {
      await new Promise((resolve) => setImmediate(resolve))
    }
    await assert.rejects(
      renderer.previewDraft(draft(keys[10]!), 1, 100),
      (error: unknown) =>
        error instanceof DomainError &&
        error.code === 'previews_busy' &&
        error.retryAfterSeconds === 5,
    )
    // A draft already asked for is not refused: it is waited for with the others.
    const again = renderer.previewDraft(draft(keys[9]!), 1, 100)
    open()
    const answers = await Promise.all([...asked, again])
    assert.deepEqual(
      answers.map((answer) => answer.ok && answer.png !== null),
      Array(11).fill(true),
    )
    assert.equal(started, 10)
  })
})
