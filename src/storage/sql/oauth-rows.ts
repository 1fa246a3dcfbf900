/** OAuth2 clients and authorization codes between their tables and the domain. */
import type { Insertable, Selectable } from 'kysely'
import type { AuthorizationCode, ClientType, OAuthClient } from '../../domain/credentials.js'
import { parseStringList, toJsonText } from './column-values.js'
import type { OAuthClientsTable, OAuthCodesTable } from './schema.js'

export function oauthClientFromRow(row: Selectable<OAuthClientsTable>): OAuthClient {
  return {
    clientId: row.client_id,
    type: clientTypeOf(row.client_type),
    uid: row.uid,
    name: row.name,
    homepage: row.homepage,
    redirectUris: parseStringList(row.redirect_uris, 'oauth_clients.redirect_uris'),
    createdAtMs: row.created_at,
  }
}

function clientTypeOf(text: string): ClientType {
  if (text !== 'confidential' && text !== 'public') {
    throw new Error(`oauth_clients.client_type holds ${JSON.stringify(text)}`)
  }
  return text
}

/** `secretHash` is null for a public client, which has no secret. */
export function oauthClientToRow(
  client: OAuthClient,
  secretHash: string | null,
): Insertable<OAuthClientsTable> {
  return {
    client_id: client.clientId,
    client_type: client.type,
    uid: client.uid,
    name: client.name,
    homepage: client.homepage,
    redirect_uris: toJsonText(client.redirectUris),
    secret_hash: secretHash,
    created_at: client.createdAtMs,
  }
}

export function authorizationCodeFromRow(row: Selectable<OAuthCodesTable>): AuthorizationCode {
  return {
    clientId: row.client_id,
    uid: row.uid,
    redirectUri: row.redirect_uri,
    scope: row.scope,
    expiresAtMs: row.expires_at,
    // Codes issued before families existed live a minute; by now none is left unused.
    familyId: row.family_id ?? row.code_hash,
    codeChallenge: row.code_challenge,
    redirectUriGiven: Number(row.redirect_uri_given) === 1,
  }
}

/** A fresh, unused code. */
export function authorizationCodeToRow(
  codeHash: string,
  code: AuthorizationCode,
): Insertable<OAuthCodesTable> {
  return {
    code_hash: codeHash,
    client_id: code.clientId,
    uid: code.uid,
    redirect_uri: code.redirectUri,
    scope: code.scope,
    expires_at: code.expiresAtMs,
    is_used: 0,
    family_id: code.familyId,
    code_challenge: code.codeChallenge,
    redirect_uri_given: code.redirectUriGiven ? 1 : 0,
  }
}
