/**
 * createPersonalToken: the operator issues a personal access token for an existing account
 * (`faxd tokens create`). There is no actor: the operator is trusted, but the same rules hold:
 * only known scopes (all of them by default), and an expiry, if any, a positive number of days.
 * The token is answered once; the store keeps only its hash.
 */
import type { AccessToken } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { SCOPES, isScope } from '../domain/scopes.js'
import { newId24, newSecret } from '../shared/ids.js'
import { sha256Hex } from '../shared/secrets.js'
import type { OperatorServices } from './context.js'

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
    familyId: null,
  }
  await services.store.tokens.create({ token: record, secretHash: sha256Hex(token) })
  return { token, record }
}
