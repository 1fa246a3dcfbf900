/**
 * createAccount: the operator creates an account (`faxd accounts create`). There is no actor:
 * the operator is trusted, but the same rules hold: the email must look like one (and is kept in
 * lower case), a password, if any, meets domain/password-policy.ts, and a corporate_member
 * belongs to an existing corporate admin (`--admin`), which makes any account created with
 * `--admin` a corporate_member.
 */
import { type Account, type AccountType, normalizeEmail } from '../domain/account.js'
import { DomainError } from '../domain/domain-error.js'
import { passwordProblem } from '../domain/password-policy.js'
import { newId32 } from '../shared/ids.js'
import type { OperatorServices } from './context.js'

export async function createAccount(
  services: OperatorServices,
  input: {
    email: string
    type: AccountType | null
    adminUid: string | null
    password: string | null
  },
): Promise<Account> {
  if (!/^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$/.test(input.email)) {
    throw new DomainError('invalid_request', `Not an email address: ${input.email}`)
  }
  const email = normalizeEmail(input.email)
  const problem = input.password === null ? null : passwordProblem(input.password, email)
  if (problem !== null) {
    throw new DomainError('weak_password', problem)
  }
  let accountType: AccountType = input.type ?? 'individual'
  if (input.adminUid !== null) {
    const admin = await services.store.accounts.get(input.adminUid)
    if (!admin || admin.accountType !== 'corporate_admin') {
      throw new DomainError('invalid_account_type', '--admin must name a corporate_admin account')
    }
    if (input.type !== null && input.type !== 'corporate_member') {
      throw new DomainError('invalid_account_type', 'An account with --admin is a corporate_member')
    }
    accountType = 'corporate_member'
  } else if (accountType === 'corporate_member') {
    throw new DomainError('invalid_account_type', 'A corporate_member needs --admin')
  }
  const account: Account = {
    uid: newId32(),
    email,
    accountType,
    adminUid: input.adminUid,
    status: 'active',
    name: '',
    lastname: '',
    phone: null,
    profileImage: '',
    createdAtMs: services.clock.now(),
    accountData: {},
    settings: {},
    notifications: null,
    memberQuota: null,
    memberRole: null,
  }
  await services.store.accounts.create(
    account,
    input.password ? await services.passwords.hash(input.password) : null,
  )
  return account
}
