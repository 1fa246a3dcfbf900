/**
 * Migration 0009 on both engines: a database with send-fax jobs queued before it gets each
 * job's delivery from the job's payload into `jobs.delivery_id`; jobs of other kinds keep none.
 * (The outbox's progress reads that column, not the payloads.)
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { migrateToLatest } from '../../src/storage/sql/migrate.js'
import { openPostgresDatabase } from '../../src/storage/sql/postgres-database.js'
import type { Database } from '../../src/storage/sql/schema.js'
import type { SqlEngine } from '../../src/storage/sql/sql-engine.js'
import { openSqliteDatabase } from '../../src/storage/sql/sqlite-database.js'
import { TEST_DATABASE_URL } from '../support/test-database.js'

async function withDatabase(
  engine: SqlEngine,
  work: (db: Kysely<Database>) => Promise<void>,
): Promise<void> {
  if (engine === 'sqlite') {
    const folder = await mkdtemp(join(tmpdir(), 'faxd-migration-'))
    const db = openSqliteDatabase(join(folder, 'faxd.sqlite'))
    try {
      await work(db)
    } finally {
      await db.destroy()
      await rm(folder, { recursive: true, force: true })
    }
    return
  }
  const schema = `m_${randomBytes(8).toString('hex')}`
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await admin.connect()
  try {
    await admin.query(`create schema ${schema}`)
    const db = openPostgresDatabase({ url: TEST_DATABASE_URL, searchPath: schema })
    try {
      await work(db)
    } finally {
      await db.destroy()
    }
  } finally {
    await admin.query(`drop schema ${schema} cascade`)
    await admin.end()
  }
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`migration 0009-job-delivery (${engine})`, () => {
    it('fills in the delivery of the send-fax jobs queued before it, from their payload', async () => {
      await withDatabase(engine, async (db) => {
        await migrateToLatest(db, engine, '0008-call-fence')
        const job = (id: string, kind: string, payload: object) => ({
          id,
          kind,
          payload: JSON.stringify(payload),
          run_at: 1,
          locked_until: null,
          locked_by: null,
          created_at: 1,
          outbox_id: null,
        })
        await db
          .insertInto('jobs')
          .values([
            job('send-1', 'send-fax', { deliveryId: 'delivery-a' }),
            job('send-2', 'send-fax', { deliveryId: 'delivery-b' }),
            job('hook-1', 'deliver-webhook', { deliveryId: 'not-a-fax-delivery' }),
          ])
          .execute()
        await migrateToLatest(db, engine)
        const rows = await db
          .selectFrom('jobs')
          .select(['id', 'delivery_id'])
          .orderBy('id')
          .execute()
        assert.deepEqual(rows, [
          { id: 'hook-1', delivery_id: null },
          { id: 'send-1', delivery_id: 'delivery-a' },
          { id: 'send-2', delivery_id: 'delivery-b' },
        ])
      })
    })
  })
}
