/** OAuth2 clients and authorization codes between their tables and the domain. */
import type { Insertable, Selectable } from 'kysely'
import type { AuthorizationCode, OAuthClient } from '../../domain/credentials.js'
import type { OAuthClientsTable, OAuthCodesTable } from './schema.js'

export function oauthClientFromRow(row: Selectable<OAuthClientsTable>): OAuthClient {
  return {
    clientId: row.client_id,
    uid: row.uid,
    redirectUri: row.redirect_uri,
    createdAtMs: row.created_at,
  }
}

export function oauthClientToRow(
  client: OAuthClient,
  secretHash: string,
): Insertable<OAuthClientsTable> {
  return {
    client_id: client.clientId,
    uid: client.uid,
    redirect_uri: client.redirectUri,
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
  }
}
