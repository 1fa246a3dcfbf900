/**
 * Migration 0011 on both engines: e-mail addresses go to lower case, but accounts whose addresses
 * differ only in case stop it with a message naming them, and nothing changes; clients keep their
 * redirect URI as a one-item list and are named by their id; codes and tokens gain a family.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Kysely } from 'kysely'
import { migrateToLatest } from '../../src/storage/sql/migrate.js'
import { oauthClientFromRow } from '../../src/storage/sql/oauth-rows.js'
import type { Database } from '../../src/storage/sql/schema.js'
import { withEmptyDatabase } from '../support/empty-database.js'
import { oldAccountRow } from '../support/old-account-row.js'

async function insertOldAccounts(db: Kysely<Database>, emails: readonly string[]): Promise<void> {
  // The columns as migration 0001 made them, written with plain SQL.
  const rows = emails.map((email, i) => oldAccountRow(`uid-${i}`, email, i))
  await (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
    .insertInto('accounts')
    .values(rows)
    .execute()
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`migration 0011-sign-in-security (${engine})`, () => {
    it('keeps e-mail addresses in lower case', async () => {
      await withEmptyDatabase(engine, async (db) => {
        await migrateToLatest(db, engine, '0010-call-negotiated')
        await insertOldAccounts(db, ['Dev@Example.COM', 'ops@example.com'])
        await migrateToLatest(db, engine)
        const rows = await db
          .selectFrom('accounts')
          .select(['uid', 'email'])
          .orderBy('uid')
          .execute()
        assert.deepEqual(rows, [
          { uid: 'uid-0', email: 'dev@example.com' },
          { uid: 'uid-1', email: 'ops@example.com' },
        ])
      })
    })

    it('stops, naming both accounts and changing nothing, when two addresses differ only in case', async () => {
      await withEmptyDatabase(engine, async (db) => {
        await migrateToLatest(db, engine, '0010-call-negotiated')
        await insertOldAccounts(db, ['dev@example.com', 'DEV@example.com', 'Solo@Example.com'])
        await assert.rejects(migrateToLatest(db, engine), (error: Error) => {
          assert.match(error.message, /migration 0011-sign-in-security failed/)
          assert.match(error.message, /dev@example\.com \(uid-0\) and DEV@example\.com \(uid-1\)/)
          assert.match(error.message, /Nothing was changed/)
          return true
        })
        const rows = await db.selectFrom('accounts').select('email').orderBy('uid').execute()
        assert.deepEqual(
          rows.map((row) => row.email),
          ['dev@example.com', 'DEV@example.com', 'Solo@Example.com'],
        )
      })
    })

    it('gives a client its redirect URI as a list, and its id as a name', async () => {
      await withEmptyDatabase(engine, async (db) => {
        await migrateToLatest(db, engine, '0010-call-negotiated')
        await insertOldAccounts(db, ['dev@example.com'])
        await (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
          .insertInto('oauth_clients')
          .values({
            client_id: 'APIK-old',
            uid: 'uid-0',
            redirect_uri: 'https://app.example.test/cb',
            secret_hash: 'hash',
            created_at: 5,
          })
          .execute()
        await migrateToLatest(db, engine)
        const row = await db.selectFrom('oauth_clients').selectAll().executeTakeFirstOrThrow()
        assert.deepEqual(oauthClientFromRow(row), {
          clientId: 'APIK-old',
          type: 'confidential',
          uid: 'uid-0',
          name: 'APIK-old',
          homepage: null,
          redirectUris: ['https://app.example.test/cb'],
          createdAtMs: 5,
        })
      })
    })
  })
}
