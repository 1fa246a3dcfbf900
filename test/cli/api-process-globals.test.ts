/**
 * The API process keeps the engine's own JSON and arrays. pdf.js's legacy build, faxd's PDF
 * renderer before PDFium, brought core-js polyfills that replaced `JSON.stringify`, `JSON.parse`
 * and `Array.prototype.push` for the whole process (slower on every request), so no renderer may
 * be loaded where the API runs: faxd serve
 * renders in its isolated render processes. Here the server runs in this test's own process, as
 * `faxd serve` runs it (startServer, the embedded worker), takes a PDF, makes its pages and
 * shows a preview; then this process's globals must still be the functions they were before
 * faxd was imported. (Identity, not Function.prototype.toString: core-js makes its polyfills
 * print as native code.) This file imports nothing of faxd's before it takes them. Nor may the
 * renderers' native libraries be in the process (canvas never; libvips, which draws previews,
 * only once one was asked for): /proc/self/maps lists what is loaded.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'

/** Taken before anything of faxd's is imported (below, in before()). */
const ENGINE_OWN = {
  stringify: JSON.stringify,
  parse: JSON.parse,
  push: Array.prototype.push,
}

/** A one-page render takes about a second; the bound leaves room for a loaded machine. */
const PAGES_WITHIN_MS = 60_000
const NUMBER = '+15555550150'

const LETTER = join(import.meta.dirname, '..', 'fixtures', 'documents', 'text-letter.pdf')

/**
 * The native libraries of the renderers, as /proc/self/maps names them once loaded: canvas
 * (Skia) draws text, covers and PDF pages in the render processes only.
 */
const RENDERER_LIBRARIES = [/napi-rs[/\\]canvas/, /skia\.[^/]*\.node$/]
/** libvips draws the previews: loaded at the first preview, not when the server starts. */
const PREVIEW_LIBRARY = /sharp-[^/]*\.node$/

async function nativeLibraries(): Promise<string[]> {
  const maps = await readFile('/proc/self/maps', 'utf8')
  return [...new Set(maps.split('\n').map((line) => line.split(/\s+/)[5] ?? ''))].filter((file) =>
    file.endsWith('.node'),
  )
}

function assertEngineOwn(): void {
  assert.equal(JSON.stringify, ENGINE_OWN.stringify, 'JSON.stringify was replaced')
  assert.equal(JSON.parse, ENGINE_OWN.parse, 'JSON.parse was replaced')
  assert.equal(Array.prototype.push, ENGINE_OWN.push, 'Array.prototype.push was replaced')
}

describe('the globals of the API process', () => {
  let dataDir: string
  let app: FastifyInstance
  let url: string
  let token: string

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'faxd-globals-'))
    const env = { FAXD_DATA: dataDir, DATABASE_URL: '' }
    const { aSenderWithToken } = await import('../support/operator-setup.js')
    token = await aSenderWithToken({ dataDir }, 'globals@example.test', NUMBER)
    const { readConfig } = await import('../../src/config.js')
    const { startServer } = await import('../../src/main.js')
    ;({ app, url } = await startServer(
      readConfig({ ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }),
    ))
  })
  after(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('load no renderer library with the server, and not even libvips before a preview', async () => {
    const loaded = await nativeLibraries()
    for (const library of [...RENDERER_LIBRARIES, PREVIEW_LIBRARY]) {
      assert.deepEqual(
        loaded.filter((file) => library.test(file)),
        [],
      )
    }
  })

  it('are the engine’s own after a PDF was taken, made into pages and previewed', async () => {
    assertEngineOwn()
    const headers = { authorization: `Bearer ${token}` }
    const form = new FormData()
    const pdf = await readFile(LETTER)
    form.append('fax_file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'l.pdf')
    const uploaded = await fetch(`${url}/v3/accounts/self/files`, {
      method: 'POST',
      headers,
      body: form,
    })
    const { path } = (await uploaded.json()) as { path: string }
    const sendTime = `${new Date(Date.now() + 3_600_000).toISOString().slice(0, 19).replace('T', ' ')} +0000`
    const sent = await fetch(`${url}/v3/accounts/self/outbox`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        from: NUMBER,
        to: ['+15555550100'],
        files: [path],
        send_time: sendTime,
      }),
    })
    assert.equal(sent.status, 201, await sent.clone().text())
    const listed = await fetch(`${url}/v3/accounts/self/outbox`, { headers })
    const id = ((await listed.json()) as { records: { id: string }[] }).records[0]?.id ?? ''
    // The embedded worker makes the pages; the preview is drawn from them.
    const deadline = Date.now() + PAGES_WITHIN_MS
    for (;;) {
      const entry = await fetch(`${url}/v3/accounts/self/outbox/${id}`, { headers })
      const { page_count: pages } = (await entry.json()) as { page_count: number }
      if (pages > 0) {
        break
      }
      assert.ok(Date.now() < deadline, `no pages after ${PAGES_WITHIN_MS} ms`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const preview = await fetch(`${url}/v3/accounts/self/outbox/${id}/pages/1`, { headers })
    assert.equal(preview.status, 200)
    assert.equal(preview.headers.get('content-type'), 'image/png')
    assertEngineOwn()
    const loaded = await nativeLibraries()
    for (const library of RENDERER_LIBRARIES) {
      assert.deepEqual(
        loaded.filter((file) => library.test(file)),
        [],
      )
    }
    assert.ok(
      loaded.some((file) => PREVIEW_LIBRARY.test(file)),
      'the preview loaded libvips',
    )
  })
})
