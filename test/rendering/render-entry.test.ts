/**
 * A render process starts from built JavaScript wherever the build is current (the render
 * process as one file while it is at least as new as the modules, else the modules), and from
 * the TypeScript sources (through tsx) only when the build is missing or older than a source
 * file.
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
  const at = (file: string, seconds: number) => {
    writeFileSync(join(root, file), '')
    utimesSync(join(root, file), seconds, seconds)
  }
  const self = () => pathToFileURL(join(root, 'src/rendering/isolated-renderer.ts')).href
  const built = () => pathToFileURL(join(root, 'dist/rendering/isolated-renderer.js')).href
  const entry = (from: string) => renderEntry(from).pathname.slice(root.length + 1)

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'faxd-entry-'))
    mkdirSync(join(root, 'src/rendering'), { recursive: true })
    mkdirSync(join(root, 'src/codec'), { recursive: true })
    mkdirSync(join(root, 'dist/rendering'), { recursive: true })
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
    assert.equal(entry(self()), 'dist/rendering/render-process.js')
  })

  it('is the bundle, from the sources or the build, while it is as new as the modules', () => {
    at('dist/rendering/render-process.cjs', 1000)
    assert.equal(entry(self()), 'dist/rendering/render-process.cjs')
    assert.equal(entry(built()), 'dist/rendering/render-process.cjs')
  })

  it('is the modules once they are newer than the bundle (tsc ran, the bundler did not)', () => {
    at('dist/rendering/render-process.js', 1500)
    assert.equal(entry(self()), 'dist/rendering/render-process.js')
    assert.equal(entry(built()), 'dist/rendering/render-process.js')
  })

  it('is the sources again once any source file is newer than the build', () => {
    at('dist/rendering/render-process.cjs', 2000)
    at('dist/rendering/render-process.js', 2000)
    at('src/codec/t6.ts', 2001)
    assert.equal(entry(self()), 'src/rendering/render-process.ts')
  })
})
