/**
 * Two nodes that share only PostgreSQL and their file store: `faxd serve` without a worker and a
 * `faxd worker`, each with a data folder of its own, with FAXD_FILE_STORE=s3 on an S3-compatible
 * server (s3rver, in this process), and with FAXD_FILE_STORE=postgres. A document uploaded to
 * the API process is rendered by the worker and sent to a test number; the API process then
 * serves the fax's PDF, which it can only read from the shared store. Neither data folder holds
 * a file of a document or a page.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { serve, startWorker } from '../support/faxd-process.js'
import { documentPath } from '../support/fixtures.js'
import { aSenderWithToken } from '../support/operator-setup.js'
import { aPostgresSchema, type PostgresSchema } from '../support/postgres-schema.js'
import { S3_TEST_CREDENTIALS, type S3TestServer, startS3Server } from '../support/s3-server.js'

const BUCKET = 'faxd-nodes'
const FROM = '+15555550150'
/** A 2-page fax to a test number takes about a second here (time scale 0.01); a loaded CI machine gets room. */
const FAX_WITHIN_MS = 60_000

describe('an API node and a worker node sharing PostgreSQL and their file store', () => {
  let s3: S3TestServer
  let folders: string
  const schemas: PostgresSchema[] = []

  before(async () => {
    s3 = await startS3Server([BUCKET])
    folders = await mkdtemp(join(tmpdir(), 'faxd-nodes-'))
  })
  after(async () => {
    await s3.close()
    // Together: each holds the schema-drop lock shared until its own drop asks for it alone.
    await Promise.all(schemas.map((schema) => schema.drop()))
    await rm(folders, { recursive: true, force: true })
  })

  /** Sends a fax through the two nodes; answers what the shared store holds afterwards. */
  async function sendThroughTwoNodes(
    name: string,
    storeEnv: (schema: PostgresSchema) => Record<string, string>,
  ): Promise<PostgresSchema> {
    const schema = await aPostgresSchema('nodes')
    schemas.push(schema)
    const shared = {
      ...storeEnv(schema),
      DATABASE_URL: schema.databaseUrl,
      FAXD_SIMULATED_TIME_SCALE: '0.01',
    }
    const apiFolder = join(folders, `${name}-api`)
    const workerFolder = join(folders, `${name}-worker`)
    const token = await aSenderWithToken(
      { dataDir: apiFolder, databaseUrl: schema.databaseUrl },
      'nodes@example.test',
      FROM,
    )
    const api = await serve({ ...shared, FAXD_DATA: apiFolder, FAXD_EMBEDDED_WORKER: '0' })
    const worker = await startWorker({ ...shared, FAXD_DATA: workerFolder })
    try {
      const headers = { authorization: `Bearer ${token}` }
      const form = new FormData()
      const letter = await readFile(documentPath('text-letter.pdf'))
      form.append('fax_file', new Blob([letter], { type: 'application/pdf' }), 'letter.pdf')
      const uploaded = await fetch(`${api.url}/v3/accounts/self/files`, {
        method: 'POST',
        headers,
        body: form,
      })
      assert.equal(uploaded.status, 200, await uploaded.clone().text())
      const { path } = (await uploaded.json()) as { path: string }
      const sent = await fetch(`${api.url}/v3/accounts/self/outbox`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ from: FROM, to: ['+15555550100'], files: [path] }),
      })
      assert.equal(sent.status, 201, await sent.clone().text())

      // The worker renders and sends; the fax record appears when the call has ended.
      let record: { id: string; status: string; pages: number } | undefined
      const deadline = Date.now() + FAX_WITHIN_MS
      while (record === undefined) {
        assert.ok(Date.now() < deadline, `no fax record within ${FAX_WITHIN_MS} ms`)
        const listed = await fetch(`${api.url}/v3/accounts/self/faxes`, { headers })
        const { data } = (await listed.json()) as {
          data: { records: { id: string; status: string; pages: number }[] }
        }
        record = data.records[0]
        if (record === undefined) {
          await sleep(100)
        }
      }
      assert.deepEqual([record.status, record.pages], ['success', 2])

      const pdf = await fetch(`${api.url}/v3/accounts/self/files/${record.id}?format=pdf`, {
        headers,
      })
      assert.equal(pdf.status, 200)
      const bytes = Buffer.from(await pdf.arrayBuffer())
      assert.equal(bytes.subarray(0, 5).toString(), '%PDF-')
      assert.equal(bytes.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length, 2)

      for (const folder of [apiFolder, workerFolder]) {
        const entries = await readdir(folder).catch((): string[] => [])
        assert.ok(!entries.includes('files'), `${folder} holds ${entries.join(', ')}`)
      }
    } finally {
      await worker.stop()
      await api.stop()
    }
    return schema
  }

  it('with an S3 bucket', { timeout: 120_000 }, async () => {
    const prefix = `run-${randomBytes(4).toString('hex')}/`
    await sendThroughTwoNodes('s3', () => ({
      FAXD_FILE_STORE: 's3',
      FAXD_S3_BUCKET: BUCKET,
      FAXD_S3_PREFIX: prefix,
      FAXD_S3_ENDPOINT: s3.endpoint,
      FAXD_S3_FORCE_PATH_STYLE: '1',
      AWS_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
    }))
    const objects = await s3.keys(BUCKET, prefix)
    assert.ok(objects.length >= 2, `the bucket holds ${objects.join(', ')}`)
  })

  it('with the files in PostgreSQL', { timeout: 120_000 }, async () => {
    const schema = await sendThroughTwoNodes('postgres', () => ({ FAXD_FILE_STORE: 'postgres' }))
    const stored = await schema.db().selectFrom('stored_files').select('key').execute()
    assert.ok(stored.length >= 2, `the database holds ${stored.map((row) => row.key).join(', ')}`)
  })
})
