/**
 * Public OAuth2 clients (RFC 6749 §2.1: "Clients incapable of maintaining the confidentiality of
 * their credentials", such as the web console and other browser or native apps):
 * - `client_type` is `confidential` (every client so far) or `public`;
 * - a public client has no secret: `secret_hash` is null exactly for public clients (a CHECK
 *   holds the two together);
 * - `uid`, the account that registered the client, is null for the web console's own client,
 *   which belongs to the server rather than to an account.
 *
 * PostgreSQL drops the two NOT NULLs in place. SQLite cannot, so the table is rebuilt as
 * sqlite.org/lang_altertable.html#otheralter describes: foreign keys off (codes and tokens refer
 * to the table), a new table filled from the old one, the old one dropped, the new one renamed,
 * `foreign_key_check` before the commit, foreign keys on again.
 */
import { type Kysely, SqliteAdapter, sql } from 'kysely'

const SECRET_CHECK = sql`check ((client_type = 'public') = (secret_hash is null))`

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await rebuildOnSqlite(db)
    return
  }
  await sql`alter table oauth_clients
    add column client_type text not null default 'confidential',
    alter column uid drop not null,
    alter column secret_hash drop not null,
    add constraint oauth_clients_secret_check ${SECRET_CHECK}`.execute(db)
}

async function rebuildOnSqlite(db: Kysely<unknown>): Promise<void> {
  await sql`pragma foreign_keys = off`.execute(db)
  try {
    await db.transaction().execute(async (trx) => {
      await sql`create table oauth_clients_next (
        client_id text primary key,
        uid text references accounts (uid),
        client_type text not null default 'confidential',
        secret_hash text,
        created_at bigint not null,
        name text not null default '',
        homepage text,
        redirect_uris text not null default '[]',
        constraint oauth_clients_secret_check ${SECRET_CHECK}
      )`.execute(trx)
      await sql`insert into oauth_clients_next
        (client_id, uid, secret_hash, created_at, name, homepage, redirect_uris)
        select client_id, uid, secret_hash, created_at, name, homepage, redirect_uris
        from oauth_clients`.execute(trx)
      await sql`drop table oauth_clients`.execute(trx)
      await sql`alter table oauth_clients_next rename to oauth_clients`.execute(trx)
      const broken = await sql<{ table: string }>`pragma foreign_key_check`.execute(trx)
      if (broken.rows.length > 0) {
        throw new Error(
          `rebuilding oauth_clients would break ${broken.rows.length} references ` +
            `(in ${[...new Set(broken.rows.map((row) => row.table))].join(', ')})`,
        )
      }
    })
  } finally {
    await sql`pragma foreign_keys = on`.execute(db)
  }
}
