/** TokenRepository on SQL: bearer tokens, by the SHA-256 of their secret, in `access_tokens`. */
import type { Kysely } from 'kysely'
import type { AccessToken } from '../../domain/credentials.js'
import type { TokenRepository } from '../../domain/ports.js'
import type { Database } from './schema.js'
import type { TransactionRunner } from './transaction-runner.js'
import { tokenFromRow, tokenToRow } from './token-rows.js'

export class SqlTokenRepository implements TokenRepository {
  readonly #db: Kysely<Database>
  readonly #transactions: TransactionRunner

  constructor(db: Kysely<Database>, transactions: TransactionRunner) {
    this.#db = db
    this.#transactions = transactions
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
}
