/**
 * A render process starts from built JavaScript wherever the build is current (the render
 * process as one file while none of the modules it was made of is newer, else the modules), and
 * from the TypeScript sources (through tsx) only when the build is missing or older than a
 * source file.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { renderEntry } from '../../src/rendering/render-entry.js'

describe('the render entry', () => {
  let root: string
  const at = (file: string, seconds: number, text = '') => {
    writeFileSync(join(root, file), text)
    utimesSync(join(root, file), seconds, seconds)
  }
  const self = () => pathToFileURL(join(root, 'src/rendering/isolated-renderer.ts')).href
  const built = () => pathToFileURL(join(root, 'dist/rendering/isolated-renderer.js')).href
  const entry = (from: string) => renderEntry(from).pathname.slice(root.length + 1)
  /** The bundle at `seconds`, made of render-process.js and codec/t6.js (render-process.inputs.json). */
  const bundleAt = (seconds: number) => {
    at('dist/rendering/render-process.cjs', seconds)
    at(
      'dist/rendering/render-process.inputs.json',
      seconds,
      JSON.stringify(['render-process.js', '../codec/t6.js']),
    )
  }

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'faxd-entry-'))
    for (const folder of ['src/rendering', 'src/codec', 'dist/rendering', 'dist/codec']) {
      mkdirSync(join(root, folder), { recursive: true })
    }
    at('src/rendering/isolated-renderer.ts', 1000)
    at('src/rendering/render-process.ts', 1000)
    at('src/codec/t6.ts', 1000)
  })
  after(() => rmSync(root, { recursive: true, force: true }))

  it('is the built modules beside a built module, when there is no bundle', () => {
    assert.equal(entry(built()), 'dist/rendering/render-process.js')
  })

  it('is the sources when there is no build', () => {
    assert.equal(entry(self()), 'src/rendering/render-process.ts')
  })

  it('is the built modules when the build is at least as new as every source file', () => {
    at('dist/rendering/render-process.js', 1000)
    at('dist/codec/t6.js', 1000)
    assert.equal(entry(self()), 'dist/rendering/render-process.js')
  })

  it('is the bundle, from the sources or the build, while none of its modules is newer', () => {
    bundleAt(1000)
    assert.equal(entry(self()), 'dist/rendering/render-process.cjs')
    assert.equal(entry(built()), 'dist/rendering/render-process.cjs')
  })

  it('is the modules once any module of the bundle is newer (tsc ran, the bundler did not)', () => {
    // An incremental tsc rewrites the modules that changed: here not render-process.js.
    at('dist/codec/t6.js', 1500)
    assert.equal(entry(self()), 'dist/rendering/render-process.js')
    assert.equal(entry(built()), 'dist/rendering/render-process.js')
    bundleAt(1500)
    assert.equal(entry(built()), 'dist/rendering/render-process.cjs')
  })

  it('is the modules when the bundle has no list of its modules, or one of them is gone', () => {
    rmSync(join(root, 'dist/rendering/render-process.inputs.json'))
    assert.equal(entry(built()), 'dist/rendering/render-process.js')
    bundleAt(1500)
    rmSync(join(root, 'dist/codec/t6.js'))
    assert.equal(entry(built()), 'dist/rendering/render-process.js')
    at('dist/codec/t6.js', 1500)
    assert.equal(entry(built()), 'dist/rendering/render-process.cjs')
  })

  it('is the sources again once any source file is newer than the build', () => {
    at('dist/rendering/render-process.js', 2000)
    bundleAt(2000)
    at('src/codec/t6.ts', 2001)
    assert.equal(entry(self()), 'src/rendering/render-process.ts')
  })
})
