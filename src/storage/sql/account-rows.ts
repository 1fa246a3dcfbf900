/** Accounts between the `accounts` table and the domain. */
import type { Insertable, Selectable, Updateable } from 'kysely'
import {
  ACCOUNT_STATUSES,
  ACCOUNT_TYPES,
  type Account,
  type AccountChanges,
} from '../../domain/account.js'
import { oneOf, parseJsonObject, toJsonText } from './column-values.js'
import type { AccountsTable } from './schema.js'

export function accountFromRow(row: Selectable<AccountsTable>): Account {
  return {
    uid: row.uid,
    email: row.email,
    accountType: oneOf(ACCOUNT_TYPES, row.account_type, 'accounts.account_type'),
    adminUid: row.admin_uid,
    status: oneOf(ACCOUNT_STATUSES, row.status, 'accounts.status'),
    name: row.name,
    lastname: row.lastname,
    phone: row.phone,
    profileImage: row.profile_image,
    createdAtMs: row.created_at,
    accountData: parseJsonObject(row.account_data, 'accounts.account_data'),
    settings: parseJsonObject(row.settings, 'accounts.settings'),
    notifications:
      row.notifications === null
        ? null
        : parseJsonObject(row.notifications, 'accounts.notifications'),
    memberQuota: row.member_quota,
    memberRole: row.member_role,
  }
}

export function accountToRow(
  account: Account,
  passwordHash: string | null,
): Insertable<AccountsTable> {
  return {
    uid: account.uid,
    email: account.email,
    account_type: account.accountType,
    admin_uid: account.adminUid,
    status: account.status,
    name: account.name,
    lastname: account.lastname,
    phone: account.phone,
    profile_image: account.profileImage,
    created_at: account.createdAtMs,
    account_data: toJsonText(account.accountData),
    settings: toJsonText(account.settings),
    notifications: account.notifications === null ? null : toJsonText(account.notifications),
    member_quota: account.memberQuota,
    member_role: account.memberRole,
    password_hash: passwordHash,
  }
}

/** The columns to set for `changes`; a field left out of `changes` stays undefined (unset). */
export function accountChangesToRow(changes: AccountChanges): Updateable<AccountsTable> {
  return {
    email: changes.email,
    name: changes.name,
    lastname: changes.lastname,
    phone: changes.phone,
    profile_image: changes.profileImage,
    account_data: changes.accountData && toJsonText(changes.accountData),
    settings: changes.settings && toJsonText(changes.settings),
    notifications: changes.notifications && toJsonText(changes.notifications),
  }
}
