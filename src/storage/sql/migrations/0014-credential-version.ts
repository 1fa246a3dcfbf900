/**
 * A version number of everything the API's caches of credentials hold (credential-cache.ts):
 * tokens, accounts, numbers and who they are assigned to. Triggers raise it with every change
 * to those tables, in the changing transaction, from whichever process makes it (the API, a
 * worker, the operator's CLI), so a cache that reads the version before answering from memory
 * never answers with a revoked token, a suspended account or a removed number.
 *
 * Inserts of tokens and accounts do not raise it: a cache holds only what it found, never that
 * something is missing. Inserts of numbers and assignments do: a cached number carries its
 * assignments.
 */
import { type Kysely, SqliteAdapter, sql } from 'kysely'

const WATCHED: readonly { table: string; events: readonly ('insert' | 'update' | 'delete')[] }[] = [
  { table: 'access_tokens', events: ['update', 'delete'] },
  { table: 'accounts', events: ['update', 'delete'] },
  { table: 'numbers', events: ['insert', 'update', 'delete'] },
  { table: 'number_assignments', events: ['insert', 'update', 'delete'] },
]

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('credential_version')
    .addColumn('id', 'integer', (column) => column.primaryKey())
    .addColumn('version', 'bigint', (column) => column.notNull())
    .execute()
  await sql`insert into credential_version (id, version) values (1, 0)`.execute(db)
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    for (const { table, events } of WATCHED) {
      for (const event of events) {
        await sql
          .raw(
            `create trigger ${table}_${event}_credential_version after ${event} on ${table} ` +
              'begin update credential_version set version = version + 1 where id = 1; end',
          )
          .execute(db)
      }
    }
    return
  }
  await sql`
    create function raise_credential_version() returns trigger language plpgsql as $$
    begin
      update credential_version set version = version + 1 where id = 1;
      return null;
    end
    $$`.execute(db)
  for (const { table, events } of WATCHED) {
    await sql
      .raw(
        `create trigger ${table}_credential_version after ${events.join(' or ')} on ${table} ` +
          'for each statement execute function raise_credential_version()',
      )
      .execute(db)
  }
}
