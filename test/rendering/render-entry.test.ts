/**
 * A render process starts from built JavaScript wherever the build is current, and from the
 * TypeScript sources (through tsx) only when the build is missing or older than a source file.
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

  it('is the built file beside a built module', () => {
    const built = pathToFileURL(join(root, 'dist/rendering/isolated-renderer.js')).href
    assert.equal(renderEntry(built).href, new URL('./render-process.js', built).href)
  })

  it('is the sources when there is no build', () => {
    assert.ok(renderEntry(self()).pathname.endsWith('/src/rendering/render-process.ts'))
  })

  it('is the build when it is at least as new as every source file', () => {
    at('dist/rendering/render-process.js', 1000)
    assert.ok(renderEntry(self()).pathname.endsWith('/dist/rendering/render-process.js'))
  })

  it('is the sources again once any source file is newer than the build', () => {
    at('dist/rendering/render-process.js', 2000)
    at('src/codec/t6.ts', 2001)
    assert.ok(renderEntry(self()).pathname.endsWith('/src/rendering/render-process.ts'))
  })
})
