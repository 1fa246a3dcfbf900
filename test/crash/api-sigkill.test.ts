/**
 * `faxd serve` killed (SIGKILL) in the middle of a burst of sendFax requests loses nothing it
 * acknowledged, on each engine: eight clients send one-destination faxes with `return_ids`
 * as fast as the server answers, the process is killed once forty have been answered 201,
 * and then, read straight from the database, every delivery id that a 201 gave is stored with
 * its outbox entry and the entry's render job; and every entry that is stored (acknowledged or
 * not, as the kill may come between the commit and the answer) is whole: its deliveries, one
 * per destination, and its job, never a part of them.
 *
 * A SIGKILL leaves the kernel's page cache, so this proves that an answer follows the commit
 * (sqlite-driver.ts, transaction-runner.ts), not that the fsync reached the platter.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { SQLITE_FILE_NAME } from '../../src/storage/sql/open-store.js'
import type { Database } from '../../src/storage/sql/schema.js'
import { openSqliteDatabase } from '../../src/storage/sql/sqlite-database.js'
import { aSenderWithToken } from '../support/operator-setup.js'
import { serve } from '../support/faxd-process.js'
import { aPostgresSchema } from '../support/postgres-schema.js'

const NUMBER = '+15555550160'
const CLIENTS = 8
/** Answers before the kill: enough that many requests are in flight when it comes. */
const ANSWERED_BEFORE_KILL = 40
const BURST_WITHIN_MS = 60_000

type Engine = 'sqlite' | 'postgres'

interface FreshStore {
  /** FAXD_DATA and DATABASE_URL for faxd serve. */
  readonly env: Record<string, string>
  readonly storeOptions: { readonly dataDir: string; readonly databaseUrl?: string }
  db(): Kysely<Database>
  cleanup(): Promise<void>
}

/** A data folder, and on PostgreSQL a schema of its own (test/support/postgres-schema.ts). */
async function freshStore(engine: Engine): Promise<FreshStore> {
  const dataDir = await mkdtemp(join(tmpdir(), `faxd-api-crash-${engine}-`))
  let handle: Kysely<Database> | undefined
  if (engine === 'sqlite') {
    return {
      env: { FAXD_DATA: dataDir, DATABASE_URL: '' },
      storeOptions: { dataDir },
      db: () => (handle ??= openSqliteDatabase(join(dataDir, SQLITE_FILE_NAME))),
      cleanup: async () => {
        await handle?.destroy()
        await rm(dataDir, { recursive: true, force: true })
      },
    }
  }
  const schema = await aPostgresSchema('crash')
  const { databaseUrl } = schema
  return {
    env: { FAXD_DATA: dataDir, DATABASE_URL: databaseUrl },
    storeOptions: { dataDir, databaseUrl },
    db: () => schema.db(),
    cleanup: async () => {
      await schema.drop()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`${engine}: faxd serve killed during a sendFax burst`, () => {
    it('every delivery a 201 named is stored, with its entry and job; no entry is partial', async () => {
      const database = await freshStore(engine)
      try {
        const token = await aSenderWithToken(database.storeOptions, 'burst@example.test', NUMBER)
        const server = await serve({ ...database.env, FAXD_EMBEDDED_WORKER: '0' })
        const headers = { authorization: `Bearer ${token}` }
        const form = new FormData()
        form.append(
          'fax_file',
          new Blob(['%PDF-1.4\n%%EOF\n'], { type: 'application/pdf' }),
          'b.pdf',
        )
        const uploaded = await fetch(`${server.url}/v3/accounts/self/files`, {
          method: 'POST',
          headers,
          body: form,
        })
        const { path } = (await uploaded.json()) as { path: string }

        const acknowledged = new Map<string, string>() // delivery id → destination
        let next = 0
        let killed = false
        let refused = ''
        const client = async (): Promise<void> => {
          while (!killed) {
            const destination = `+1555${String(2_000_000 + next++)}`
            try {
              const answer = await fetch(`${server.url}/v3/accounts/self/outbox`, {
                method: 'POST',
                headers: { ...headers, 'content-type': 'application/json' },
                body: JSON.stringify({
                  from: NUMBER,
                  to: [destination],
                  files: [path],
                  return_ids: true,
                }),
              })
              const text = await answer.text()
              if (answer.status !== 201) {
                refused ||= `${answer.status} ${text}`
                return
              }
              const { ids } = JSON.parse(text) as { ids: Record<string, string> }
              for (const [to, id] of Object.entries(ids)) {
                acknowledged.set(id, to)
              }
            } catch {
              return // the connection ended with the process: not acknowledged
            }
          }
        }
        const clients = Array.from({ length: CLIENTS }, client)
        const deadline = Date.now() + BURST_WITHIN_MS
        while (acknowledged.size < ANSWERED_BEFORE_KILL && refused === '') {
          assert.ok(Date.now() < deadline, `${acknowledged.size} answers in ${BURST_WITHIN_MS} ms`)
          await sleep(5)
        }
        assert.equal(refused, '', 'every request before the kill was accepted')
        await server.kill()
        killed = true
        await Promise.all(clients)
        assert.ok(acknowledged.size >= ANSWERED_BEFORE_KILL)

        const db = database.db()
        const deliveries = await db
          .selectFrom('deliveries')
          .select(['id', 'outbox_id', 'destination'])
          .execute()
        const stored = new Map(deliveries.map((row) => [row.id, row]))
        const missing = [...acknowledged.keys()].filter((id) => !stored.has(id))
        assert.deepEqual(missing, [], `of ${acknowledged.size} acknowledged deliveries`)
        for (const [id, destination] of acknowledged) {
          assert.equal(stored.get(id)?.destination, destination)
        }

        const entries = await db.selectFrom('outbox_entries').select(['id', 'to_numbers']).execute()
        const jobs = await db.selectFrom('jobs').select(['outbox_id', 'kind']).execute()
        const deliveriesOf = new Map<string, number>()
        for (const row of deliveries) {
          deliveriesOf.set(row.outbox_id, (deliveriesOf.get(row.outbox_id) ?? 0) + 1)
        }
        for (const entry of entries) {
          const to = JSON.parse(entry.to_numbers) as string[]
          assert.equal(deliveriesOf.get(entry.id), to.length, `entry ${entry.id} is whole`)
          assert.equal(
            jobs.filter((job) => job.outbox_id === entry.id && job.kind === 'render-fax').length,
            1,
            `entry ${entry.id} has its render job`,
          )
        }
        assert.equal(deliveries.length, entries.length, 'no delivery without its entry')
        assert.ok(entries.length >= acknowledged.size)
      } finally {
        await database.cleanup()
      }
    })
  })
}
