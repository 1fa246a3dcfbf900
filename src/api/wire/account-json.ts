/**
 * The Fax.Plus Account and MemberDetail shapes. The Python SDK checks the patterns of `email`,
 * `creation_date` and `phone` and raises on unknown enum values, so optional fields that are
 * unset are left out rather than sent empty.
 */
import type { Account } from '../../domain/account.js'
import type { MemberDetails } from '../../use-cases/get-member-details.js'
import { formatUtc } from '../../shared/api-time.js'

export interface AccountJson {
  uid: string
  email: string
  account_type: Account['accountType']
  status: Account['status']
  creation_date: string
  name: string
  lastname: string
  phone?: string
  profile_image: string
  member_of: string[]
  account_data: Record<string, unknown>
  settings: Record<string, unknown>
  notifications?: Record<string, unknown>
}

export function toAccountJson(account: Account): AccountJson {
  return {
    uid: account.uid,
    email: account.email,
    account_type: account.accountType,
    status: account.status,
    creation_date: formatUtc(account.createdAtMs),
    name: account.name,
    lastname: account.lastname,
    ...(account.phone ? { phone: account.phone } : {}),
    profile_image: account.profileImage,
    member_of: account.adminUid ? [account.adminUid] : [],
    account_data: account.accountData,
    settings: account.settings,
    ...(account.notifications ? { notifications: account.notifications } : {}),
  }
}

export function toMemberDetailJson(details: MemberDetails): { quota?: number; role?: string } {
  return {
    ...(details.quota !== null ? { quota: details.quota } : {}),
    ...(details.role !== null ? { role: details.role } : {}),
  }
}
