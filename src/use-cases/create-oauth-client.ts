/**
 * createOAuthClient: the operator registers an OAuth2 client for an existing account (`faxd
 * clients create`). There is no actor: the operator is trusted, but the same rules hold: a name
 * for the consent page, a homepage (optional) that is a web address, and one or more redirect
 * URIs that can only reach the client (domain/redirect-uri.ts). A confidential client's secret is
 * answered once; the store keeps only its hash. A public client (a browser or native app) gets
 * no secret, and must use PKCE instead.
 */
import type { ClientType, OAuthClient } from '../domain/credentials.js'
import { DomainError } from '../domain/domain-error.js'
import { redirectUriProblem } from '../domain/redirect-uri.js'
import { newId32, newSecret } from '../shared/ids.js'
import { sha256Hex } from '../shared/secrets.js'
import type { OperatorServices } from './context.js'

export const MAX_CLIENT_NAME_LENGTH = 100
export const MAX_REDIRECT_URIS = 10

export async function createOAuthClient(
  services: OperatorServices,
  input: {
    uid: string
    type: ClientType
    name: string
    homepage: string | null
    redirectUris: readonly string[]
  },
): Promise<{ clientId: string; clientSecret: string | null }> {
  if (!(await services.store.accounts.get(input.uid))) {
    throw new DomainError('invalid_user_id', `No account ${input.uid}`)
  }
  const name = input.name.trim()
  if (name === '' || name.length > MAX_CLIENT_NAME_LENGTH || /\p{Cc}/u.test(name)) {
    throw new DomainError(
      'invalid_request',
      `A client needs a name of 1 to ${MAX_CLIENT_NAME_LENGTH} characters, shown when users sign in`,
    )
  }
  if (input.homepage !== null && !isWebAddress(input.homepage)) {
    throw new DomainError(
      'invalid_request',
      `The homepage must be an https address: ${input.homepage}`,
    )
  }
  const redirectUris = [...new Set(input.redirectUris)]
  if (redirectUris.length === 0 || redirectUris.length > MAX_REDIRECT_URIS) {
    throw new DomainError(
      'invalid_redirect_uri',
      `A client needs 1 to ${MAX_REDIRECT_URIS} redirect URIs`,
    )
  }
  for (const uri of redirectUris) {
    const problem = redirectUriProblem(uri)
    if (problem !== null) {
      throw new DomainError('invalid_redirect_uri', `${uri}: ${problem}`)
    }
  }
  const client: OAuthClient = {
    clientId: `APIK-${newId32()}`,
    type: input.type,
    uid: input.uid,
    name,
    homepage: input.homepage,
    redirectUris,
    createdAtMs: services.clock.now(),
  }
  if (client.type === 'public') {
    await services.store.oauth.createClient(client, null)
    return { clientId: client.clientId, clientSecret: null }
  }
  const clientSecret = newSecret('faxd_cs_')
  await services.store.oauth.createClient(client, sha256Hex(clientSecret))
  return { clientId: client.clientId, clientSecret }
}

function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text)
    return url.protocol === 'https:'
  } catch {
    return false
  }
}
