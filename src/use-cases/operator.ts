/**
 * What the operator does from the command line (`faxd accounts|numbers|tokens|clients …`):
 * create accounts, add numbers, issue personal access tokens and register OAuth2 clients.
 * There is no actor: the operator is trusted, but the same rules hold (a member belongs to an
 * existing corporate admin, a number is assigned only within its owner's account).
 */
import { type Account, type AccountType, mayActFor } from '../domain/account.js'
import type { AccessToken, OAuthClient } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { type FaxNumber, parseE164 } from '../domain/fax-number.js'
import { SCOPES, isScope } from '../domain/scopes.js'
import { newId24, newId32, newSecret } from '../shared/ids.js'
import { hashPassword, sha256Hex } from '../shared/secrets.js'
import type { Services } from './context.js'

type OperatorServices = Pick<Services, 'store' | 'clock'>

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
    email: input.email,
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
    input.password ? await hashPassword(input.password) : null,
  )
  return account
}

export async function addNumber(
  services: OperatorServices,
  input: { number: string; ownerUid: string; assignTo: readonly string[] },
): Promise<FaxNumber> {
  const e164 = parseE164(input.number)
  if (!e164) {
    throw new DomainError('invalid_request', `Not an E.164 number: ${input.number}`)
  }
  const owner = await services.store.accounts.get(input.ownerUid)
  if (!owner || owner.accountType === 'corporate_member') {
    throw new DomainError(
      'invalid_account_type',
      '--owner must be an individual or corporate_admin account',
    )
  }
  for (const uid of input.assignTo) {
    const assignee = await services.store.accounts.get(uid)
    if (!assignee || !mayActFor(owner, assignee)) {
      throw new DomainError('invalid_member', `${uid} is neither the owner nor one of its members`)
    }
  }
  const number: FaxNumber = {
    id: newId32(),
    number: e164,
    ownerUid: owner.uid,
    status: 'active',
    assignedTo: [...new Set(input.assignTo)].sort(),
    acquiredAtMs: services.clock.now(),
    expiresAtMs: null,
    isCanceled: false,
  }
  await services.store.numbers.add(number)
  return number
}

export async function createPersonalToken(
  services: OperatorServices,
  input: { uid: string; scopes: readonly string[] | null; expiresInDays: number | null },
): Promise<{ token: string; record: AccessToken }> {
  if (!(await services.store.accounts.get(input.uid))) {
    throw new DomainError('invalid_user_id', `No account ${input.uid}`)
  }
  const scopes = input.scopes ?? SCOPES
  const unknown = scopes.filter((s) => !isScope(s))
  if (unknown.length > 0 || scopes.length === 0) {
    throw new DomainError(
      'invalid_request',
      `Unknown scopes: ${unknown.join(', ')}; known: ${SCOPES.join(', ')}`,
    )
  }
  if (input.expiresInDays !== null && !(input.expiresInDays > 0)) {
    throw new DomainError('invalid_request', '--expires-in-days must be a positive number')
  }
  const nowMs = services.clock.now()
  const token = newSecret('faxd_pat_')
  const record: AccessToken = {
    id: newId24(),
    kind: 'personal',
    uid: input.uid,
    clientId: null,
    scopes: [...scopes],
    expiresAtMs: input.expiresInDays === null ? null : nowMs + input.expiresInDays * 86_400_000,
    revokedAtMs: null,
    createdAtMs: nowMs,
  }
  await services.store.tokens.create({ token: record, secretHash: sha256Hex(token) })
  return { token, record }
}

export async function createOAuthClient(
  services: OperatorServices,
  input: { uid: string; redirectUri: string },
): Promise<{ clientId: string; clientSecret: string }> {
  if (!(await services.store.accounts.get(input.uid))) {
    throw new DomainError('invalid_user_id', `No account ${input.uid}`)
  }
  let url: URL
  try {
    url = new URL(input.redirectUri)
  } catch {
    throw new DomainError('invalid_request', `Not an absolute URI: ${input.redirectUri}`)
  }
  if (url.hash !== '') {
    throw new DomainError(
      'invalid_request',
      'A redirect URI must not have a fragment (RFC 6749 §3.1.2)',
    )
  }
  const client: OAuthClient = {
    clientId: `APIK-${newId32()}`,
    uid: input.uid,
    redirectUri: input.redirectUri,
    createdAtMs: services.clock.now(),
  }
  const clientSecret = newSecret('faxd_cs_')
  await services.store.oauth.createClient(client, sha256Hex(clientSecret))
  return { clientId: client.clientId, clientSecret }
}
