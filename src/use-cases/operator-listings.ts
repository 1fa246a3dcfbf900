/**
 * What an operator looks up from the command line (`faxd accounts list`, `faxd numbers list`,
 * `faxd tokens list`) and the one change among them, `faxd tokens revoke`. There is no actor: the
 * operator sees every account. Tokens are listed without secrets: faxd keeps only their hashes.
 */
import type { Account } from '../domain/account.js'
import type { AccessToken } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import type { FaxNumber } from '../domain/fax-number.js'
import type { OperatorServices } from './context.js'

export function listAccounts(services: OperatorServices): Promise<Account[]> {
  return services.store.accounts.list()
}

/** Every number of this server, or those of one owner (an error when it has no account). */
export async function listServerNumbers(
  services: OperatorServices,
  ownerUid: string | null,
): Promise<FaxNumber[]> {
  if (ownerUid === null) {
    return services.store.numbers.listAll()
  }
  await existingAccount(services, ownerUid, '--owner')
  return services.store.numbers.listOwnedBy(ownerUid)
}

export async function listTokens(services: OperatorServices, uid: string): Promise<AccessToken[]> {
  await existingAccount(services, uid, '--user')
  return services.store.tokens.listOf(uid)
}

/**
 * Revokes a token by its id (what `faxd tokens list` shows, never the secret): requests that
 * bear it are refused from then on, on every process (the credential cache is told).
 */
export async function revokeToken(services: OperatorServices, id: string): Promise<void> {
  if (!(await services.store.tokens.revoke(id, services.clock.now()))) {
    throw new DomainError(
      'invalid_request',
      `no token has the id ${JSON.stringify(id)}, or it is revoked already (faxd tokens list --user UID shows them)`,
    )
  }
}

async function existingAccount(
  services: OperatorServices,
  uid: string,
  option: string,
): Promise<void> {
  if ((await services.store.accounts.get(uid)) === null) {
    throw new DomainError(
      'invalid_request',
      `no account has the uid ${JSON.stringify(uid)} (${option}); faxd accounts list shows them`,
    )
  }
}
