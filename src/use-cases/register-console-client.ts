/**
 * registerConsoleClient: `faxd serve` keeps the web console's OAuth2 client (CONSOLE_CLIENT_ID)
 * registered for the addresses the console is reached at, as it starts: a public client (no
 * secret, PKCE required), owned by no account, whose redirect URIs are the console's root on
 * each address. The addresses come from the operator's configuration (FAXD_PUBLIC_URL, or the
 * listening address), so they are not checked against the rules for clients that accounts
 * register: an operator who serves faxd on plain http inside a network may sign in there.
 */
import type { OAuthClient } from '../domain/credentials.js'
import { CONSOLE_CLIENT_ID, CONSOLE_CLIENT_NAME } from '../shared/console-client.js'
import type { OperatorServices } from './context.js'

/** `origins` are the console's addresses without a path (`https://fax.example.com`). */
export async function registerConsoleClient(
  services: OperatorServices,
  origins: readonly string[],
): Promise<OAuthClient> {
  const client: OAuthClient = {
    clientId: CONSOLE_CLIENT_ID,
    type: 'public',
    uid: null,
    name: CONSOLE_CLIENT_NAME,
    homepage: null,
    redirectUris: [...new Set(origins.map((origin) => `${new URL(origin).origin}/`))],
    createdAtMs: services.clock.now(),
  }
  await services.store.oauth.saveClient(client, null)
  return client
}
