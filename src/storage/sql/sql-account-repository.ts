/** AccountRepository on SQL: accounts with their password hash in the `accounts` table. */
import type { Kysely } from 'kysely'
import type { Account, AccountChanges } from '../../domain/account.js'
import { DomainError } from '../../domain/domain-error.js'
import type { AccountRepository } from '../../domain/ports.js'
import { accountChangesToRow, accountFromRow, accountToRow } from './account-rows.js'
import type { Database } from './schema.js'
import { isUniqueViolation } from './unique-violation.js'

export class SqlAccountRepository implements AccountRepository {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async create(account: Account, passwordHash: string | null): Promise<void> {
    try {
      await this.#db.insertInto('accounts').values(accountToRow(account, passwordHash)).execute()
    } catch (error) {
      throw emailTakenOr(error)
    }
  }

  async get(uid: string): Promise<Account | null> {
    const row = await this.#db
      .selectFrom('accounts')
      .selectAll()
      .where('uid', '=', uid)
      .executeTakeFirst()
    return row === undefined ? null : accountFromRow(row)
  }

  async findSignIn(
    email: string,
  ): Promise<{ account: Account; passwordHash: string | null } | null> {
    const row = await this.#db
      .selectFrom('accounts')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirst()
    return row === undefined
      ? null
      : { account: accountFromRow(row), passwordHash: row.password_hash }
  }

  async setPasswordHash(uid: string, passwordHash: string): Promise<void> {
    await this.#db
      .updateTable('accounts')
      .set({ password_hash: passwordHash })
      .where('uid', '=', uid)
      .execute()
  }

  async listMembers(adminUid: string): Promise<Account[]> {
    const rows = await this.#db
      .selectFrom('accounts')
      .selectAll()
      .where('admin_uid', '=', adminUid)
      .orderBy('created_at')
      .orderBy('uid')
      .execute()
    return rows.map(accountFromRow)
  }

  async list(): Promise<Account[]> {
    const rows = await this.#db
      .selectFrom('accounts')
      .selectAll()
      .orderBy('created_at')
      .orderBy('uid')
      .execute()
    return rows.map(accountFromRow)
  }

  async update(uid: string, changes: AccountChanges): Promise<void> {
    const row = accountChangesToRow(changes)
    if (Object.values(row).every((value) => value === undefined)) {
      return
    }
    try {
      await this.#db.updateTable('accounts').set(row).where('uid', '=', uid).execute()
    } catch (error) {
      throw emailTakenOr(error)
    }
  }

  async setMemberDetails(uid: string, details: { quota?: number; role?: string }): Promise<void> {
    if (details.quota === undefined && details.role === undefined) {
      return
    }
    await this.#db
      .updateTable('accounts')
      .set({ member_quota: details.quota, member_role: details.role })
      .where('uid', '=', uid)
      .execute()
  }
}

function emailTakenOr(error: unknown): unknown {
  return isUniqueViolation(error, 'accounts', 'email')
    ? new DomainError('email_taken', 'this email is already in use', { cause: error })
    : error
}
