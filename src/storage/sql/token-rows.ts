/** Access tokens between the `access_tokens` table and the domain. */
import type { Insertable, Selectable } from 'kysely'
import type { AccessToken, TokenKind } from '../../domain/credentials.js'
import { oneOf, parseStringList, toJsonText } from './column-values.js'
import type { AccessTokensTable } from './schema.js'

const TOKEN_KINDS: readonly TokenKind[] = ['personal', 'oauth_access', 'oauth_refresh']

export function tokenFromRow(row: Selectable<AccessTokensTable>): AccessToken {
  return {
    id: row.id,
    kind: oneOf(TOKEN_KINDS, row.kind, 'access_tokens.kind'),
    uid: row.uid,
    clientId: row.client_id,
    scopes: parseStringList(row.scopes, 'access_tokens.scopes'),
    expiresAtMs: row.expires_at,
    revokedAtMs: row.revoked_at,
    createdAtMs: row.created_at,
    familyId: row.family_id,
  }
}

export function tokenToRow(token: AccessToken, secretHash: string): Insertable<AccessTokensTable> {
  return {
    id: token.id,
    kind: token.kind,
    uid: token.uid,
    client_id: token.clientId,
    scopes: toJsonText(token.scopes),
    expires_at: token.expiresAtMs,
    revoked_at: token.revokedAtMs,
    created_at: token.createdAtMs,
    secret_hash: secretHash,
    family_id: token.familyId,
  }
}
