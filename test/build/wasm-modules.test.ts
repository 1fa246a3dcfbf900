/**
 * faxd's WebAssembly is committed as generated TypeScript (scripts/build-wasm.mjs): each module
 * must hold exactly what its AssemblyScript source in wasm/ compiles to now, so that what runs is
 * what the source says.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'

/** The checkout: the suite runs from .build/, where package.json is a link to the checkout's. */
const ROOT = dirname(realpathSync(join(import.meta.dirname, '..', '..', 'package.json')))

describe('the WebAssembly modules', () => {
  it('hold what wasm/ compiles to (node scripts/build-wasm.mjs --check)', async () => {
    const { stderr } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'scripts', 'build-wasm.mjs'), '--check'],
      { cwd: ROOT },
    ).catch((error: { stderr: string; code: number }) => {
      assert.fail(`scripts/build-wasm.mjs --check exited ${error.code}: ${error.stderr}`)
    })
    assert.equal(stderr, '')
  })
})
