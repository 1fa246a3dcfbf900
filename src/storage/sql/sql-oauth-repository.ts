/** OAuthRepository on SQL: clients in `oauth_clients`, single-use codes in `oauth_codes`. */
import type { Kysely } from 'kysely'
import type { AuthorizationCode, OAuthClient } from '../../domain/credentials.js'
import type { OAuthRepository } from '../../domain/ports.js'
import {
  authorizationCodeFromRow,
  authorizationCodeToRow,
  oauthClientFromRow,
  oauthClientToRow,
} from './oauth-rows.js'
import type { Database } from './schema.js'

export class SqlOAuthRepository implements OAuthRepository {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async createClient(client: OAuthClient, secretHash: string | null): Promise<void> {
    await this.#db
      .insertInto('oauth_clients')
      .values(oauthClientToRow(client, secretHash))
      .execute()
  }

  async saveClient(client: OAuthClient, secretHash: string | null): Promise<void> {
    const { created_at: _kept, client_id: _key, ...changed } = oauthClientToRow(client, secretHash)
    await this.#db
      .insertInto('oauth_clients')
      .values(oauthClientToRow(client, secretHash))
      .onConflict((conflict) => conflict.column('client_id').doUpdateSet(changed))
      .execute()
  }

  async getClient(
    clientId: string,
  ): Promise<{ client: OAuthClient; secretHash: string | null } | null> {
    const row = await this.#db
      .selectFrom('oauth_clients')
      .selectAll()
      .where('client_id', '=', clientId)
      .executeTakeFirst()
    return row === undefined
      ? null
      : { client: oauthClientFromRow(row), secretHash: row.secret_hash }
  }

  async createCode(codeHash: string, code: AuthorizationCode): Promise<void> {
    await this.#db
      .insertInto('oauth_codes')
      .values(authorizationCodeToRow(codeHash, code))
      .execute()
  }

  async findCode(
    codeHash: string,
    clientId: string,
  ): Promise<{ code: AuthorizationCode; used: boolean } | null> {
    const row = await this.#db
      .selectFrom('oauth_codes')
      .selectAll()
      .where('code_hash', '=', codeHash)
      .where('client_id', '=', clientId)
      .executeTakeFirst()
    return row === undefined
      ? null
      : { code: authorizationCodeFromRow(row), used: Number(row.is_used) !== 0 }
  }

  /** One conditional UPDATE: of two racing calls, only one changes the row. */
  async consumeCode(codeHash: string, clientId: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('oauth_codes')
      .set({ is_used: 1 })
      .where('code_hash', '=', codeHash)
      .where('client_id', '=', clientId)
      .where('is_used', '=', 0)
      .executeTakeFirst()
    return result.numUpdatedRows === 1n
  }
}
