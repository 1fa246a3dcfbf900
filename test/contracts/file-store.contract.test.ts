/** Contract of FileStore, on FsFileStore in a fresh temp folder per test. */
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { readAllBytes } from '../../src/domain/ports.js'
import { FsFileStore } from '../../src/storage/files/fs-file-store.js'
import { assertRejectsWithCode } from '../support/domain-error-assertions.js'

/** Yields the chunks one event-loop turn apart, as a network upload would. */
async function* chunksOf(...chunks: string[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) {
    await nextTurn()
    yield Buffer.from(chunk)
  }
}

async function readAll(source: AsyncIterable<Uint8Array>): Promise<string> {
  return Buffer.from(await readAllBytes(source)).toString()
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name)
}

describe('FsFileStore', () => {
  let root: string
  let files: FsFileStore
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'faxd-files-'))
    files = new FsFileStore(join(root, 'store'))
  })
  afterEach(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('gives back the bytes it stored, and their size', async () => {
    const stored = await files.put('doc.pdf', chunksOf('%PDF-', 'hello ', 'world'), 1_000)
    assert.deepEqual(stored, { sizeBytes: 16 })
    assert.equal(await readAll(files.get('doc.pdf')), '%PDF-hello world')
  })

  it('reads back, with readAllBytes, a document of many chunks byte for byte', async () => {
    const content = Buffer.alloc(300_000)
    for (let i = 0; i < content.length; i++) {
      content[i] = (i * 7 + (i >> 9)) & 0xff
    }
    async function* inParts(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < content.length; at += 40_000) {
        yield content.subarray(at, at + 40_000)
      }
    }
    await files.put('large.tif', inParts(), content.length)
    let chunks = 0
    for await (const chunk of files.get('large.tif')) {
      chunks += chunk.length > 0 ? 1 : 0
    }
    assert.ok(chunks > 1, `read in ${chunks} chunk(s)`)
    const bytes = await readAllBytes(files.get('large.tif'))
    assert.ok(bytes instanceof Uint8Array)
    assert.ok(Buffer.from(bytes).equals(content))
  })

  it('stores under nested keys, creating the folders', async () => {
    await files.put('uploads/ab/cd.tiff', chunksOf('tiff'), 10)
    assert.equal(await readAll(files.get('uploads/ab/cd.tiff')), 'tiff')
    assert.deepEqual(await filesUnder(join(root, 'store')), ['cd.tiff'])
  })

  it('stores an empty document', async () => {
    assert.deepEqual(await files.put('empty', chunksOf(), 0), { sizeBytes: 0 })
    assert.equal(await readAll(files.get('empty')), '')
  })

  it('accepts a document of exactly the maximum size', async () => {
    assert.deepEqual(await files.put('max', chunksOf('12345', '67890'), 10), { sizeBytes: 10 })
  })

  it('refuses a document past the maximum size and leaves no file behind', async () => {
    await assertRejectsWithCode(
      files.put('big/doc', chunksOf('12345', '67890', '1'), 10),
      'files_too_large',
    )
    assert.deepEqual(await filesUnder(join(root, 'store')), [])
    await assert.rejects(readAll(files.get('big/doc')), { code: 'ENOENT' })
  })

  it('stops reading the source as soon as the maximum is passed', async () => {
    let pulled = 0
    let closed = false
    async function* endless(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          await nextTurn()
          pulled += 1
          yield new Uint8Array(4)
        }
      } finally {
        closed = true
      }
    }
    await assertRejectsWithCode(files.put('endless', endless(), 10), 'files_too_large')
    assert.equal(pulled, 3)
    assert.equal(closed, true)
  })

  it('leaves no file behind when the source fails midway', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('partial')
      await nextTurn()
      throw new Error('connection reset')
    }
    await assert.rejects(files.put('doc', failing(), 1_000), /connection reset/)
    assert.deepEqual(await filesUnder(join(root, 'store')), [])
  })

  it('keeps the previous document whole when a replacement fails', async () => {
    await files.put('doc', chunksOf('original'), 100)
    await assertRejectsWithCode(files.put('doc', chunksOf('x'.repeat(101)), 100), 'files_too_large')
    assert.equal(await readAll(files.get('doc')), 'original')
  })

  it('deletes a document, and deleting a missing one is no error', async () => {
    await files.put('doc', chunksOf('bytes'), 100)
    await files.delete('doc')
    await assert.rejects(stat(join(root, 'store', 'doc')), { code: 'ENOENT' })
    await files.delete('doc')
  })

  for (const key of [
    '../escape',
    'a/../../escape',
    'a/./b',
    '..',
    '/etc/passwd',
    'a//b',
    'a/',
    '',
    'a\\b',
    'with space',
    'ümlaut',
    'a/b%2F..',
  ]) {
    it(`refuses the key ${JSON.stringify(key)}`, async () => {
      await assert.rejects(files.put(key, chunksOf('x'), 10), /key|outside/)
      assert.throws(() => files.get(key), /key|outside/)
      await assert.rejects(files.delete(key), /key|outside/)
      assert.deepEqual(await filesUnder(root), [])
    })
  }
})
