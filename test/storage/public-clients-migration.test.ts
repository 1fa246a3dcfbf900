/**
 * Migration 0019 on both engines: clients registered before it stay confidential with their
 * secrets, and the codes and tokens that refer to them stay valid. On SQLite the table is
 * rebuilt, so the test also checks that foreign keys hold again afterwards, both ways.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Kysely, sql } from 'kysely'
import { migrateToLatest } from '../../src/storage/sql/migrate.js'
import type { Database } from '../../src/storage/sql/schema.js'
import { SqlOAuthRepository } from '../../src/storage/sql/sql-oauth-repository.js'
import { anOAuthClient } from '../support/sample-records.js'
import { oldAccountRow } from '../support/old-account-row.js'
import { withEmptyDatabase } from '../support/empty-database.js'

type AnyTables = Kysely<Record<string, Record<string, unknown>>>

async function writeOldRows(db: Kysely<Database>): Promise<void> {
  const old = db as unknown as AnyTables
  await old
    .insertInto('accounts')
    .values(oldAccountRow('uid-0', 'dev@example.com', 1))
    .execute()
  await old
    .insertInto('oauth_clients')
    .values({
      client_id: 'APIK-old',
      uid: 'uid-0',
      secret_hash: 'secret-hash',
      created_at: 5,
      name: 'Old app',
      homepage: 'https://old.example.test/',
      redirect_uris: '["https://old.example.test/cb"]',
    })
    .execute()
  await old
    .insertInto('oauth_codes')
    .values({
      code_hash: 'code-hash',
      client_id: 'APIK-old',
      uid: 'uid-0',
      redirect_uri: 'https://old.example.test/cb',
      scope: 'all',
      expires_at: 10,
      is_used: 0,
      family_id: 'family',
      code_challenge: null,
      redirect_uri_given: 1,
    })
    .execute()
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`migration 0019-public-clients (${engine})`, () => {
    it('keeps earlier clients confidential with their secrets, and their codes', async () => {
      await withEmptyDatabase(engine, async (db) => {
        await migrateToLatest(db, engine, '0018-claim-indexes')
        await writeOldRows(db)
        await migrateToLatest(db, engine)
        const oauth = new SqlOAuthRepository(db)
        assert.deepEqual(await oauth.getClient('APIK-old'), {
          client: {
            clientId: 'APIK-old',
            type: 'confidential',
            uid: 'uid-0',
            name: 'Old app',
            homepage: 'https://old.example.test/',
            redirectUris: ['https://old.example.test/cb'],
            createdAtMs: 5,
          },
          secretHash: 'secret-hash',
        })
        assert.equal((await oauth.findCode('code-hash', 'APIK-old'))?.code.familyId, 'family')
      })
    })

    it('leaves foreign keys enforced: to the rebuilt table and from it', async () => {
      await withEmptyDatabase(engine, async (db) => {
        await migrateToLatest(db, engine, '0018-claim-indexes')
        await writeOldRows(db)
        await migrateToLatest(db, engine)
        const oauth = new SqlOAuthRepository(db)
        const orphanCode = {
          clientId: 'APIK-nobody',
          uid: 'uid-0',
          redirectUri: 'https://old.example.test/cb',
          redirectUriGiven: true,
          scope: 'all',
          expiresAtMs: 10,
          familyId: 'f',
          codeChallenge: null,
        }
        await assert.rejects(oauth.createCode('orphan', orphanCode), 'a code of no client')
        await assert.rejects(
          oauth.createClient(anOAuthClient('uid-nobody'), 'hash'),
          'a client of no account',
        )
        await assert.rejects(
          sql`delete from oauth_clients where client_id = 'APIK-old'`.execute(db),
          'a client its code refers to',
        )
      })
    })
  })
}
