/**
 * A store that cannot answer now (PostgreSQL refusing connections, SQLite locked by another
 * writer past its busy timeout) is answered 503 `service_unavailable` with Retry-After, in the
 * Fax.Plus Error form, by the API and by /healthz; nothing is written (issue 11, item 6).
 */
import assert from 'node:assert/strict'
import { webhookTargetPolicy } from '../../src/webhooks/target-guard.js'
import { after, before, describe, it } from 'node:test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { createApp } from '../../src/api/create-app.js'
import { DOCUMENT_KINDS } from '../../src/domain/document-kind.js'
import type { Store } from '../../src/domain/ports.js'
import { FileStoreRenderer } from '../../src/rendering/file-store-renderer.js'
import { FileStoreFaxDocuments } from '../../src/reports/file-store-fax-documents.js'
import { ManualClock } from '../../src/shared/clock.js'
import { FsFileStore } from '../../src/storage/files/fs-file-store.js'
import { openPostgresDatabase } from '../../src/storage/sql/postgres-database.js'
import { createSqlStore } from '../../src/storage/sql/sql-store.js'
import { ERROR_KEYS } from '../support/error-body.js'
import { TEST_PASSWORDS } from '../support/test-passwords.js'
import {
  openTestApp,
  renderInTestProcess,
  TEST_RENDER_SETTINGS,
  type TestApp,
  type TestUser,
} from '../support/test-app.js'

const FROM = '+15555550150'

function assertUnavailable(response: LightMyRequestResponse): void {
  assert.equal(response.statusCode, 503, response.body)
  assert.equal(response.headers['retry-after'], '5')
  const body = response.json<Record<string, unknown>>()
  assert.deepEqual(Object.keys(body).sort(), ERROR_KEYS)
  assert.equal(body['error'], 'service_unavailable')
  assert.equal(typeof body['description'], 'string')
}

describe('PostgreSQL refusing connections', () => {
  let app: FastifyInstance
  let store: Store
  let filesDir: string

  before(async () => {
    // Port 1 is closed: every connection is refused, as while the database is stopped.
    store = createSqlStore(
      openPostgresDatabase({ url: 'postgres://postgres@127.0.0.1:1/test' }),
      'postgres',
    )
    filesDir = await mkdtemp(join(tmpdir(), 'faxd-files-'))
    const files = new FsFileStore(filesDir)
    app = await createApp({
      services: {
        store,
        files,
        clock: new ManualClock(Date.UTC(2026, 10, 27, 12, 0, 0)),
        documentKinds: new Set(DOCUMENT_KINDS),
        pages: new FileStoreRenderer(files, TEST_RENDER_SETTINGS, renderInTestProcess),
        documents: new FileStoreFaxDocuments(files),
        passwords: TEST_PASSWORDS,
        webhookTargets: webhookTargetPolicy(true),
      },
    })
    await app.ready()
  })
  after(async () => {
    await app.close()
    await store.close()
    await rm(filesDir, { recursive: true, force: true })
  })

  it('answers sendFax 503 with Retry-After in the documented form', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v3/accounts/self/outbox',
      headers: { authorization: 'Bearer abc', 'content-type': 'application/json' },
      payload: JSON.stringify({ from: FROM, to: ['+15555550100'], files: ['/x/y.pdf'] }),
    })
    assertUnavailable(response)
  })

  it('answers a read 503 with Retry-After', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/v3/accounts/self',
      headers: { authorization: 'Bearer abc' },
    })
    assertUnavailable(response)
  })

  it('answers /healthz 503 with Retry-After', async () => {
    assertUnavailable(await app.inject({ method: 'GET', url: '/healthz' }))
  })
})

describe('SQLite locked by another writer past its busy timeout', () => {
  let t: TestApp
  let user: TestUser
  let file: string

  before(async () => {
    t = await openTestApp('sqlite')
    user = await t.user({ numbers: [FROM] })
    file = await t.upload(user)
  })
  after(async () => t.close())

  it('answers sendFax 503 with Retry-After and writes nothing, then 201 once free', async () => {
    const body = { from: FROM, to: ['+15555550100'], files: [file] }
    const before = await t.snapshot()
    const response = await t.testStore
      .database()
      .connection()
      .execute(async (other) => {
        await sql`begin immediate`.execute(other)
        try {
          return await t.request('POST', '/v3/accounts/self/outbox', { token: user.token, body })
        } finally {
          await sql`rollback`.execute(other)
        }
      })
    assertUnavailable(response)
    assert.equal(await t.snapshot(), before, 'nothing written')
    const again = await t.request('POST', '/v3/accounts/self/outbox', { token: user.token, body })
    assert.equal(again.statusCode, 201, again.body)
  })

  it('answers /healthz 200 ok while the store answers', async () => {
    const response = await t.request('GET', '/healthz')
    assert.equal(response.statusCode, 200)
    assert.deepEqual(response.json(), { status: 'ok' })
  })
})
