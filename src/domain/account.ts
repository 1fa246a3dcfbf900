/**
 * An account: an individual, a corporate admin, or a member of exactly one corporate admin.
 * Field names follow the Fax.Plus Account model; the wire shape is built in src/api/wire.
 */
export const ACCOUNT_TYPES = ['individual', 'corporate_admin', 'corporate_member'] as const
export type AccountType = (typeof ACCOUNT_TYPES)[number]

export const ACCOUNT_STATUSES = [
  'active',
  'unverified_phone',
  'suspended',
  'disabled',
  'inactive',
  'deleted',
  'corporate_deleted',
  'waiting_for_signup',
] as const
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number]

export interface Account {
  readonly uid: string
  readonly email: string
  readonly accountType: AccountType
  /** The corporate admin a member belongs to; null for individuals and admins. */
  readonly adminUid: string | null
  readonly status: AccountStatus
  readonly name: string
  readonly lastname: string
  readonly phone: string | null
  readonly profileImage: string
  readonly createdAtMs: number
  /** Free-form parts of the Fax.Plus model, kept as given (validated at the API edge). */
  readonly accountData: Record<string, unknown>
  readonly settings: Record<string, unknown>
  readonly notifications: Record<string, unknown> | null
  /** Member details (quota in pages per month, role), set by the admin. */
  readonly memberQuota: number | null
  readonly memberRole: string | null
}

/** The fields an account owner (or its admin) may change. */
export type AccountChanges = Partial<
  Pick<
    Account,
    | 'email'
    | 'name'
    | 'lastname'
    | 'phone'
    | 'profileImage'
    | 'accountData'
    | 'settings'
    | 'notifications'
  >
>

/**
 * An e-mail address as faxd keeps and compares it: in lower case. RFC 5321 §2.4 lets a mail
 * server treat the local part's case as significant, but no provider does, and people type
 * `Dev@Example.com` for `dev@example.com`; two accounts that differ only in case would be a trap.
 */
export function normalizeEmail(email: string): string {
  return email.toLowerCase()
}

/** Whether `actor` may act on `target`'s resources: itself, or its admin acting for a member. */
export function mayActFor(actor: Account, target: Account): boolean {
  return (
    actor.uid === target.uid ||
    (actor.accountType === 'corporate_admin' && target.adminUid === actor.uid)
  )
}
