/**
 * TokenRepository on SQL: bearer tokens, by the SHA-256 of their secret, in `access_tokens`. A
 * bearer and its account are read through the credential cache (credential-cache.ts).
 */
import type { Kysely } from 'kysely'
import type { Account } from '../../domain/account.js'
import type { AccessToken } from '../../domain/credentials.js'
import type { TokenRepository } from '../../domain/ports.js'
import { accountFromRow } from './account-rows.js'
import type { CredentialCache } from './credential-cache.js'
import type { Database } from './schema.js'
import type { TransactionRunner } from './transaction-runner.js'
import { tokenFromRow, tokenToRow } from './token-rows.js'

export class SqlTokenRepository implements TokenRepository {
  readonly #db: Kysely<Database>
  readonly #transactions: TransactionRunner
  readonly #cache: CredentialCache

  constructor(db: Kysely<Database>, transactions: TransactionRunner, cache: CredentialCache) {
    this.#db = db
    this.#transactions = transactions
    this.#cache = cache
  }

  async create(...tokens: readonly { token: AccessToken; secretHash: string }[]): Promise<void> {
    const rows = tokens.map(({ token, secretHash }) => tokenToRow(token, secretHash))
    await this.#transactions.run((trx) => trx.insertInto('access_tokens').values(rows).execute())
  }

  async findBySecretHash(secretHash: string): Promise<AccessToken | null> {
    const row = await this.#db
      .selectFrom('access_tokens')
      .selectAll()
      .where('secret_hash', '=', secretHash)
      .executeTakeFirst()
    return row === undefined ? null : tokenFromRow(row)
  }

  findBearer(secretHash: string): Promise<{ token: AccessToken; account: Account } | null> {
    return this.#cache.get(`bearer:${secretHash}`, async () => {
      const token = await this.findBySecretHash(secretHash)
      if (token === null) {
        return null
      }
      const account = await this.#db
        .selectFrom('accounts')
        .selectAll()
        .where('uid', '=', token.uid)
        .executeTakeFirst()
      return account === undefined ? null : { token, account: accountFromRow(account) }
    })
  }

  async replace(
    oldId: string,
    atMs: number,
    newTokens: readonly { token: AccessToken; secretHash: string }[],
  ): Promise<boolean> {
    return this.#transactions.run(async (trx) => {
      const revoked = await trx
        .updateTable('access_tokens')
        .set({ revoked_at: atMs })
        .where('id', '=', oldId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      if (revoked.numUpdatedRows !== 1n) {
        return false
      }
      if (newTokens.length > 0) {
        await trx
          .insertInto('access_tokens')
          .values(newTokens.map(({ token, secretHash }) => tokenToRow(token, secretHash)))
          .execute()
      }
      return true
    })
  }

  async revokeFamily(familyId: string, atMs: number): Promise<number> {
    const result = await this.#db
      .updateTable('access_tokens')
      .set({ revoked_at: atMs })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  }

  async listOf(uid: string): Promise<AccessToken[]> {
    const rows = await this.#db
      .selectFrom('access_tokens')
      .selectAll()
      .where('uid', '=', uid)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute()
    return rows.map(tokenFromRow)
  }

  async revoke(id: string, atMs: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('access_tokens')
      .set({ revoked_at: atMs })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return result.numUpdatedRows === 1n
  }
}
