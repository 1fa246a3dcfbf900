/**
 * The web console's files at / (src/api/routes/console.ts): exactly the files Vite's manifest
 * names, from memory, with their types and caching; and, where the console was not built, a
 * page that says so instead of the API's 404.
 */
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import { CONSOLE_CSP, loadConsole, registerConsoleRoutes } from '../../src/api/routes/console.js'
import { openTestApp } from '../support/test-app.js'

describe('the web console route', () => {
  let folder: string
  let app: FastifyInstance

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'faxd-console-files-'))
    await mkdir(join(folder, '.vite'), { recursive: true })
    await mkdir(join(folder, 'assets'))
    await writeFile(join(folder, 'index.html'), '<!doctype html><title>faxd</title>')
    await writeFile(join(folder, 'assets', 'index-abc.js'), 'console.log(1)')
    await writeFile(join(folder, 'assets', 'index-abc.css'), 'body{}')
    await writeFile(join(folder, 'assets', 'stray.js'), 'not in the manifest')
    await writeFile(
      join(folder, '.vite', 'manifest.json'),
      JSON.stringify({
        'index.html': { file: 'assets/index-abc.js', css: ['assets/index-abc.css'] },
      }),
    )
    app = Fastify()
    registerConsoleRoutes(app, await loadConsole(folder))
  })
  after(async () => {
    await app.close()
    await rm(folder, { recursive: true, force: true })
  })

  it('serves index.html uncached, under a policy that reaches nothing but this server', async () => {
    const page = await app.inject({ method: 'GET', url: '/' })
    assert.equal(page.statusCode, 200)
    assert.equal(page.body, '<!doctype html><title>faxd</title>')
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8')
    assert.equal(page.headers['cache-control'], 'no-cache')
    assert.equal(page.headers['content-security-policy'], CONSOLE_CSP)
    assert.equal(page.headers['x-frame-options'], 'DENY')
    assert.equal(page.headers['x-content-type-options'], 'nosniff')
  })

  it("serves the manifest's assets for a year, and nothing else", async () => {
    const script = await app.inject({ method: 'GET', url: '/assets/index-abc.js' })
    assert.equal(script.statusCode, 200)
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8')
    assert.equal(script.headers['cache-control'], 'public, max-age=31536000, immutable')
    const style = await app.inject({ method: 'GET', url: '/assets/index-abc.css' })
    assert.equal(style.headers['content-type'], 'text/css; charset=utf-8')
    for (const url of [
      '/assets/stray.js',
      '/assets/..%2Findex.html',
      '/assets/.vite%2Fmanifest.json',
    ]) {
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 404, url)
    }
  })

  it('says the console is not built where it is not, and the API still answers', async () => {
    assert.equal(await loadConsole(join(folder, 'nothing-here')), null)
    const t = await openTestApp()
    try {
      const page = await t.request('GET', '/')
      assert.equal(page.statusCode, 404)
      assert.match(page.body, /The web console is not built in this installation: `npm run build`/)
      assert.equal((await t.request('GET', '/healthz')).statusCode, 200)
    } finally {
      await t.close()
    }
  })
})
