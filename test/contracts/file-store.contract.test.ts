/**
 * Contract of FileStore, on each store: FsFileStore in a fresh temp folder per test,
 * S3FileStore under a fresh prefix per test on an S3-compatible server (s3rver, in this
 * process), and SqlFileStore in a PostgreSQL schema emptied for each test. Nothing a failed put wrote may be left visible: no file, no object. (An aborted
 * multipart upload's parts are S3's to delete; s3rver cannot list nor abort uploads.)
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import { type FileStore, readAllBytes } from '../../src/domain/ports.js'
import { FsFileStore } from '../../src/storage/files/fs-file-store.js'
import { PART_BYTES, S3FileStore } from '../../src/storage/files/s3-file-store.js'
import { SqlFileStore } from '../../src/storage/sql/sql-file-store.js'
import { systemClock } from '../../src/shared/clock.js'
import { assertRejectsWithCode } from '../support/domain-error-assertions.js'
import { S3_TEST_CREDENTIALS, type S3TestServer, startS3Server } from '../support/s3-server.js'
import { openTestStore, type TestStore } from '../support/test-database.js'

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
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(
    (error: { code?: string }) => {
      if (error.code === 'ENOENT') {
        return []
      }
      throw error
    },
  )
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name)
}

/** A store for one test, and what it holds underneath: the names of files or objects. */
interface StoreUnderTest {
  readonly files: FileStore
  /** Everything stored underneath that can be seen: files (temp files too), or objects. */
  written(): Promise<string[]>
  close(): Promise<void>
}

const BUCKET = 'faxd-contract'

const STORES: readonly {
  readonly name: string
  readonly setUp: () => Promise<void>
  readonly open: () => Promise<StoreUnderTest>
  readonly tearDown: () => Promise<void>
}[] = (() => {
  let s3: S3TestServer | undefined
  let postgres: TestStore | undefined
  return [
    {
      name: 'SqlFileStore (PostgreSQL)',
      setUp: async () => {
        postgres = await openTestStore('postgres')
      },
      open: async () => {
        const db = (postgres as TestStore).database()
        await db.deleteFrom('stored_files').execute()
        await db.deleteFrom('stored_file_chunks').execute()
        return {
          files: new SqlFileStore(db, systemClock),
          // Every key, and every chunk row that no key names (what a failed put could leave).
          written: async () => {
            const keys = await db.selectFrom('stored_files').select('key').execute()
            const orphans = await db
              .selectFrom('stored_file_chunks')
              .select('file_id')
              .where('file_id', 'not in', db.selectFrom('stored_files').select('file_id'))
              .execute()
            return [
              ...keys.map((row) => row.key),
              ...orphans.map((row) => `a chunk of ${row.file_id} that no key names`),
            ]
          },
          close: async () => {},
        }
      },
      tearDown: async () => postgres?.cleanup(),
    },
    {
      name: 'FsFileStore',
      setUp: async () => {},
      open: async () => {
        const root = await mkdtemp(join(tmpdir(), 'faxd-files-'))
        return {
          files: new FsFileStore(join(root, 'store')),
          written: async () => filesUnder(root),
          close: () => rm(root, { recursive: true, force: true }),
        }
      },
      tearDown: async () => {},
    },
    {
      name: 'S3FileStore',
      setUp: async () => {
        s3 = await startS3Server([BUCKET])
        // The AWS SDK's usual credential chain, as an operator would give it.
        process.env['AWS_ACCESS_KEY_ID'] = S3_TEST_CREDENTIALS.accessKeyId
        process.env['AWS_SECRET_ACCESS_KEY'] = S3_TEST_CREDENTIALS.secretAccessKey
      },
      open: async () => {
        const server = s3 as S3TestServer
        const prefix = `test-${randomBytes(6).toString('hex')}/`
        const files = new S3FileStore({
          bucket: BUCKET,
          prefix,
          region: 'us-east-1',
          endpoint: server.endpoint,
          forcePathStyle: true,
          serverSideEncryption: null,
        })
        return {
          files,
          written: async () => server.keys(BUCKET, prefix),
          close: async () => files.close(),
        }
      },
      tearDown: async () => s3?.close(),
    },
  ]
})()

for (const store of STORES) {
  describe(store.name, () => {
    let current: StoreUnderTest
    let files: FileStore
    before(store.setUp)
    after(store.tearDown)
    beforeEach(async () => {
      current = await store.open()
      files = current.files
    })
    afterEach(async () => current.close())

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

    it('stores a document larger than an upload part, and leaves nothing of one refused after a part', async () => {
      // More than one S3 multipart part: the upload sends a part before the source ends.
      const size = PART_BYTES + 1024 * 1024
      const content = Buffer.alloc(size)
      for (let i = 0; i < size; i += 4096) {
        content[i] = (i >> 12) & 0xff
      }
      async function* inParts(): AsyncGenerator<Uint8Array> {
        for (let at = 0; at < size; at += 256 * 1024) {
          await nextTurn()
          yield content.subarray(at, at + 256 * 1024)
        }
      }
      assert.deepEqual(await files.put('big.tif', inParts(), size), { sizeBytes: size })
      assert.ok(Buffer.from(await readAllBytes(files.get('big.tif'))).equals(content))
      await assertRejectsWithCode(files.put('bigger.tif', inParts(), size - 1), 'files_too_large')
      assert.equal((await current.written()).length, 1, 'only big.tif')
      await assert.rejects(readAll(files.get('bigger.tif')), { code: 'ENOENT' })
    })

    it('stores under nested keys, creating the folders', async () => {
      await files.put('uploads/ab/cd.tiff', chunksOf('tiff'), 10)
      assert.equal(await readAll(files.get('uploads/ab/cd.tiff')), 'tiff')
      assert.equal((await current.written()).length, 1)
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
      assert.deepEqual(await current.written(), [])
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
      assert.deepEqual(await current.written(), [])
    })

    it('keeps the previous document whole when a replacement fails', async () => {
      await files.put('doc', chunksOf('original'), 100)
      await assertRejectsWithCode(
        files.put('doc', chunksOf('x'.repeat(101)), 100),
        'files_too_large',
      )
      assert.equal(await readAll(files.get('doc')), 'original')
    })

    it('deletes a document, and deleting a missing one is no error', async () => {
      await files.put('doc', chunksOf('bytes'), 100)
      await files.delete('doc')
      await assert.rejects(readAll(files.get('doc')), { code: 'ENOENT' })
      assert.deepEqual(await current.written(), [])
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
        assert.deepEqual(await current.written(), [])
      })
    }
  })
}

describe('SqlFileStore (PostgreSQL), beyond the contract', () => {
  let postgres: TestStore
  before(async () => {
    postgres = await openTestStore('postgres')
  })
  after(async () => postgres.cleanup())

  it('fails a read of a document replaced meanwhile, rather than mix two documents', async () => {
    const files = new SqlFileStore(postgres.database(), systemClock)
    const chunk = 256 * 1024
    // More chunks than one read takes: the rest are read after the replacement.
    const first = Buffer.alloc(9 * chunk + 10, 1)
    async function* once(bytes: Buffer): AsyncGenerator<Uint8Array> {
      yield bytes
    }
    await files.put('doc', once(first), first.length)
    const reading = files.get('doc')[Symbol.asyncIterator]()
    const firstChunk = await reading.next()
    assert.equal(firstChunk.value?.[0], 1)
    await files.put('doc', once(Buffer.alloc(first.length, 2)), first.length)
    await assert.rejects(
      (async () => {
        for (;;) {
          const next = await reading.next()
          if (next.done === true) {
            return
          }
          assert.equal(next.value[0], 1, 'a byte of the second document')
        }
      })(),
      /replaced or deleted while it was read/,
    )
    assert.equal((await readAllBytes(files.get('doc')))[0], 2)
  })
})
