/**
 * Render folders left by a process that died mid-render (a copy of a fax's documents) are
 * removed when a faxd process prepares its rendering; those of processes still alive, this one
 * included, are left alone. A folder names the process that made it: faxd-render-<pid>-….
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  createRenderFolder,
  removeRenderFolder,
  sweepRenderFolders,
  type RenderFolder,
} from '../../src/rendering/render-sandbox.js'

/** A render folder as a process with `pid` makes it, holding a document. */
async function aFolderOf(pid: number): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), `faxd-render-${pid}-`))
  await writeFile(join(folder, 'document-1'), '%PDF- a customer document')
  return folder
}

describe('render folders left behind', () => {
  let alive: ChildProcess
  let own: RenderFolder
  const made: string[] = []

  before(async () => {
    alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120_000)'], { stdio: 'ignore' })
    own = await createRenderFolder()
  })
  after(async () => {
    const exited = once(alive, 'exit')
    alive.kill()
    await exited
    await removeRenderFolder(own)
    await Promise.all(made.map(async (folder) => rm(folder, { recursive: true, force: true })))
  })

  it('names the folder after this process', () => {
    assert.match(basename(own.root), new RegExp(`^faxd-render-${process.pid}-`))
  })

  it('removes the folders of processes that are gone, and only those', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid
    const ofTheDead = await aFolderOf(gone)
    const ofTheLiving = await aFolderOf(alive.pid ?? 0)
    made.push(ofTheDead, ofTheLiving)
    const removed = await sweepRenderFolders()
    assert.ok(removed >= 1, `removed ${removed}`)
    assert.equal(existsSync(ofTheDead), false, 'the dead process’s folder is gone')
    assert.equal(existsSync(ofTheLiving), true, 'a living process’s folder stays')
    assert.equal(existsSync(own.root), true, 'this process’s own folder stays')
  })

  it('asks whether each process is alive, and leaves folders that name none', async () => {
    const asked: number[] = []
    const pretendGone = await aFolderOf(alive.pid ?? 0)
    const unnamed = await mkdtemp(join(tmpdir(), 'faxd-render-'))
    made.push(pretendGone, unnamed)
    await sweepRenderFolders((pid) => {
      asked.push(pid)
      return pid !== alive.pid
    })
    assert.ok(asked.includes(alive.pid ?? 0))
    assert.ok(!asked.includes(process.pid), 'its own folders are never in question')
    assert.equal(existsSync(pretendGone), false)
    assert.equal(existsSync(unnamed), true, 'a folder without a pid in its name is not touched')
  })
})
