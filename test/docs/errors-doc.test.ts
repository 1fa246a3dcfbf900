/**
 * docs/errors.md stays true to the code: every error code the source can answer with is listed
 * there, with the status it is sent with.
 */
import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { DOMAIN_ERROR_STATUS } from '../../src/api/api-error.js'
import { PROJECT_ROOT as ROOT } from '../support/project-root.js'

async function documentedCodes(): Promise<Map<string, number>> {
  const text = await readFile(join(ROOT, 'docs', 'errors.md'), 'utf8')
  const codes = new Map<string, number>()
  for (const match of text.matchAll(/^\|\s*`([a-z_]+)`(?:, `([a-z_]+)`)?\s*\|\s*(\d{3})\s*\|/gm)) {
    codes.set(match[1] ?? '', Number(match[3]))
    if (match[2]) {
      codes.set(match[2], Number(match[3]))
    }
  }
  return codes
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
}

describe('docs/errors.md', () => {
  it('lists every domain error code with its status', async () => {
    const documented = await documentedCodes()
    for (const [code, status] of Object.entries(DOMAIN_ERROR_STATUS)) {
      assert.equal(documented.get(code), status, `${code} (${status})`)
    }
  })

  it('lists every code the API layer answers with, with its status', async () => {
    const documented = await documentedCodes()
    const found: [string, number][] = []
    for (const file of await sourceFiles(join(ROOT, 'src', 'api'))) {
      const text = await readFile(file, 'utf8')
      for (const m of text.matchAll(/new ApiError\(\s*(\d{3}),\s*'([a-z_]+)'/g)) {
        found.push([m[2] ?? '', Number(m[1])])
      }
      for (const m of text.matchAll(/\[(\d{3}), '([a-z_]+)'\]/g)) {
        found.push([m[2] ?? '', Number(m[1])])
      }
      for (const m of text.matchAll(/error: '([a-z_]+)'/g)) {
        found.push([m[1] ?? '', documented.get(m[1] ?? '') ?? -1])
      }
    }
    assert.ok(found.length > 10, 'the scan found the error sites')
    for (const [code, status] of found) {
      assert.equal(documented.get(code), status, `${code} (${status}) is not in docs/errors.md`)
    }
  })
})
