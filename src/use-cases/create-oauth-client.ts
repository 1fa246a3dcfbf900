/**
 * createOAuthClient: the operator registers an OAuth2 client for an existing account (`faxd
 * clients create`). There is no actor: the operator is trusted, but the same rules hold: the
 * redirect URI is absolute and has no fragment (RFC 6749 §3.1.2). The client secret is answered
 * once; the store keeps only its hash.
 */
import type { OAuthClient } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { newId32, newSecret } from '../shared/ids.js'
import { sha256Hex } from '../shared/secrets.js'
import type { OperatorServices } from './context.js'

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
