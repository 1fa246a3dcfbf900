/**
 * Sign-in security (docs/authentication.md):
 * - e-mail addresses are kept in lower case and compared so. Accounts whose addresses differ only
 *   in case cannot both keep theirs; rather than merge two accounts, the migration stops, changes
 *   nothing and names them, for the operator to change one, and runs again at the next start;
 * - an OAuth2 client has a name and an optional homepage, shown on the consent page, and a list
 *   of redirect URIs (`redirect_uris`, a JSON array) in place of one. Clients registered before
 *   are named by their id until the operator names them;
 * - a code keeps its PKCE challenge, and the token family it starts (`family_id`); every token
 *   issued from the code, and from its refresh tokens, carries the family, so a reused code or
 *   refresh token revokes them all (RFC 6749 §4.1.2, RFC 9700 §4.14.2);
 * - failed sign-ins are counted per account, per address and per pair, and addresses an account
 *   signed in from are remembered a while (`sign_in_throttle`, domain/sign-in-throttle.ts).
 */
import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await lowerCaseEmails(db)

  await db.schema
    .alterTable('oauth_clients')
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .execute()
  await db.schema.alterTable('oauth_clients').addColumn('homepage', 'text').execute()
  await db.schema
    .alterTable('oauth_clients')
    .addColumn('redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute()
  const clients = await sql<{
    client_id: string
    redirect_uri: string
  }>`select client_id, redirect_uri from oauth_clients`.execute(db)
  for (const client of clients.rows) {
    await sql`update oauth_clients set redirect_uris = ${JSON.stringify([client.redirect_uri])},
      name = ${client.client_id} where client_id = ${client.client_id}`.execute(db)
  }
  await db.schema.alterTable('oauth_clients').dropColumn('redirect_uri').execute()

  await db.schema.alterTable('oauth_codes').addColumn('family_id', 'text').execute()
  await db.schema.alterTable('oauth_codes').addColumn('code_challenge', 'text').execute()
  await db.schema
    .alterTable('oauth_codes')
    .addColumn('redirect_uri_given', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('access_tokens').addColumn('family_id', 'text').execute()
  await db.schema
    .createIndex('access_tokens_family_id_idx')
    .on('access_tokens')
    .column('family_id')
    .execute()

  await db.schema
    .createTable('sign_in_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
    .addColumn('until_at', 'bigint', (c) => c.notNull())
    .execute()
  // Rows whose time has passed are deleted as failures come in (a guesser must not fill the
  // table); this index finds them.
  await db.schema
    .createIndex('sign_in_throttle_until_at_idx')
    .on('sign_in_throttle')
    .column('until_at')
    .execute()
}

async function lowerCaseEmails(db: Kysely<unknown>): Promise<void> {
  const accounts = await sql<{
    uid: string
    email: string
  }>`select uid, email from accounts order by created_at, uid`.execute(db)
  const byAddress = new Map<string, { uid: string; email: string }[]>()
  for (const account of accounts.rows) {
    const key = account.email.toLowerCase()
    byAddress.set(key, [...(byAddress.get(key) ?? []), account])
  }
  const clashes = [...byAddress.values()].filter((group) => group.length > 1)
  if (clashes.length > 0) {
    const named = clashes
      .map((group) => group.map((a) => `${a.email} (${a.uid})`).join(' and '))
      .join('; ')
    throw new Error(
      `e-mail addresses are now compared without regard to case, and these accounts' differ ` +
        `only in case: ${named}. Nothing was changed. Give all but one of each group another ` +
        `address (with a token of the account, \`faxd tokens create --user UID\`: ` +
        `PUT /v3/accounts/self with {"email": "…"}), then start faxd again`,
    )
  }
  for (const account of accounts.rows) {
    const lower = account.email.toLowerCase()
    if (lower !== account.email) {
      await sql`update accounts set email = ${lower} where uid = ${account.uid}`.execute(db)
    }
  }
}
