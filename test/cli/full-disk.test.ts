/**
 * A full disk under SQLite and the file store: `faxd serve`, on the embedded SQLite, with its
 * data folder on a tmpfs of a few megabytes. Uploads fill the disk (256 KB documents until the
 * first refusal, then smaller and smaller ones, until 1 KB documents are refused three times in
 * a row: by then SQLite has no room for a row either, and answers SQLITE_FULL); refused uploads
 * go on being answered on the connection fetch keeps; a sendFax is tried on the full disk; then
 * the tmpfs is made larger.
 *
 * Every answer is 200 (201 for sendFax), or 503 `service_unavailable` with Retry-After in the
 * Fax.Plus Error form, saying the disk is full: never 500, never a connection cut. Nothing is
 * left half-written: no `*.tmp` file anywhere in the data folder; every uploaded_files row
 * names a file of its recorded size, and every file under files/uploads/ has its row (an
 * upload writes its file first, then its row, and removes the file when the row cannot be
 * written: src/use-cases/upload-file.ts); the rows are exactly the uploads answered 200; a
 * refused sendFax wrote no outbox entry. Once there is room again, an upload is answered 200
 * within seconds, by the same process.
 *
 * Then the file store alone on a tmpfs out of inodes, where creating a file or a folder fails
 * with ENOSPC: both are a full disk too, and leave nothing behind.
 *
 * Root only (it mounts a tmpfs); run as another user it fails, saying so.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import SQLite from 'better-sqlite3'
import { STORE_FULL_RETRY_AFTER_SECONDS } from '../../src/api/api-error.js'
import { StoreUnavailableError } from '../../src/domain/store-unavailable.js'
import { FsFileStore } from '../../src/storage/files/fs-file-store.js'
import { SQLITE_FILE_NAME } from '../../src/storage/sql/open-store.js'
import { ERROR_KEYS } from '../support/error-body.js'
import { type FaxdChild, startFaxdChild } from '../support/faxd-child.js'
import { multipartBody } from '../support/multipart.js'
import { aSenderWithToken } from '../support/operator-setup.js'

const run = promisify(execFile)

/**
 * The tmpfs while it is full: the migrated database takes about 220 KB, its write-ahead log
 * grows by a few pages per commit, so 4 MB holds it with room for about 14 documents of 256 KB.
 */
const FULL_MB = 4
/** The tmpfs once an operator has made room. */
const ROOMY_MB = 16
/** The documents that fill the disk: 256 KB until the first refusal, then ever smaller ones. */
const SIZES = [256 * 1024, 64 * 1024, 16 * 1024, 4 * 1024, 1024]
/** Uploads of one size before giving up on a refusal (4 MB of 1 KB files take 1,024 pages). */
const MAX_UPLOADS_PER_SIZE = 1_200
/** The smallest documents are sent until this many in a row are refused. */
const REFUSALS_IN_A_ROW = 3
/** How soon after the tmpfs grows an upload must be answered 200 again. */
const RECOVERY_LIMIT_MS = 10_000

const FROM = '+15555550150'
const TO = '+15555550100'

interface Answer {
  readonly status: number | 'no answer'
  readonly retryAfter: string | null
  readonly body: string
}

describe('faxd serve on SQLite when the disk of its data folder is full', () => {
  /** The folders this suite made, each with whether a tmpfs is mounted on it. */
  const mounts = new Map<string, boolean>()
  let server: FaxdChild | undefined

  after(async () => {
    await server?.stop()
    for (const [folder, mounted] of mounts) {
      if (mounted) {
        // A lazy unmount if something still holds the tmpfs, rather than leaving it mounted.
        await run('umount', [folder]).catch(async () => run('umount', ['-l', folder]))
      }
      await rm(folder, { recursive: true, force: true })
    }
  })

  /** A new folder under the temp folder with a tmpfs of these options on it. */
  async function mountTmpfs(options: string): Promise<string> {
    assert.equal(
      process.getuid?.(),
      0,
      'this test mounts a size-limited tmpfs and must run as root (the test command runs as root)',
    )
    const folder = await mkdtemp(join(tmpdir(), 'faxd-full-disk-'))
    mounts.set(folder, false)
    await run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', folder]).catch((error: unknown) => {
      throw new Error(`cannot mount a tmpfs on ${folder}: ${String(error)}`)
    })
    mounts.set(folder, true)
    return folder
  }

  it(
    'answers 503 with Retry-After, leaves no partial row or file, and recovers once there is room',
    { timeout: 120_000 },
    async (t) => {
      const dataDir = await mountTmpfs(`size=${FULL_MB}m`)
      const token = await aSenderWithToken({ dataDir }, 'full-disk@example.test', FROM)
      server = await startFaxdChild('serve', {
        FAXD_DATA: dataDir,
        // The embedded SQLite in the tmpfs, whatever the caller's environment names.
        DATABASE_URL: '',
        FAXD_SIMULATED_TIME_SCALE: '0',
      })
      const url = server.url

      // A small document first, for the sendFax on the full disk.
      const note = await upload(url, token, 64)
      assert.equal(note.status, 200, note.body)
      const notePath = pathOf(note)
      const accepted = [notePath]

      // 1. Fill the disk: every answer 200, or 503 in the documented form.
      const refusalsBySize = new Map<number, number>()
      for (const size of SIZES) {
        let refusalsInARow = 0
        let uploads = 0
        const wanted = size === SIZES.at(-1) ? REFUSALS_IN_A_ROW : 1
        while (refusalsInARow < wanted) {
          assert.ok(
            uploads++ < MAX_UPLOADS_PER_SIZE,
            `${MAX_UPLOADS_PER_SIZE} uploads of ${size} bytes and no 503`,
          )
          const answer = await upload(url, token, size)
          if (answer.status === 200) {
            accepted.push(pathOf(answer))
            refusalsInARow = 0
          } else {
            assertDiskFull(answer, `upload of ${size} bytes`)
            refusalsBySize.set(size, (refusalsBySize.get(size) ?? 0) + 1)
            refusalsInARow++
          }
        }
      }
      t.diagnostic(
        `${accepted.length} uploads answered 200; 503s by size: ` +
          JSON.stringify(Object.fromEntries(refusalsBySize)),
      )
      assert.ok(refusalsBySize.size > 0, 'at least one 503')

      // Refused mid-body, then asked again on the connection fetch keeps: each is answered. (The
      // multipart parser, left with a file part nobody reads, used to stop the drain of a
      // refused 256 KB body, and fetch, still sending it, never saw the 503.)
      for (let round = 0; round < 4; round++) {
        for (const size of [256 * 1024, 64 * 1024]) {
          assertDiskFull(await upload(url, token, size), `round ${round}: upload of ${size} bytes`)
        }
      }

      // 2. Nothing half-written.
      await assertNoPartialRowOrFile(dataDir, accepted)

      // 3. sendFax on the full disk: 201, or 503 with no outbox entry written.
      const sent = await sendFax(url, token, notePath)
      t.diagnostic(`sendFax on the full disk: ${String(sent.status)}`)
      if (sent.status !== 201) {
        assertDiskFull(sent, 'sendFax')
        assert.equal(countRows(dataDir, 'outbox_entries'), 0, 'outbox entries after a 503')
        assert.equal(countRows(dataDir, 'deliveries'), 0, 'deliveries after a 503')
      }
      await assertNoTempFiles(dataDir)

      // 4. An operator makes room: uploads are answered 200 again, by the same process.
      await run('mount', ['-o', `remount,size=${ROOMY_MB}m`, dataDir])
      const grownAt = Date.now()
      const deadline = grownAt + RECOVERY_LIMIT_MS
      for (;;) {
        const answer = await upload(url, token, SIZES[0] ?? 0)
        if (answer.status === 200) {
          accepted.push(pathOf(answer))
          break
        }
        assertDiskFull(answer, 'upload after the tmpfs grew')
        assert.ok(Date.now() < deadline, `no 200 within ${RECOVERY_LIMIT_MS} ms of making room`)
        await sleep(100)
      }
      t.diagnostic(`200 again ${Date.now() - grownAt} ms after the tmpfs grew`)
      assert.equal(server.exit(), null, `faxd serve ended:\n${server.output()}`)
      await assertNoPartialRowOrFile(dataDir, accepted)
    },
  )

  it(
    'the file store out of inodes: mkdir and open fail as a full disk, leaving nothing',
    { timeout: 120_000 },
    async () => {
      // The tmpfs's root, files/, a/ and a/x take the four inodes.
      const root = await mountTmpfs('size=1m,nr_inodes=4')
      const files = new FsFileStore(join(root, 'files'))
      await files.put('a/x', bytes(10), 100)
      // A new file in an existing folder (open), and one in a new folder (mkdir, which Node's
      // recursive mkdir would report as ENOENT).
      for (const key of ['a/y', 'b/c/z']) {
        await assert.rejects(
          files.put(key, bytes(10), 100),
          (error: unknown) =>
            error instanceof StoreUnavailableError &&
            error.reason === 'full' &&
            /file store is full/.test(error.message),
          key,
        )
      }
      assert.deepEqual(await filesUnder(root), [join('files', 'a', 'x')])
    },
  )
})

async function* bytes(count: number): AsyncGenerator<Uint8Array> {
  await Promise.resolve()
  yield new Uint8Array(count)
}

/** A text document of exactly `size` bytes. */
function textOf(size: number): Uint8Array {
  const line = 'A line of a document sent while the disk fills up.\n'
  return new TextEncoder().encode(line.repeat(Math.ceil(size / line.length)).slice(0, size))
}

async function upload(url: string, token: string, size: number): Promise<Answer> {
  const { payload, headers } = multipartBody('fax_file', 'note.txt', 'text/plain', textOf(size))
  return answerOf(
    fetch(`${url}/v3/accounts/self/files`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${token}` },
      body: payload,
      signal: AbortSignal.timeout(15_000),
    }),
  )
}

async function sendFax(url: string, token: string, file: string): Promise<Answer> {
  return answerOf(
    fetch(`${url}/v3/accounts/self/outbox`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: FROM, to: [TO], files: [file], return_ids: true }),
      signal: AbortSignal.timeout(15_000),
    }),
  )
}

async function answerOf(request: Promise<Response>): Promise<Answer> {
  try {
    const response = await request
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: await response.text(),
    }
  } catch (error) {
    return { status: 'no answer', retryAfter: null, body: String(error) }
  }
}

function pathOf(answer: Answer): string {
  return (JSON.parse(answer.body) as { path: string }).path
}

/** 503 `service_unavailable`, Retry-After, the Error form, a description that names the disk. */
function assertDiskFull(answer: Answer, what: string): void {
  assert.equal(answer.status, 503, `${what}: ${answer.body}`)
  assert.equal(answer.retryAfter, String(STORE_FULL_RETRY_AFTER_SECONDS), `${what}: Retry-After`)
  const body = JSON.parse(answer.body) as Record<string, unknown>
  assert.deepEqual(Object.keys(body).sort(), ERROR_KEYS, `${what}: ${answer.body}`)
  assert.equal(body['error'], 'service_unavailable', `${what}: ${answer.body}`)
  const description = String(body['description'])
  assert.match(description, /disk/i, `${what}: ${answer.body}`)
  assert.match(description, /full|space/i, `${what}: ${answer.body}`)
}

/** Every file under `folder`, as paths relative to it. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
}

async function assertNoTempFiles(dataDir: string): Promise<void> {
  const temps = (await filesUnder(dataDir)).filter((path) => path.endsWith('.tmp'))
  assert.deepEqual(temps, [], 'temp files left in the data folder')
}

/**
 * The upload invariant: a row for every upload answered 200 and for no other; each row's file
 * has the recorded size; each file under files/uploads/ has its row.
 */
async function assertNoPartialRowOrFile(dataDir: string, accepted: readonly string[]) {
  await assertNoTempFiles(dataDir)
  const rows = readRows<{ path: string; storage_key: string; size_bytes: number }>(
    dataDir,
    'select path, storage_key, size_bytes from uploaded_files',
  )
  assert.deepEqual(rows.map((row) => row.path).sort(), [...accepted].sort(), 'uploaded_files rows')
  const filesDir = join(dataDir, 'files')
  for (const row of rows) {
    const stored = await stat(join(filesDir, row.storage_key)).catch(() => null)
    assert.ok(stored !== null, `the file of ${row.path} (${row.storage_key}) is missing`)
    assert.equal(stored.size, row.size_bytes, `the size of ${row.storage_key}`)
  }
  const keys = new Set(rows.map((row) => row.storage_key))
  const orphans = (await filesUnder(join(filesDir, 'uploads')))
    .map((path) => ['uploads', ...path.split(sep)].join('/'))
    .filter((key) => !keys.has(key))
  assert.deepEqual(orphans, [], 'uploaded files without a row')
}

function countRows(dataDir: string, table: 'outbox_entries' | 'deliveries'): number {
  return readRows<{ n: number }>(dataDir, `select count(*) as n from ${table}`)[0]?.n ?? -1
}

/** Reads the database as `faxd serve` left it, read-only, beside the running server. */
function readRows<T>(dataDir: string, query: string): T[] {
  const db = new SQLite(join(dataDir, SQLITE_FILE_NAME), { readonly: true, fileMustExist: true })
  try {
    return db.prepare(query).all() as T[]
  } finally {
    db.close()
  }
}
